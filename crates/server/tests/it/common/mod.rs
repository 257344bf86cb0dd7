//! The test harness shared by the HTTP integration tests: a real server on a free port,
//! on a fresh SQLite data directory, with a fake clock and the scheduler stopped (tests
//! sweep on demand). In the style of crates.io's `TestApp`.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

pub mod browser;
pub mod html;
pub mod inbound;
pub mod secure_sink;
pub mod smtp_sink;
pub mod staff;

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use roadone_domain::{Clock, FakeClock};
use roadone_server::scheduler::{Scheduler, SweepReport};
use roadone_server::{App, AppState, Config};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

/// When every test's clock starts: a Monday morning.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0)
        .single()
        .expect("valid start time")
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

pub fn seconds(s: i64) -> Duration {
    Duration::seconds(s)
}

pub fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

/// A response: its status, headers and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    pub fn is_json(&self) -> bool {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    }
}

/// A person of the fixture organisation with their API token.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub token: String,
}

/// CEO (executive, top) ← VP (executive) ← manager ← lead (staff) ← two frontline.
#[derive(Debug, Clone)]
pub struct Org {
    pub ceo: Member,
    pub vp: Member,
    pub manager: Member,
    pub lead: Member,
    pub front1: Member,
    pub front2: Member,
}

pub struct TestApp {
    app: Option<App>,
    pub state: AppState,
    /// The server's store itself, for tests that stage what no request can (a server
    /// that died holding a claim) or look beneath the services.
    pub store: Arc<dyn roadone_store::Store>,
    pub clock: FakeClock,
    pub admin_token: String,
    pub client: Client,
    pub url: String,
    dir: TempDir,
}

/// A server that was stopped; its data directory and clock live on for a restart.
pub struct Stopped {
    dir: TempDir,
    pub clock: FakeClock,
    admin_token: String,
}

/// The embedded store, opened as the binary opens it.
pub fn open_sqlite(config: &Config) -> Arc<dyn roadone_store::Store> {
    let mut options = roadone_sqlite::SqliteOptions::new(config.database_path());
    options.readers = config.sqlite_readers;
    options.durability = if config.fsync_every_commit {
        roadone_sqlite::Durability::Full
    } else {
        roadone_sqlite::Durability::Normal
    };
    Arc::new(roadone_sqlite::SqliteStore::open(options).expect("open the SQLite store"))
}

async fn start(
    data_dir: &Path,
    clock: &FakeClock,
) -> (App, AppState, Arc<dyn roadone_store::Store>) {
    start_with(data_dir, clock, |_| {}).await
}

async fn start_with(
    data_dir: &Path,
    clock: &FakeClock,
    configure: impl FnOnce(&mut Config),
) -> (App, AppState, Arc<dyn roadone_store::Store>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let addr = listener.local_addr().expect("listener address");
    let mut config = Config {
        data_dir: data_dir.to_path_buf(),
        listen: addr,
        public_url: format!("http://{addr}"),
        ..Config::default()
    };
    configure(&mut config);
    let store = open_sqlite(&config);
    let state = AppState::new(config, store.clone(), Arc::new(clock.clone()))
        .await
        .expect("build the app state");
    let app = App::start(state.clone(), listener, false)
        .await
        .expect("start the server");
    (app, state, store)
}

