//! The staff pages under load: after loading N cases, a signed-in person's "my cases",
//! a case page and a full-text search, each from C clients for T seconds; p50/p99 each.

use crate::client::{percentile, Client};
use crate::server::Server;
use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};

/// Signs the bench's frontline person in; returns the session cookie (`name=value`).
pub(crate) async fn sign_in(server: &Server) -> Result<String> {
    sign_in_as(server, "front@bench.example", crate::server::PASSWORD).await
}

/// Signs a person in to the staff pages with their password; returns the session cookie.
pub(crate) async fn sign_in_as(server: &Server, email: &str, password: &str) -> Result<String> {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::TokioIo;
    let stream = tokio::net::TcpStream::connect(server.addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    let body = url_form(&[("email", email), ("password", password)]);
    let req = hyper::Request::post("/staff/sign-in")
        .header("host", server.addr.to_string())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))?;
    let resp = sender.send_request(req).await?;
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("roadone_staff="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let status = resp.status();
    resp.into_body().collect().await?;
    cookie.with_context(|| format!("signing in answered {status} without a session"))
}

/// The path of request `n` when `loaded` cases exist.
type PathFor = fn(u64, u64) -> String;

pub async fn run(
    server: &Server,
    loaded: u64,
    clients: usize,
    seconds: u64,
) -> Result<serde_json::Value> {
    let cookie = sign_in(server).await?;
    let mut figures = serde_json::Map::new();
    let pages: [(&str, PathFor); 3] = [
        ("my_cases", |_, _| "/staff/cases".to_string()),
        ("case_page", |n, loaded| {
            format!(
                "/staff/cases/{}",
                (n.wrapping_mul(2_654_435_761) % loaded) + 1
            )
        }),
        // A fact only one case has: what a person types to find "that customer's case".
        ("search", |n, loaded| {
            format!(
                "/staff/cases?q=AC-{}",
                n.wrapping_mul(2_654_435_761) % loaded
            )
        }),
    ];
    for (name, path) in pages {
        let mut conns = Vec::with_capacity(clients);
        for _ in 0..clients {
            conns.push(Client::connect_with_cookie(server.addr, &cookie).await?);
        }
        let started = Instant::now();
        let (latencies, errors) = crate::drive(
            conns,
            started + Duration::from_secs(seconds),
            move |mut c: Client, n| async move {
                let status = c.get(&path(n, loaded)).await?;
                Ok((c, status == 200))
            },
        )
        .await?;
        if errors > 0 {
            bail!("{name}: {errors} requests did not answer 200");
        }
        let elapsed = started.elapsed().as_secs_f64();
        figures.insert(
            name.to_string(),
            serde_json::json!({
                "requests": latencies.len(),
                "per_s": (latencies.len() as f64 / elapsed).round(),
                "p50_ms": percentile(&latencies, 0.50),
                "p99_ms": percentile(&latencies, 0.99),
            }),
        );
    }
    Ok(serde_json::Value::Object(figures))
}

/// `application/x-www-form-urlencoded` of these pairs (also a query string).
pub(crate) fn url_form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
