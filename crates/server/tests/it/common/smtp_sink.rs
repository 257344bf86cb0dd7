//! A real SMTP server as the mail sink: Python's aiosmtpd (Debian `python3-aiosmtpd`),
//! writing every message it accepts into a maildir. When it is not installed the test
//! skips loudly, unless `ROADONE_TEST_REQUIRE_ALL=1` (as in CI), where it fails.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const PYTHON: &str = "/usr/bin/python3";

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    maildir: TempDir,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn available() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SmtpSink {
    /// A sink on a free port, or `None` (with a loud message) when aiosmtpd is missing.
    pub fn start() -> Option<SmtpSink> {
        Self::start_on(free_port())
    }

    pub fn start_on(port: u16) -> Option<SmtpSink> {
        Self::start_with(port, None)
    }

    /// A server that refuses every recipient for good (550), as a real relay does for an
    /// address that does not exist.
    pub fn start_refusing() -> Option<SmtpSink> {
        let handler = "class Refuse:\n    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):\n        return '550 5.1.1 No such user here'\n";
        Self::start_with(free_port(), Some(handler))
    }

    fn start_with(port: u16, refusing: Option<&str>) -> Option<SmtpSink> {
        if !available() {
            let message = "aiosmtpd is not installed (apt-get install python3-aiosmtpd): SKIPPING a mail test";
            if std::env::var("ROADONE_TEST_REQUIRE_ALL").as_deref() == Ok("1") {
                panic!("{message}, but ROADONE_TEST_REQUIRE_ALL=1");
            }
            eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
            return None;
        }
        let maildir = tempfile::tempdir().unwrap();
        let mut command = Command::new(PYTHON);
        command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
        match refusing {
            Some(code) => {
                std::fs::write(maildir.path().join("refuse.py"), code).unwrap();
                command
                    .env("PYTHONPATH", maildir.path())
                    .args(["-c", "refuse.Refuse"]);
            }
            None => {
                command
                    .args(["-c", "aiosmtpd.handlers.Mailbox"])
                    .arg(maildir.path().join("mail"));
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let sink = SmtpSink {
            child,
            port,
            maildir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(sink)
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(sub)) {
                for entry in entries.flatten() {
                    out.push(std::fs::read_to_string(entry.path()).unwrap());
                }
            }
        }
        out
    }

    /// Waits until at least `n` messages arrived (the sink writes them asynchronously).
    pub fn wait_for(&self, n: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n || started.elapsed() > Duration::from_secs(10) {
                return m;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl SmtpSink {
    /// Every message the sink accepted before this call. A marker message is sent through
    /// it and waited for: once the marker is in the maildir, everything accepted earlier
    /// is too, so an absence checked on the result is an absence (the marker is left out).
    pub async fn settled(&self) -> Vec<String> {
        use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
        let marker = format!("settled-{}", rand::random::<u64>());
        let message = lettre::Message::builder()
            .from("marker@sink.test".parse().unwrap())
            .to("marker@sink.test".parse().unwrap())
            .subject(&marker)
            .body(String::from("a marker"))
            .unwrap();
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(self.port)
            .build()
            .send(message)
            .await
            .expect("the sink accepts the marker");
        let started = Instant::now();
        loop {
            let all = self.messages();
            if all.iter().any(|m| m.contains(&marker)) {
                return all.into_iter().filter(|m| !m.contains(&marker)).collect();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the sink never stored the marker"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header in a raw message (first occurrence, unfolded).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw
        .split("\n\n")
        .next()
        .unwrap_or(raw)
        .replace("\r\n", "\n");
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// The body of a raw message as text, with quoted-printable undone.
pub fn body(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or(("", &raw));
    let quoted = header(head, "Content-Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("quoted-printable"));
    if !quoted {
        return body.to_string();
    }
    let bytes = body.replace("=\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            ) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The links below `base` + `path` (a single-use link's path and secret) in the messages
/// to `email`, as paths (`path` + secret), in the order given.
pub fn links_in(messages: &[String], email: &str, base: &str, path: &str) -> Vec<String> {
    let prefix = format!("{base}{path}");
    messages
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains(email)))
        .filter_map(|m| {
            let text = body(m);
            let i = text.find(&prefix)?;
            let secret: String = text[i + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            Some(format!("{path}{secret}"))
        })
        .collect()
}
