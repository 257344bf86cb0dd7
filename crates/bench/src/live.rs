//! Live case pages under load: S staff streams (`/staff/live/cases/{id}`, as open case
//! pages hold them) on one server, spread evenly over K cases, while one client writes a
//! note on one case after another. For each change, how long from sending the note until
//! every stream following that case has its `changed` event; the server's RSS before and
//! with the streams open; and its CPU while they idle (each reads its case's version from
//! the store every 2 s when it has heard nothing).

use crate::client::{percentile, Client};
use crate::server::Server;
use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What a stream heard: its first bytes, or a case's new version.
enum Heard {
    Open,
    Changed {
        case: u64,
        version: u64,
        at: Instant,
    },
}

/// Opens one stream on `case` and reports what it hears until the server goes.
async fn stream(
    server: &Server,
    cookie: &str,
    case: u64,
    to: mpsc::UnboundedSender<Heard>,
) -> Result<()> {
    let tcp = tokio::net::TcpStream::connect(server.addr).await?;
    tcp.set_nodelay(true)?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(tcp)).await?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    let request = hyper::Request::get(format!("/staff/live/cases/{case}"))
        .header("host", server.addr.to_string())
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))?;
    let response = sender
        .send_request(request)
        .await
        .context("ask for the stream")?;
    if response.status() != 200 {
        bail!("stream on case {case} answered {}", response.status());
    }
    let mut body = response.into_body();
    tokio::task::spawn_local(async move {
        let mut buffer = String::new();
        let mut opened = false;
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let at = Instant::now();
            if !opened {
                opened = true;
                let _ = to.send(Heard::Open);
            }
            buffer.push_str(&String::from_utf8_lossy(&data));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if block.starts_with("event: changed\n") {
                    let version = block
                        .lines()
                        .find_map(|l| l.strip_prefix("data: "))
                        .and_then(|v| v.parse().ok());
                    if let Some(version) = version {
                        let _ = to.send(Heard::Changed { case, version, at });
                    }
                }
            }
        }
    });
    Ok(())
}

pub async fn run(server: &Server, streams: usize, cases: u64, changes: u64) -> Result<Value> {
    if cases == 0 || streams == 0 || !(streams as u64).is_multiple_of(cases) {
        bail!("--streams must be a multiple of --cases");
    }
    let per_case = streams as u64 / cases;
    let mut writer = Client::connect(server.addr, &server.frontline_token).await?;
    for n in 0..cases {
        let status = writer
            .post("/api/v1/cases", crate::case_body(n))
            .await
            .context("open a case")?;
        if status != 201 {
            bail!("opening case {n} answered {status}");
        }
    }
    let cookie = crate::pages::sign_in(server).await.context("sign in")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = server.rss_mb()?;

    let (to, mut heard) = mpsc::unbounded_channel();
    let opening = Instant::now();
    for i in 0..streams as u64 {
        stream(server, &cookie, i % cases + 1, to.clone())
            .await
            .with_context(|| format!("stream {i}"))?;
    }
    let mut open = 0;
    while open < streams {
        match tokio::time::timeout(Duration::from_secs(10), heard.recv()).await {
            Ok(Some(Heard::Open)) => open += 1,
            Ok(Some(Heard::Changed { .. })) => {}
            _ => bail!("only {open} of {streams} streams opened"),
        }
    }
    let open_seconds = opening.elapsed().as_secs_f64();
    // Idle: every stream polls its case every 2 s.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_with_streams = server.rss_mb()?;
    let idle_seconds = 10.0;
    let cpu_before = server.cpu_seconds()?;
    tokio::time::sleep(Duration::from_secs_f64(idle_seconds)).await;
    let idle_cpu = (server.cpu_seconds()? - cpu_before) / idle_seconds;

    // One change at a time: a note, then every follower of that case told.
    let mut delivered_us = Vec::with_capacity((changes * per_case) as usize);
    let mut last_us = Vec::with_capacity(changes as usize);
    let mut write_us = Vec::with_capacity(changes as usize);
    // Connected now: the server closes a keep-alive connection idle as long as the above.
    let mut writer = Client::connect(server.addr, &server.frontline_token).await?;
    let started = Instant::now();
    for n in 0..changes {
        let case = n % cases + 1;
        let sent = Instant::now();
        let (status, text) = writer
            .post_json(
                &format!("/api/v1/cases/{case}/notes"),
                json!({"body": format!("Note {n}")}).to_string(),
                &[],
            )
            .await
            .context("write a note")?;
        if status != 200 {
            bail!("note {n} on case {case} answered {status}: {text}");
        }
        write_us.push(sent.elapsed().as_micros() as u32);
        let version = serde_json::from_str::<Value>(&text)?["version"]
            .as_u64()
            .context("a version")?;
        let mut told = 0;
        while told < per_case {
            match tokio::time::timeout(Duration::from_secs(10), heard.recv()).await {
                Ok(Some(Heard::Changed {
                    case: c,
                    version: v,
                    at,
                })) if c == case && v == version => {
                    told += 1;
                    let us = at.duration_since(sent).as_micros() as u32;
                    delivered_us.push(us);
                    if told == per_case {
                        last_us.push(us);
                    }
                }
                Ok(Some(_)) => {}
                _ => bail!("change {n}: only {told} of {per_case} streams were told within 10 s"),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(json!({
        "mode": "live", "streams": streams, "cases": cases, "streams_per_case": per_case,
        "changes": changes, "changes_per_s": (changes as f64 / elapsed).round(),
        "open_seconds": (open_seconds * 100.0).round() / 100.0,
        "write_p50_ms": percentile(&write_us, 0.50), "write_p99_ms": percentile(&write_us, 0.99),
        "delivered_p50_ms": percentile(&delivered_us, 0.50),
        "delivered_p99_ms": percentile(&delivered_us, 0.99),
        "all_told_p99_ms": percentile(&last_us, 0.99),
        "server_rss_before_mb": rss_before, "server_rss_with_streams_mb": rss_with_streams,
        "server_peak_rss_mb": server.peak_rss_mb()?,
        "idle_cpu_cores": (idle_cpu * 1000.0).round() / 1000.0,
        "fsync_every_commit": !server.no_fsync,
    }))
}
