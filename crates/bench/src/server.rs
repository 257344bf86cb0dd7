//! Starts the real server with a fresh data dir, sets up the people and category the load
//! needs through the binary's own commands and API, and reads its memory from /proc.

use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// How it was started, to start it again after a kill.
    binary: PathBuf,
    serve_args: Vec<String>,
    pub addr: SocketAddr,
    pub frontline_token: String,
    pub no_fsync: bool,
    /// A fresh directory removed afterwards, or none when the server runs on one kept.
    data_dir: Option<tempfile::TempDir>,
    data_path: PathBuf,
}

pub(crate) fn run(binary: &Path, data_dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()?;
    if !out.status.success() {
        bail!(
            "roadone {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// The bench frontline person's password for the staff pages.
pub const PASSWORD: &str = "bench password please";

pub(crate) fn run_with_input(
    binary: &Path,
    data_dir: &Path,
    args: &[&str],
    input: &str,
) -> Result<()> {
    use std::io::Write;
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(format!("{input}\n").as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "roadone {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn spawn(binary: &Path, args: &[String]) -> Result<Child> {
    Ok(Command::new(binary)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    pub async fn start(binary: &Path, no_fsync: bool) -> Result<Server> {
        Self::start_with(binary, no_fsync, &[]).await
    }

    /// Starts the server with extra `serve` arguments.
    pub async fn start_with(binary: &Path, no_fsync: bool, extra: &[String]) -> Result<Server> {
        let data_dir = tempfile::Builder::new()
            .prefix("roadone-bench")
            .tempdir_in(bench_dir()?)?;
        let dir = data_dir.path();
        for (name, email, role, boss) in [
            ("Bench Admin", "admin@bench.example", "admin", None),
            ("Bench Executive", "exec@bench.example", "executive", None),
            (
                "Bench Manager",
                "manager@bench.example",
                "manager",
                Some("exec@bench.example"),
            ),
            (
                "Bench Frontline",
                "front@bench.example",
                "frontline",
                Some("manager@bench.example"),
            ),
        ] {
            let mut args = vec![
                "user", "add", "--name", name, "--email", email, "--role", role,
            ];
            if let Some(b) = boss {
                args.extend(["--reports-to", b]);
            }
            run(binary, dir, &args)?;
        }
        // The frontline person can also sign in to the staff pages.
        run_with_input(
            binary,
            dir,
            &["user", "password", "--email", "front@bench.example"],
            PASSWORD,
        )?;
        let admin_token = run(
            binary,
            dir,
            &["token", "issue", "--email", "admin@bench.example"],
        )?;
        let frontline_token = run(
            binary,
            dir,
            &["token", "issue", "--email", "front@bench.example"],
        )?;
        let port = free_port()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut serve_args = vec![
            "--data-dir".to_string(),
            dir.display().to_string(),
            "serve".into(),
            "--listen".into(),
            addr.to_string(),
        ];
        if no_fsync {
            serve_args.push("--no-fsync".into());
        }
        serve_args.extend(extra.iter().cloned());
        let child = spawn(binary, &serve_args)?;
        let server = Server {
            child,
            binary: binary.to_path_buf(),
            serve_args,
            addr,
            frontline_token,
            no_fsync,
            data_path: dir.to_path_buf(),
            data_dir: Some(data_dir),
        };
        server.wait_ready().await?;
        let status = server.setup_category(&admin_token).await?;
        if status != 201 {
            bail!("creating the category answered {status}");
        }
        Ok(server)
    }

    /// Starts the server on a data directory prepared before (people, categories and
    /// cases already in it), which stays afterwards; `frontline_token` is one issued there.
    pub async fn start_on(
        binary: &Path,
        dir: &Path,
        no_fsync: bool,
        frontline_token: String,
    ) -> Result<Server> {
        let port = free_port()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut serve_args = vec![
            "--data-dir".to_string(),
            dir.display().to_string(),
            "serve".into(),
            "--listen".into(),
            addr.to_string(),
        ];
        if no_fsync {
            serve_args.push("--no-fsync".into());
        }
        let child = spawn(binary, &serve_args)?;
        let server = Server {
            child,
            binary: binary.to_path_buf(),
            serve_args,
            addr,
            frontline_token,
            no_fsync,
            data_dir: None,
            data_path: dir.to_path_buf(),
        };
        server.wait_ready().await?;
        Ok(server)
    }

    /// `kill -9`, then the same server started again; returns how long until it listens.
    pub async fn kill_and_restart(&mut self) -> Result<Duration> {
        self.child.kill()?;
        self.child.wait()?;
        let started = Instant::now();
        self.child = spawn(&self.binary, &self.serve_args)?;
        self.wait_ready().await?;
        Ok(started.elapsed())
    }

    async fn wait_ready(&self) -> Result<()> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not start listening on {}", self.addr)
    }

    async fn setup_category(&self, admin_token: &str) -> Result<u16> {
        let mut c = crate::client::Client::connect(self.addr, admin_token).await?;
        // Manager and executive ids follow the insertion order above.
        let body = serde_json::json!({
            "key": "billing", "name": "Billing",
            "checklist": [{"key": "account_number", "label": "Account number", "required": true}],
            "manager": 3, "executive": 2,
        });
        c.post("/api/v1/categories", body.to_string()).await
    }

    fn status_kb(&self, field: &str) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("read the server's /proc status")?;
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .with_context(|| format!("{field} missing"))?;
        let kb: f64 = line.split_whitespace().nth(1).context("value")?.parse()?;
        Ok(kb)
    }

    pub fn peak_rss_mb(&self) -> Result<f64> {
        Ok((self.status_kb("VmHWM:")? / 1024.0).round())
    }

    pub fn rss_mb(&self) -> Result<f64> {
        Ok((self.status_kb("VmRSS:")? / 1024.0).round())
    }

    /// The CPU time the server has used so far (user and system), in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .context("read the server's /proc stat")?;
        // After the command's name (in parentheses): state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .context("a stat line")?
            .1
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
        let per_second = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(100.0);
        Ok(ticks / per_second)
    }

    pub fn db_size_mb(&self) -> f64 {
        let size: u64 = ["roadone.db", "roadone.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(self.data_path.join(f)).ok())
            .map(|m| m.len())
            .sum();
        (size as f64 / 1_048_576.0).round()
    }

    pub fn stop(self) {}

    /// Stops the temporary directory from being removed; returns its path.
    pub fn keep_data(&mut self) -> PathBuf {
        match self.data_dir.take() {
            Some(dir) => dir.keep(),
            None => self.data_path.clone(),
        }
    }
}

/// The server never outlives the bench, whatever way the bench ends.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Data dirs go under target/ so a benchmark measures the project's own disk.
pub fn bench_dir() -> Result<PathBuf> {
    let dir = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("bench-data"))
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// This process's peak resident memory, from /proc (0 where there is none).
pub fn own_peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1024.0).round())
        .unwrap_or(0.0)
}

/// A seeded generator for the bench data (the analytics' own), with a bounded draw.
pub struct Rng(roadone_analytics::stats::Rng);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(roadone_analytics::stats::Rng::new(seed))
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: i64) -> i64 {
        (self.0.next_u64() % n as u64) as i64
    }
}
