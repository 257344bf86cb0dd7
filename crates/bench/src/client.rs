//! One keep-alive HTTP/1.1 connection, as a real client would hold it.

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;

pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    /// The credential header sent with every request.
    auth: (&'static str, String),
    host: String,
}

impl Client {
    pub async fn connect(addr: SocketAddr, token: &str) -> Result<Client> {
        Self::connect_with(addr, ("authorization", format!("Bearer {token}"))).await
    }

    /// A browser's connection: its session cookie instead of a token.
    pub async fn connect_with_cookie(addr: SocketAddr, cookie: &str) -> Result<Client> {
        Self::connect_with(addr, ("cookie", cookie.to_string())).await
    }

    async fn connect_with(addr: SocketAddr, auth: (&'static str, String)) -> Result<Client> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .context("connect to the server")?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::task::spawn_local(async move {
            let _ = conn.await;
        });
        Ok(Client {
            sender,
            auth,
            host: addr.to_string(),
        })
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<u16> {
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let status = resp.status().as_u16();
        resp.into_body().collect().await?;
        Ok(status)
    }

    pub async fn post(&mut self, path: &str, body: String) -> Result<u16> {
        let req = Request::post(path)
            .header("host", &self.host)
            .header(self.auth.0, &self.auth.1)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))?;
        self.send(req).await
    }

    /// A POST of JSON with extra headers whose answer is wanted: status and text.
    pub async fn post_json(
        &mut self,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> Result<(u16, String)> {
        let mut req = Request::post(path)
            .header("host", &self.host)
            .header(self.auth.0, &self.auth.1)
            .header("content-type", "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.sender.ready().await?;
        let resp = self
            .sender
            .send_request(req.body(Full::new(Bytes::from(body)))?)
            .await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// A GET whose body is wanted: status and text.
    pub async fn get_text(&mut self, path: &str) -> Result<(u16, String)> {
        let req = Request::get(path)
            .header("host", &self.host)
            .header(self.auth.0, &self.auth.1)
            .body(Full::new(Bytes::new()))?;
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    pub async fn get(&mut self, path: &str) -> Result<u16> {
        let req = Request::get(path)
            .header("host", &self.host)
            .header(self.auth.0, &self.auth.1)
            .body(Full::new(Bytes::new()))?;
        self.send(req).await
    }
}

/// The latency at quantile `q`, in milliseconds with two decimals.
pub fn percentile(latencies_us: &[u32], q: f64) -> f64 {
    if latencies_us.is_empty() {
        return 0.0;
    }
    let mut sorted = latencies_us.to_vec();
    sorted.sort_unstable();
    let index = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    (sorted[index] as f64 / 10.0).round() / 100.0
}
