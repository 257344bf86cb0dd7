//! Inbound mail over SMTP: S senders, each a real SMTP client (lettre) opening a new
//! connection per message as most MTAs do, send a message with a 100 KB PDF attached.
//! Every message opens a case with the attachment stored and fsynced before the 250.

use crate::client::percentile;
use anyhow::Result;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::json;
use std::time::{Duration, Instant};

pub async fn run(
    server: &crate::server::Server,
    port: u16,
    senders: usize,
    seconds: u64,
) -> Result<serde_json::Value> {
    let _ = server;
    // 100 KB that is a PDF by its first bytes; each message's differs so none is deduplicated.
    let pdf_base: Vec<u8> = b"%PDF-1.4\n"
        .iter()
        .copied()
        .chain((0..102_400u32).map(|i| (i * 31 % 251) as u8))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..senders {
        let pdf_base = pdf_base.clone();
        tasks.push(tokio::task::spawn_local(async move {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(port)
                .build();
            let (mut latencies, mut errors, mut n) = (Vec::new(), 0u64, 0u64);
            while Instant::now() < deadline {
                n += 1;
                let mut pdf = pdf_base.clone();
                pdf.extend_from_slice(format!("{s}-{n}").as_bytes());
                let message = Message::builder()
                    .from(format!("sender{s}.{n}@bench.example").parse()?)
                    .to("support@roadone.local".parse()?)
                    .subject(format!("Statement {s}-{n}"))
                    .multipart(
                        MultiPart::mixed()
                            .singlepart(SinglePart::plain("My statement is attached.".to_string()))
                            .singlepart(
                                Attachment::new("statement.pdf".into())
                                    .body(pdf, "application/pdf".parse()?),
                            ),
                    )?;
                let t = Instant::now();
                match transport.send(message).await {
                    Ok(_) => latencies.push(t.elapsed().as_micros() as u32),
                    Err(_) => errors += 1,
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(json!({
        "mode": "smtp", "senders": senders, "seconds": seconds, "attachment_kb": 100,
        "messages": latencies.len(), "errors": errors,
        "messages_per_s": (latencies.len() as f64 / elapsed).round(),
        "p50_ms": percentile(&latencies, 0.50), "p99_ms": percentile(&latencies, 0.99),
        "server_peak_rss_mb": server_peak(server),
    }))
}

fn server_peak(server: &crate::server::Server) -> f64 {
    server.peak_rss_mb().unwrap_or(-1.0)
}
