//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roadone",
    version,
    about = "Roadone: customer service where every case has one owner and nothing languishes"
)]
pub struct Cli {
    /// Where the database and files live.
    #[arg(
        long,
        global = true,
        env = "ROADONE_DATA_DIR",
        default_value = "roadone-data"
    )]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Serve the API and run the scheduler.
    Serve(ServeArgs),
    /// Load the demo organisation and ~3,000 cases of the last 90 days into an empty store.
    Demo,
    /// Manage people.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the database to FILE while the server may keep running.
    Backup { file: PathBuf },
    /// Print a report (docs/metrics.md defines every figure).
    #[command(subcommand)]
    Report(ReportCmd),
    /// Bring data in.
    #[command(subcommand)]
    Import(ImportCmd),
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Orders from a CSV file with the columns order_id, customer (external id or email),
    /// ordered_at, amount, currency. Idempotent by order_id: importing again adds nothing.
    /// A bad row is reported with its line number and skipped.
    Orders { file: PathBuf },
    /// Call detail records written by Asterisk (cdr_csv's Master.csv) or FreeSWITCH
    /// (mod_cdr_csv). Idempotent by each call's id; a bad row is reported by its line and
    /// skipped. The layout is known by its number of columns unless --columns names them.
    Cdr {
        file: PathBuf,
        /// asterisk, freeswitch, or auto (told apart by how the first row is quoted).
        #[arg(long, default_value = "auto")]
        format: String,
        /// The columns in order, comma-separated (for a layout not known by its width).
        #[arg(long)]
        columns: Option<String>,
        /// The zone the times are written in (the files carry none), such as Europe/London.
        #[arg(long)]
        timezone: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The monthly trail: per person, received, solved, passed up, time held, the
    /// buck-passing index and quick catches.
    Trail {
        /// The month, YYYY-MM (UTC).
        #[arg(long)]
        month: String,
        /// solves or buck_passing.
        #[arg(long, default_value = "solves")]
        sort: String,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Delight: the month's ratings by solver, category and road, and what delighted.
    Delight {
        /// The month, YYYY-MM (UTC).
        #[arg(long)]
        month: String,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Roads and learning: solves per road, category and month, and what was learned.
    Roads {
        /// The first month, YYYY-MM.
        #[arg(long)]
        from: String,
        /// The last month, YYYY-MM.
        #[arg(long)]
        to: String,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Calls: answered in one ring, ring times, abandoned calls, the service level by hour
    /// and day, and talk time per operator.
    Calls {
        /// The month, YYYY-MM (UTC).
        #[arg(long)]
        month: String,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// A delight experiment: its health, each figure per arm with its interval, the
    /// guardrails, planning and payback; CSV gives the per-arm sufficient statistics.
    Experiment {
        /// The experiment's key.
        key: String,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Customer math: sales before and after each case, raw and adjusted, with intervals,
    /// per solver, intake person, category, road and escalation; the raise list.
    CustomerMath {
        /// The days compared before the opening and after the solve [default: the
        /// "Customer math compares" rule, 90 days unless changed].
        #[arg(long)]
        window_days: Option<i64>,
        /// The currency compared [default: the one with the most orders].
        #[arg(long)]
        currency: Option<String>,
        /// table, json or csv.
        #[arg(long, default_value = "table")]
        format: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<String>,
    /// Unsolved cases go to the executive after this long, e.g. 20h, 90m, 4s [default: 20h].
    #[arg(long)]
    pub escalate_after: Option<String>,
    /// Owners are reminded after this long without activity [default: 4h].
    #[arg(long)]
    pub tickle_after: Option<String>,
    /// How often the scheduler looks for due timers at most [default: 1s].
    #[arg(long)]
    pub scheduler_interval: Option<String>,
    /// A TOML file with any of the settings.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The URL customers and staff use to reach this server (for links).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Where outgoing mail goes (without it, mail waits in the outbox): smtp://host:25,
    /// smtp://user:password@host:587?tls=required (STARTTLS), smtps://user:password@host:465.
    #[arg(long)]
    pub smtp_relay: Option<String>,
    /// A PEM certificate to trust for the relay's TLS (a private CA or self-signed relay).
    #[arg(long)]
    pub smtp_relay_ca_file: Option<PathBuf>,
    /// Take mail in over SMTP on this address, e.g. 127.0.0.1:2525.
    #[arg(long)]
    pub smtp_listen: Option<String>,
    /// The address mail comes from; replies go to its local part + a case token.
    #[arg(long)]
    pub mail_from: Option<String>,
    /// Fill an empty store with the demo organisation and cases first.
    #[arg(long)]
    pub demo: bool,
    /// Do not fsync every commit (faster; a power cut may lose the last moments).
    #[arg(long)]
    pub no_fsync: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a person.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// frontline, staff, manager, executive or admin.
        #[arg(long)]
        role: String,
        /// The email of the person they report to.
        #[arg(long)]
        reports_to: Option<String>,
    },
    /// Set a person's password for the staff pages, read from the first line of standard
    /// input (so it never shows in the process list or the shell history).
    Password {
        #[arg(long)]
        email: String,
    },
    /// Turn off a person's two-step sign-in (a lost phone and lost recovery codes); the
    /// only way for an administrator's, which no other administrator may turn off.
    TwoStepOff {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Print a new API token for a person (the token alone, on stdout).
    Issue {
        #[arg(long)]
        email: String,
    },
}
