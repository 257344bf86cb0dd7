//! A browser for the server-rendered pages: it does not follow redirects, and it keeps one
//! session cookie by hand (the workspace's reqwest has no cookie store). The portal and
//! the staff pages each name their cookie.

use super::html::unescape;
use super::TestApp;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::multipart::Form;
use reqwest::{Method, RequestBuilder, StatusCode};

/// What the browser got back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub bytes: Vec<u8>,
    cookie_name: &'static str,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Where a redirect points.
    pub fn location(&self) -> String {
        self.header("location")
            .unwrap_or_else(|| panic!("a redirect, got {}: {}", self.status, self.text))
    }

    /// The whole `Set-Cookie` header for the session cookie, if this response sets it.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with(&format!("{}=", self.cookie_name)))
            .map(str::to_string)
            .next_back()
    }

    /// The session cookie's value this response sets: `Some("")` when it clears it.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie().map(|set| {
            set[self.cookie_name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or_default()
                .to_string()
        })
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type")
            .is_some_and(|v| v.starts_with("text/html"))
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(page: &Page) -> String {
    let marker = "name=\"csrf\" value=\"";
    let i = page
        .text
        .find(marker)
        .unwrap_or_else(|| panic!("a signed-in page carries a CSRF token: {}", page.text));
    let value = &page.text[i + marker.len()..];
    unescape(&value[..value.find('"').expect("a closed attribute")])
}

pub struct Browser {
    client: reqwest::Client,
    base: String,
    cookie_name: &'static str,
    /// The session cookie's value, if the server set one.
    pub cookie: Option<String>,
}

impl Browser {
    /// A browser keeping the cookie `cookie_name`, carrying `cookie` to begin with (a
    /// copied, stolen or planted one) or none.
    pub fn keeping(app: &TestApp, cookie_name: &'static str, cookie: Option<String>) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            base: app.url.clone(),
            cookie_name,
            cookie,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            request = request.header(COOKIE, format!("{}={c}", self.cookie_name));
        }
        request
    }

    pub async fn send(&mut self, request: RequestBuilder) -> Page {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body").to_vec();
        let page = Page {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
            cookie_name: self.cookie_name,
        };
        if let Some(value) = page.session_cookie() {
            self.cookie = (!value.is_empty()).then_some(value);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.request(Method::GET, path);
        self.send(request).await
    }

    /// A form without files (`application/x-www-form-urlencoded`).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.request(Method::POST, path).form(fields);
        self.send(request).await
    }

    /// A form with files (`multipart/form-data`).
    pub async fn post_multipart(&mut self, path: &str, form: Form) -> Page {
        let request = self.request(Method::POST, path).multipart(form);
        self.send(request).await
    }
}
