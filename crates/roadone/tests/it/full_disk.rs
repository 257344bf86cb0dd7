//! A full disk, for real: the data directory and the server's log on a small tmpfs the
//! test mounts, filled to the last byte. Writes are refused with 507 (never a 500, never
//! a dropped connection), uploads leave no temporary file, the process stays up though
//! it cannot write its log, and writing resumes by itself once space returns.
//! Mounting needs root; where the test cannot mount, it says so loudly and skips.

use crate::common;

use common::{billing, free_port, people, wait_ready, BIN};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount_tmpfs(at: &Path, size: &str) -> Option<Mount> {
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(at.to_path_buf()))
}

/// Starts `roadone serve` on `data` with `args`, its standard error to `stderr`, and
/// adds the billing category: the server, its base URL, a client and the admin token.
async fn start(
    data: &Path,
    domain: &str,
    args: &[&str],
    stderr: std::fs::File,
) -> (Child, String, reqwest::Client, String) {
    let token = people(data, domain).admin;
    let port = free_port();
    let server = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;
    billing(&client, &base, &token).await;
    (server, base, client, token)
}

/// Fills the filesystem of `dir` until a write fails for want of space.
fn fill(dir: &Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    // The last few bytes, in small writes.
    while f.write_all(&[0u8; 512]).is_ok() {}
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_refused_clearly_and_writing_resumes_without_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let Some(_mount) = mount_tmpfs(root.path(), "40m") else {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run"
        );
        return;
    };
    let data = root.path().join("data");
    let config = root.path().join("roadone.toml");
    std::fs::write(&config, "disk_free_floor_mb = 1\n").unwrap();
    let log = std::fs::File::create(root.path().join("server.log")).unwrap();
    let config = config.to_string_lossy().into_owned();
    let (mut server, base, client, token) =
        start(&data, "disk.test", &["--config", &config], log).await;
    let open = |n: u32| {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        async move {
            client
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth(&token)
                .json(&json!({
                    "customer": {"email": format!("c{n}@disk.test")},
                    "category": "billing",
                    "subject": format!("case {n}"),
                    "body": "x".repeat(20_000),
                }))
                .send()
                .await
        }
    };
    assert_eq!(open(0).await.unwrap().status(), 201);

    let filler = fill(root.path());
    // The WAL may reuse space it already has for a while; then every write is refused.
    let mut statuses = Vec::new();
    for n in 1..400 {
        let status = open(n)
            .await
            .expect("the server answers while the disk is full")
            .status();
        statuses.push(status.as_u16());
        if status == 507 {
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&507),
        "writes must end in 507: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 507),
        "{statuses:?}"
    );
    let refused = open(1000).await.unwrap();
    assert_eq!(refused.status(), 507);
    assert!(refused.headers().contains_key("retry-after"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "disk_full");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disk is full"),
        "{body}"
    );

    // An upload on a full disk: 507 and nothing left in the attachments directory.
    let form = reqwest::multipart::Form::new()
        .text("body", "here is the photo")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![7u8; 200_000]).file_name("photo.jpg"),
        );
    let upload = client
        .post(format!("{base}/api/v1/cases/1/notes"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 507, "{}", upload.text().await.unwrap());
    let leftovers: Vec<_> = walk(&data.join("attachments"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "a full disk is not ready");
    assert!(client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());

    // Space comes back: writing resumes on its own.
    std::fs::remove_file(&filler).unwrap();
    let resumed = Instant::now();
    loop {
        let status = open(2000).await.unwrap().status();
        if status == 201 {
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(10),
            "still {status} 10 s after space returned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready_again = Instant::now();
    while client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .unwrap()
        .status()
        != 200
    {
        assert!(
            ready_again.elapsed() < Duration::from_secs(15),
            "not ready 15 s after space returned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        server.try_wait().unwrap().is_none(),
        "the server is still running"
    );
    server.kill().unwrap();
    let _ = server.wait();
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

/// Standard error that cannot be written (`/dev/full`): before, the first log line that
/// failed panicked whichever thread wrote it, and the SQLite writer died with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_cannot_be_written_never_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    // A relay nobody listens on: the mail sender logs a failure at every attempt.
    let (mut server, base, client, token) = start(
        &data,
        "log.test",
        &["--smtp-relay", "smtp://127.0.0.1:9"],
        full,
    )
    .await;
    for n in 0..20 {
        let r = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&json!({"customer": {"email": format!("c{n}@log.test")}, "category": "billing", "subject": "logged"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "write {n} while the log fails");
    }
    // Let the mail sender fail (and log) a few times.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    let readiness: serde_json::Value = ready.json().await.unwrap();
    for part in ["sqlite_writer", "mail_sender", "scheduler", "heartbeat"] {
        let check = readiness["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == part)
            .unwrap();
        assert_eq!(check["ok"], true, "{part}: {check}");
        assert!(
            check["detail"].as_str().unwrap().starts_with("running"),
            "{check}"
        );
    }
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dropped: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("roadone_log_lines_dropped_total "))
        .and_then(|v| v.parse().ok())
        .expect("the dropped-line counter");
    assert!(
        dropped > 0,
        "the lines that could not be written are counted"
    );
    assert!(metrics.contains("roadone_component_restarts_total{component=\"sqlite_writer\"} 0"));
    assert!(
        server.try_wait().unwrap().is_none(),
        "the server is still running"
    );
    server.kill().unwrap();
    let _ = server.wait();
}
