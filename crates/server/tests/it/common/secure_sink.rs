//! A real SMTP relay that insists on TLS and a login: aiosmtpd with STARTTLS (or TLS
//! from the first byte) and AUTH, with a certificate from a throwaway CA made by the
//! `openssl` command. Skips loudly when aiosmtpd or openssl is missing, unless
//! `ROADONE_TEST_REQUIRE_ALL=1`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub struct SecureSink {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

pub const USER: &str = "roadone@example.com";
pub const PASSWORD: &str = "s3cret:with@signs";

const SERVER: &str = r#"
import ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

port, maildir, cert, key, user, password, mode = sys.argv[1:]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
    return AuthResult(success=ok, handled=False)

options = dict(auth_required=True, authenticator=authenticate)
if mode == "starttls":
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port),
                            tls_context=context, require_starttls=True, auth_require_tls=True, **options)
else:
    # The whole connection is TLS; aiosmtpd only counts STARTTLS as "TLS" for AUTH.
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port),
                            ssl_context=context, server_hostname="127.0.0.1", auth_require_tls=False, **options)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

fn skip(message: &str) -> Option<SecureSink> {
    if std::env::var("ROADONE_TEST_REQUIRE_ALL").as_deref() == Ok("1") {
        panic!("{message}, but ROADONE_TEST_REQUIRE_ALL=1");
    }
    eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
    None
}

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A CA and a certificate for 127.0.0.1 signed by it (a self-signed leaf is not a valid
/// end-entity certificate for rustls).
fn certificates(dir: &Path) -> bool {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca: Vec<&str> = ["req", "-x509"]
        .into_iter()
        .chain(ec)
        .chain([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Roadone test CA",
        ])
        .collect();
    let leaf: Vec<&str> = ["req", "-x509"]
        .into_iter()
        .chain(ec)
        .chain([
            "-keyout",
            "relay.key",
            "-out",
            "relay.pem",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .collect();
    openssl(dir, &ca) && openssl(dir, &leaf)
}

impl SecureSink {
    /// `starttls`: plain connection upgraded by STARTTLS; otherwise TLS from the start.
    pub fn start(starttls: bool) -> Option<SecureSink> {
        let has_aiosmtpd = Command::new("/usr/bin/python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has_aiosmtpd {
            return skip("aiosmtpd is not installed (apt-get install python3-aiosmtpd): SKIPPING a TLS mail test");
        }
        let dir = tempfile::tempdir().unwrap();
        if !certificates(dir.path()) {
            return skip("openssl could not make test certificates (apt-get install openssl): SKIPPING a TLS mail test");
        }
        std::fs::write(dir.path().join("relay.py"), SERVER).unwrap();
        let port = crate::common::smtp_sink::free_port();
        let child = Command::new("/usr/bin/python3")
            .current_dir(dir.path())
            .arg("relay.py")
            .arg(port.to_string())
            .arg(dir.path().join("mail"))
            .args(["relay.pem", "relay.key", USER, PASSWORD])
            .arg(if starttls { "starttls" } else { "tls" })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the TLS relay");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the TLS relay did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(SecureSink { child, port, dir })
    }

    /// The CA that signed the relay's certificate (PEM), for `smtp_relay_ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail").join(sub)) {
                for entry in entries.flatten() {
                    out.push(std::fs::read_to_string(entry.path()).unwrap());
                }
            }
        }
        out
    }

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

impl Drop for SecureSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