impl TestApp {
    /// A fresh server on a fresh data directory, with its first admin.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A fresh server whose configuration `configure` changes first (a mail relay, lower
    /// rate limits, …).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp data dir");
        let clock = FakeClock::at(t0());
        let (app, state, store) = start_with(dir.path(), &clock, configure).await;
        let (_, admin_token) = state
            .bootstrap_admin()
            .await
            .expect("bootstrap")
            .expect("an empty store gets an admin");
        TestApp::assemble(app, (state, store), clock, admin_token, dir)
    }

    fn assemble(
        app: App,
        (state, store): (AppState, Arc<dyn roadone_store::Store>),
        clock: FakeClock,
        admin_token: String,
        dir: TempDir,
    ) -> TestApp {
        let url = app.url();
        TestApp {
            app: Some(app),
            state,
            store,
            clock,
            admin_token,
            client: Client::new(),
            url,
            dir,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the server and closes its store, keeping the data directory.
    pub async fn stop(mut self) -> Stopped {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
        let TestApp {
            state,
            store,
            clock,
            admin_token,
            dir,
            ..
        } = self;
        drop((state, store));
        Stopped {
            dir,
            clock,
            admin_token,
        }
    }

    /// A second, independent server (own store handle, own caches) on the same data
    /// directory and clock: what "several servers running" looks like.
    pub async fn second_server(&self) -> (App, AppState) {
        let (app, state, _) = start(self.dir.path(), &self.clock).await;
        (app, state)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Sets the clock to `t0() + offset`.
    pub fn set_clock(&self, offset: Duration) {
        self.clock.set(t0() + offset);
    }

    /// One scheduler pass, as the running scheduler would do it.
    pub async fn sweep(&self) -> SweepReport {
        Scheduler::new(self.state.clone())
            .sweep()
            .await
            .expect("sweep")
    }

    // --- HTTP ----------------------------------------------------------------------

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{}", self.url, path))
    }

    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn send(&self, request: RequestBuilder) -> Resp {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            body,
        }
    }

    /// A GET whose body is bytes, not JSON: status, headers, body.
    pub async fn client_get_raw(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (u16, HeaderMap, Vec<u8>) {
        let mut request = self.request(Method::GET, path);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (
            status,
            headers,
            response.bytes().await.expect("a body").to_vec(),
        )
    }

    pub async fn get(&self, token: &str, path: &str) -> Resp {
        self.send(self.authed(Method::GET, path, token)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Resp {
        self.send(self.authed(Method::POST, path, token).json(body))
            .await
    }

    // --- fixtures --------------------------------------------------------------------

    /// Adds a person through the API (as the admin) and issues them a token.
    pub async fn person(&self, name: &str, role: &str, reports_to: Option<i64>) -> Member {
        // Names may be anything (a formula, for the CSV tests); the address only its letters.
        let local: String = name
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('.'),
                c if c.is_alphanumeric() => Some(c),
                _ => None,
            })
            .collect();
        let email = format!("{local}@example.com");
        let r = self
            .post(
                &self.admin_token,
                "/api/v1/people",
                &json!({"name": name, "email": email, "role": role, "reports_to": reports_to}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "adding {name}: {}", r.text);
        assert_eq!(r.body["role"], role);
        let id = r.body["id"].as_i64().expect("a person id");
        let token = self
            .state
            .issue_token(id, "test")
            .await
            .expect("issue a token");
        Member { id, token }
    }

    /// The standard organisation and the `billing` category (checklist: account_number
    /// required, invoice_number optional; manager = the manager, executive = the VP).
    /// The id of the first administrator (the one the harness made, holding `admin_token`).
    pub async fn admin_id(&self) -> i64 {
        let people = self.get(&self.admin_token, "/api/v1/people").await;
        people
            .body
            .as_array()
            .expect("a list of people")
            .iter()
            .find(|p| p["role"] == "admin")
            .expect("an administrator")["id"]
            .as_i64()
            .expect("an id")
    }

    pub async fn org(&self) -> Org {
        let ceo = self.person("Cora Ceo", "executive", None).await;
        let vp = self.person("Victor Vp", "executive", Some(ceo.id)).await;
        let manager = self.person("Mona Manager", "manager", Some(vp.id)).await;
        let lead = self.person("Leo Lead", "staff", Some(manager.id)).await;
        let front1 = self.person("Fran Front", "frontline", Some(lead.id)).await;
        let front2 = self.person("Finn Front", "frontline", Some(lead.id)).await;
        let r = self
            .post(
                &self.admin_token,
                "/api/v1/categories",
                &json!({
                    "key": "billing",
                    "name": "Billing",
                    "checklist": [
                        {"key": "account_number", "label": "Account number", "required": true},
                        {"key": "invoice_number", "label": "Invoice number", "required": false}
                    ],
                    "manager": manager.id,
                    "executive": vp.id
                }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "adding the billing category: {}",
            r.text
        );
        Org {
            ceo,
            vp,
            manager,
            lead,
            front1,
            front2,
        }
    }

    /// Opens a billing case as `by`; panics unless it is a 201. Returns the 201 body.
    pub async fn open_case(&self, by: &Member, subject: &str) -> Value {
        let r = self
            .post(&by.token, "/api/v1/cases", &intake(subject))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "opening {subject:?}: {}",
            r.text
        );
        r.body
    }

    /// Opens a billing case as `by` and returns its id.
    pub async fn open_case_id(&self, by: &Member, subject: &str) -> i64 {
        self.open_case(by, subject).await["id"]
            .as_i64()
            .expect("a case id")
    }

    /// `GET /api/v1/cases/{id}` as the admin; panics unless it is a 200.
    /// The case's customer token, read from the store: what the customer's mail
    /// carries, and what no staff answer shows.
    pub async fn customer_token_of(&self, id: i64) -> String {
        self.store
            .load_case(id)
            .await
            .expect("the store answers")
            .unwrap_or_else(|| panic!("no case {id}"))
            .head
            .customer_token
    }

    /// The id of the case's customer, read from the store (the API names customers by
    /// their details, not their id).
    pub async fn customer_id_of(&self, id: i64) -> i64 {
        self.store
            .load_case(id)
            .await
            .expect("the store answers")
            .unwrap_or_else(|| panic!("no case {id}"))
            .head
            .customer_id
    }

    pub async fn case(&self, id: i64) -> Value {
        let r = self
            .get(&self.admin_token, &format!("/api/v1/cases/{id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "reading case {id}: {}", r.text);
        r.body
    }

    /// The case's events, in the order the API lists them.
    pub async fn events(&self, id: i64) -> Vec<Value> {
        self.case(id).await["events"]
            .as_array()
            .expect("an events array")
            .clone()
    }

    /// An action on a case by `by`; returns the response whatever it is.
    pub async fn act(&self, by: &Member, id: i64, action: &str, body: &Value) -> Resp {
        self.post(&by.token, &format!("/api/v1/cases/{id}/{action}"), body)
            .await
    }

    /// An action that must succeed; returns the case view.
    pub async fn act_ok(&self, by: &Member, id: i64, action: &str, body: &Value) -> Value {
        let r = self.act(by, id, action, body).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{action} on case {id} by person {}: {}",
            by.id,
            r.text
        );
        r.body
    }

    /// Everything a client can read back: people, categories, every case with its events.
    pub async fn snapshot(&self) -> Value {
        let people = self.get(&self.admin_token, "/api/v1/people").await;
        let categories = self.get(&self.admin_token, "/api/v1/categories").await;
        let list = self
            .get(&self.admin_token, "/api/v1/cases?limit=1000")
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        let mut cases = Vec::new();
        for summary in list.body.as_array().expect("a list of cases") {
            cases.push(self.case(summary["id"].as_i64().expect("an id")).await);
        }
        json!({"people": people.body, "categories": categories.body, "list": list.body, "cases": cases})
    }

    /// Sends a request that must be refused with `status`, an error body naming `field`,
    /// and no change to anything stored. Returns the error object.
    pub async fn refused(
        &self,
        request: RequestBuilder,
        status: StatusCode,
        field: Option<&str>,
    ) -> Value {
        let before = self.snapshot().await;
        let r = self.send(request).await;
        let error = expect_error(&r, status, field);
        let after = self.snapshot().await;
        assert_eq!(
            before, after,
            "a refused request ({status}) changed stored data"
        );
        error
    }
}

impl Stopped {
    /// A new state and server on the same data directory and the same clock.
    pub async fn restart(self) -> TestApp {
        let Stopped {
            dir,
            clock,
            admin_token,
        } = self;
        let (app, state, store) = start(dir.path(), &clock).await;
        assert!(
            state.bootstrap_admin().await.expect("bootstrap").is_none(),
            "a used store gets no second admin"
        );
        TestApp::assemble(app, (state, store), clock, admin_token, dir)
    }
}

/// The body of a valid billing intake.
pub fn intake(subject: &str) -> Value {
    json!({
        "customer": {"email": "ann@example.com", "name": "Ann Customer", "phone": "+44 20 7946 0000"},
        "category": "billing",
        "subject": subject,
        "body": "I was charged twice for March.",
        "channel": "email",
        "facts": {"account_number": "AC-1001"}
    })
}

/// Checks the error shape `{"error": {"code", "message", "field"}}` and the status.
pub fn expect_error(r: &Resp, status: StatusCode, field: Option<&str>) -> Value {
    assert_eq!(
        r.status, status,
        "expected {status}, got {}: {}",
        r.status, r.text
    );
    assert!(
        r.is_json(),
        "an error must be JSON, got {:?}: {}",
        r.headers.get("content-type"),
        r.text
    );
    let error = &r.body["error"];
    let code = error["code"]
        .as_str()
        .unwrap_or_else(|| panic!("error.code missing: {}", r.text));
    assert!(!code.is_empty(), "error.code is empty: {}", r.text);
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| panic!("error.message missing: {}", r.text));
    assert!(
        !message.trim().is_empty(),
        "error.message is empty: {}",
        r.text
    );
    match field {
        Some(f) => assert_eq!(error["field"], f, "error.field: {}", r.text),
        None => assert!(
            error["field"].is_null(),
            "error.field should be null: {}",
            r.text
        ),
    }
    error.clone()
}

/// The kinds of events in order.
pub fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["kind"].as_str().expect("an event kind").to_string())
        .collect()
}

pub fn count_kind(events: &[Value], kind: &str) -> usize {
    events.iter().filter(|e| e["kind"] == kind).count()
}

pub fn time(v: &Value) -> DateTime<Utc> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v} is not a timestamp: {e}"))
}

/// The token in a customer link (`...?token=...`).
/// The token in a customer's link (`…?token=…`), as mailed to them.
pub fn customer_token(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, t)| t.split('&').next().unwrap_or(t).to_string())
        .unwrap_or_else(|| panic!("no token in {link}"))
}

pub fn person_actor(id: i64) -> Value {
    json!({"type": "person", "id": id})
}
