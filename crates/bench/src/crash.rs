//! Crash mode: mixed load (cases opened with idempotency keys, staff replies on them)
//! while the server is killed with `kill -9` again and again and started again. Every
//! write that got its 2xx must be there afterwards; a key retried after a kill must give
//! the same case; mail (to a real aiosmtpd, when installed) must all go out, and how much
//! of it twice is counted.

use crate::client::Client;
use crate::server::{Rng, Server};
use anyhow::Result;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Each client's pause after a write is answered: a steady load a team makes, not a
/// flood, so that mail can keep up.
const PACE: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Acknowledged {
    /// Idempotency key → (case id, subject).
    cases: HashMap<String, (i64, String)>,
    /// (case id, message body) of replies answered 200.
    replies: Vec<(i64, String)>,
    /// A key answered with a different case than before.
    key_mismatches: u64,
}

async fn connect(server: &Server) -> Option<Client> {
    Client::connect(server.addr, &server.frontline_token)
        .await
        .ok()
}

/// Opens cases, each key retried (on a new connection) until it is answered.
async fn open_cases(
    server: Rc<RefCell<Option<std::net::SocketAddr>>>,
    token: String,
    acked: Rc<RefCell<Acknowledged>>,
    client_no: usize,
    stop: Rc<RefCell<bool>>,
) {
    let mut n = 0u64;
    while !*stop.borrow() {
        n += 1;
        let key = format!("c{client_no}-{n}");
        let subject = format!("crash case {key}");
        let body =
            json!({"customer": {"email": format!("{key}@crash.example")}, "category": "billing",
            "subject": subject, "facts": {"account_number": "AC-1"}})
            .to_string();
        loop {
            if *stop.borrow() {
                return;
            }
            let Some(addr) = *server.borrow() else { break };
            let answer = match Client::connect(addr, &token).await {
                Ok(mut c) => c
                    .post_json("/api/v1/cases", body.clone(), &[("idempotency-key", &key)])
                    .await
                    .ok(),
                Err(_) => None,
            };
            match answer {
                Some((201 | 200, text)) => {
                    let id = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v["id"].as_i64());
                    if let Some(id) = id {
                        let mut a = acked.borrow_mut();
                        match a.cases.get(&key) {
                            Some((earlier, _)) if *earlier != id => a.key_mismatches += 1,
                            _ => {
                                a.cases.insert(key.clone(), (id, subject.clone()));
                            }
                        }
                    }
                    tokio::time::sleep(PACE).await;
                    break;
                }
                // Killed mid-request, or not listening yet: the same key again.
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
}

async fn reply(addr: std::net::SocketAddr, token: &str, acked: &Rc<RefCell<Acknowledged>>, n: u64) {
    let target = {
        let a = acked.borrow();
        a.cases
            .values()
            .nth((n as usize * 7919) % a.cases.len().max(1))
            .map(|(id, _)| *id)
    };
    let Some(id) = target else {
        tokio::time::sleep(Duration::from_millis(20)).await;
        return;
    };
    let text = format!("reply number {n}");
    let Ok(mut c) = Client::connect(addr, token).await else {
        tokio::time::sleep(Duration::from_millis(20)).await;
        return;
    };
    if let Ok((200, _)) = c
        .post_json(
            &format!("/api/v1/cases/{id}/messages"),
            json!({"body": text}).to_string(),
            &[],
        )
        .await
    {
        acked.borrow_mut().replies.push((id, text));
    }
    tokio::time::sleep(PACE).await;
}

fn aiosmtpd() -> bool {
    Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Message-ID → deliveries, from a maildir.
fn delivered(maildir: &Path) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for sub in ["new", "cur"] {
        for entry in std::fs::read_dir(maildir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let id = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("Message-ID:")
                        .or_else(|| l.strip_prefix("Message-Id:"))
                })
                .unwrap_or("?")
                .trim()
                .to_string();
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    seen
}

pub async fn run(binary: &Path, kills: u32, clients: usize) -> Result<Value> {
    let mail_root = tempfile::tempdir()?;
    let maildir = mail_root.path().join("maildir");
    let relay_port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut sink = if aiosmtpd() {
        Some(
            Command::new("/usr/bin/python3")
                .args([
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    &format!("127.0.0.1:{relay_port}"),
                    "-c",
                    "aiosmtpd.handlers.Mailbox",
                ])
                .arg(&maildir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        )
    } else {
        eprintln!("aiosmtpd is not installed: the crash run measures no mail");
        None
    };
    let extra: Vec<String> = if sink.is_some() {
        vec![
            "--smtp-relay".into(),
            format!("smtp://127.0.0.1:{relay_port}"),
            "--scheduler-interval".into(),
            "200ms".into(),
        ]
    } else {
        Vec::new()
    };
    let mut server = Server::start_with(binary, false, &extra).await?;
    let token = server.frontline_token.clone();
    let addr = Rc::new(RefCell::new(Some(server.addr)));
    let acked = Rc::new(RefCell::new(Acknowledged::default()));
    let stop = Rc::new(RefCell::new(false));
    let mut tasks = Vec::new();
    for c in 0..clients {
        tasks.push(tokio::task::spawn_local(open_cases(
            addr.clone(),
            token.clone(),
            acked.clone(),
            c,
            stop.clone(),
        )));
    }
    for r in 0..clients / 2 {
        let (addr, acked, stop, token) = (addr.clone(), acked.clone(), stop.clone(), token.clone());
        tasks.push(tokio::task::spawn_local(async move {
            let mut n = r as u64 * 1_000_000;
            while !*stop.borrow() {
                n += 1;
                let Some(a) = *addr.borrow() else { break };
                reply(a, &token, &acked, n).await;
            }
        }));
    }
    let mut rng = Rng::new(20261201);
    let mut recoveries = Vec::new();
    let started = Instant::now();
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(300 + rng.below(700) as u64)).await;
        recoveries.push(server.kill_and_restart().await?.as_secs_f64());
    }
    let after_last = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    *stop.borrow_mut() = true;
    for t in tasks {
        let _ = t.await;
    }
    let load_seconds = started.elapsed().as_secs_f64();

    // Every acknowledged write, read back from the restarted server.
    let acked = std::mem::take(&mut *acked.borrow_mut());
    let mut reader = connect(&server)
        .await
        .expect("the server answers after the run");
    let mut lost_cases = 0u64;
    let mut events_of: HashMap<i64, String> = HashMap::new();
    for (id, subject) in acked.cases.values() {
        let (status, text) = reader.get_text(&format!("/api/v1/cases/{id}")).await?;
        let case: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != 200 || case["subject"] != subject.as_str() {
            lost_cases += 1;
        }
        events_of.insert(*id, text);
    }
    let lost_replies = acked
        .replies
        .iter()
        .filter(|(id, body)| !events_of.get(id).is_some_and(|t| t.contains(body.as_str())))
        .count();
    // Mail: wait (at most 120 s) until every acknowledgment and reply went out.
    let (mut mail_seconds, mut deliveries) = (Value::Null, HashMap::new());
    if sink.is_some() {
        let wanted = acked.cases.len();
        while after_last.elapsed() < Duration::from_secs(120) {
            deliveries = delivered(&maildir);
            let acks = deliveries.len();
            if acks >= wanted + acked.replies.len() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        mail_seconds = json!((after_last.elapsed().as_secs_f64() * 10.0).round() / 10.0);
    }
    if let Some(s) = sink.as_mut() {
        let _ = s.kill();
        let _ = s.wait();
    }
    recoveries.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        recoveries
            .get(((recoveries.len() as f64 * q) as usize).min(recoveries.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    Ok(json!({
        "mode": "crash", "kills": kills, "clients": clients, "load_seconds": load_seconds.round(),
        "acknowledged_cases": acked.cases.len(), "acknowledged_replies": acked.replies.len(),
        "lost_cases": lost_cases, "lost_replies": lost_replies,
        "idempotency_key_mismatches": acked.key_mismatches,
        "recovery_p50_s": (at(0.5) * 1000.0).round() / 1000.0, "recovery_max_s": (at(1.0) * 1000.0).round() / 1000.0,
        "mail_messages": deliveries.len(),
        "mail_duplicates": deliveries.values().map(|n| n.saturating_sub(1)).sum::<usize>(),
        "mail_all_out_after_last_restart_s": mail_seconds,
    }))
}
