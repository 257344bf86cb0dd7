//! `roadone`: the one binary. Serves the API and scheduler, loads demo data, manages
//! people and tokens, migrates and backs up the store.

mod cli;
mod demo;
mod import;
mod import_cdr;
mod report;
mod report_experiment;
mod store;
mod terminal;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{Cli, Cmd, ImportCmd, ReportCmd, TokenCmd, UserCmd};
use roadone_domain::Role;
use roadone_server::error::AppError;
use roadone_server::people::PersonForm;
use roadone_server::{App, AppState, Config};

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    roadone_server::logging::init("info,roadone=info");
    if let Err(e) = run(cli).await {
        roadone_server::logging::say(format_args!("error: {e:#}"));
        std::process::exit(1);
    }
}

fn config_for(cli: &Cli) -> Config {
    Config {
        data_dir: cli.data_dir.clone(),
        ..Config::default()
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Cmd::Serve(args) => serve(&cli, args).await,
        Cmd::Demo => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            let report = demo::load(&state).await?;
            println!("{}", report.summary());
            print_logins(&state, &report).await
        }
        Cmd::User(UserCmd::Add {
            name,
            email,
            role,
            reports_to,
        }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let reports_to = match reports_to {
                None => None,
                Some(boss) => Some(
                    state
                        .person_by_email(boss)
                        .await?
                        .with_context(|| format!("--reports-to: nobody has the email {boss}"))?
                        .id,
                ),
            };
            let person = state
                .add_person(PersonForm {
                    name: name.clone(),
                    email: email.clone(),
                    role: role.to_string(),
                    reports_to,
                })
                .await
                .map_err(|e| match e {
                    // "email: … is not an email address" names the option it came from.
                    AppError::Invalid { message, .. } => anyhow::anyhow!("--{message}"),
                    other => other.into(),
                })?;
            println!(
                "added person {} ({}, {})",
                person.id, person.email, person.role
            );
            Ok(())
        }
        Cmd::User(UserCmd::Password { email }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            let person = state
                .person_by_email(email)
                .await?
                .with_context(|| format!("--email: nobody has the email {email}"))?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the new password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            state.set_password(person.id, password).await?;
            println!(
                "password set for {}; their sessions have ended",
                person.email
            );
            Ok(())
        }
        Cmd::User(UserCmd::TwoStepOff { email }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            let person = state
                .person_by_email(email)
                .await?
                .with_context(|| format!("--email: nobody has the email {email}"))?;
            if state
                .turn_off_second_factor_on_the_server(person.id)
                .await?
            {
                println!(
                    "two-step sign-in is off for {}: their password alone signs them in",
                    person.email
                );
            } else {
                println!("{} had no two-step sign-in", person.email);
            }
            Ok(())
        }
        Cmd::Token(TokenCmd::Issue { email }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            let person = state
                .person_by_email(email)
                .await?
                .with_context(|| format!("--email: nobody has the email {email}"))?;
            if !person.active {
                bail!("{email} is deactivated");
            }
            let token = state
                .issue_token(person.id, "issued on the command line")
                .await?;
            println!("{token}");
            Ok(())
        }
        Cmd::Report(ReportCmd::Trail {
            month,
            sort,
            format,
        }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report::trail(&state, month, sort, format).await
        }
        Cmd::Report(ReportCmd::CustomerMath {
            window_days,
            currency,
            format,
        }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report::customer_math(&state, *window_days, currency.clone(), format).await
        }
        Cmd::Report(ReportCmd::Delight { month, format }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report::delight(&state, month, format).await
        }
        Cmd::Report(ReportCmd::Calls { month, format }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report::calls(&state, month, format).await
        }
        Cmd::Report(ReportCmd::Experiment { key, format }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report_experiment::experiment(&state, key, format).await
        }
        Cmd::Report(ReportCmd::Roads { from, to, format }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            report::roads(&state, from, to, format).await
        }
        Cmd::Import(ImportCmd::Orders { file }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            import::orders(&state, file).await
        }
        Cmd::Import(ImportCmd::Cdr {
            file,
            format,
            columns,
            timezone,
        }) => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            import_cdr::cdr(
                &state,
                file,
                format,
                columns.as_deref(),
                timezone.as_deref(),
            )
            .await
        }
        Cmd::Migrate => {
            let path = config_for(&cli).database_path();
            let ran = roadone_sqlite::SqliteStore::migrate_only(&path)?;
            println!(
                "{}: {ran} migration(s) applied, schema version {}",
                path.display(),
                roadone_sqlite::migrations::latest_version()
            );
            Ok(())
        }
        Cmd::Backup { file } => {
            let state = crate::store::build_state(config_for(&cli)).await?;
            state.backup(file).await?;
            println!("backed up to {}", file.display());
            Ok(())
        }
    }
}

async fn serve(cli: &Cli, args: &cli::ServeArgs) -> Result<()> {
    let mut config = config_for(cli);
    if let Some(path) = &args.config {
        config.apply_file(path)?;
    }
    if let Some(listen) = &args.listen {
        config.set_listen(listen)?;
    }
    if let Some(v) = &args.escalate_after {
        config.escalate_after = roadone_server::config::parse_duration("--escalate-after", v)?;
    }
    if let Some(v) = &args.tickle_after {
        config.tickle_after = roadone_server::config::parse_duration("--tickle-after", v)?;
    }
    if let Some(v) = &args.scheduler_interval {
        config.scheduler_interval =
            roadone_server::config::parse_duration("--scheduler-interval", v)?;
    }
    if let Some(v) = &args.smtp_relay {
        config.smtp_relay = Some(v.clone());
    }
    if let Some(v) = &args.smtp_relay_ca_file {
        config.smtp_relay_ca_file = Some(v.clone());
    }
    if let Some(v) = &args.smtp_listen {
        config.set_smtp_listen(v)?;
    }
    if let Some(v) = &args.mail_from {
        config.mail_from = v.clone();
    }
    if args.no_fsync {
        config.fsync_every_commit = false;
    }
    config.validate()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    config.public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let state = crate::store::build_state(config).await?;

    if args.demo {
        if state.people().await?.is_empty() {
            let report = demo::load(&state).await?;
            println!("{}", report.summary());
        } else {
            println!("demo: the data directory already has data; leaving it as it is");
        }
        print_logins(&state, &demo::DemoReport::default()).await?;
    } else if let Some((admin, token)) = state.bootstrap_admin().await? {
        println!(
            "first start: created the administrator {} — API token (shown once):\n  {token}",
            admin.email
        );
    }

    let stop = shutdown_signal()?;
    let app = App::start(state, listener, true).await?;
    println!(
        "Roadone is serving on {}  (API: {0}/api/v1, OpenAPI: {0}/api/openapi.json)",
        app.url()
    );
    println!(
        "try:  curl -H 'Authorization: Bearer <token>' '{}/api/v1/cases?owner=me&state=open'",
        app.url()
    );
    println!(
        "customers: write in at {0}/contact, follow their cases at {0}/portal",
        app.url()
    );
    match &app.state.config().smtp_relay {
        Some(relay) => println!(
            "mail: from {} through {}",
            app.state.config().mail_from,
            roadone_server::mail::relay::redact(relay)
        ),
        None => println!("mail: no --smtp-relay set, so notifications wait in the outbox"),
    }
    if let Some(addr) = app.state.config().smtp_listen {
        println!(
            "mail in: SMTP on {addr} for @{}",
            app.state
                .config()
                .mail_from
                .rsplit('@')
                .next()
                .unwrap_or_default()
        );
    }
    println!(
        "escalate_after={}, tickle_after={}; data in {}",
        humantime::format_duration(app.state.config().escalate_after),
        humantime::format_duration(app.state.config().tickle_after),
        app.state.config().data_dir.display()
    );
    stop.await;
    eprintln!("stopping: finishing requests in flight");
    app.stop().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM from a service manager: both stop the server gracefully.
/// The handlers are installed when this is called, not when it is first awaited: a
/// SIGTERM that comes right after "serving on" is printed must stop the server gracefully,
/// not kill it.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Issues fresh tokens for one person of each role so the demo can be used at once, says
/// what each of them will find, and prints the link of the invitation waiting.
async fn print_logins(state: &AppState, report: &demo::DemoReport) -> Result<()> {
    let people = state.people().await?;
    println!("logins (fresh API tokens; use as Authorization: Bearer <token>):");
    for role in [
        Role::Admin,
        Role::Frontline,
        Role::Staff,
        Role::Manager,
        Role::Executive,
    ] {
        if let Some(login) = demo::login_for(state, &people, role).await? {
            let token = state.issue_token(login.person.id, "demo login").await?;
            let open = match login.open {
                1 => "1 open case".to_string(),
                n => format!("{n} open cases"),
            };
            let what = match role {
                Role::Admin => "keeps the people, categories and rules".to_string(),
                Role::Manager => format!(
                    "manager with a team of {}: can take their {} open cases; owns {open}",
                    login.team, login.team_open
                ),
                Role::Staff => format!(
                    "team lead of {}: owns {open}, can take {} more from the team",
                    login.team, login.team_open
                ),
                _ => format!("owns {open}"),
            };
            println!(
                "  {:<10} {:<36} {token}  ({}: {what})",
                role.as_str(),
                login.person.email,
                login.person.name
            );
        }
    }
    println!(
        "staff pages: {}/staff, each of these emails with the password {}",
        state.config().public_url,
        demo::DEMO_PASSWORD
    );
    if let Some(invitation) = demo::waiting_invitation(state, report).await? {
        match invitation.sent {
            roadone_server::accounts::Invitation::NotMailed { link, .. } => println!(
                "an invitation waits for {} ({}), who has no password yet: {link}",
                invitation.name, invitation.email
            ),
            roadone_server::accounts::Invitation::Mailed => println!(
                "an invitation waits for {}: mailed to {}",
                invitation.name, invitation.email
            ),
        }
    }
    Ok(())
}
