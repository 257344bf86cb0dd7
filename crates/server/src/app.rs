//! The application: shared state, built once per process (or per test).

use crate::config::Config;
use crate::directory::Directory;
use crate::error::AppResult;
use crate::scheduler::Scheduler;
use crate::tokens;
use roadone_domain::{Clock, Person, PersonId, Role};
use roadone_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Cheap to clone: everything a handler or the scheduler needs.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// Reached only by the services (the files named after what they own); a test checks
    /// that no handler, page or task outside them touches it.
    pub(crate) store: Arc<dyn Store>,
    pub(crate) directory: Directory,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Config,
    /// Signs reply addresses; kept in the data directory, created on first start.
    pub(crate) secret: Vec<u8>,
    pub(crate) templates: Arc<crate::mail::templates::Templates>,
    pub(crate) attachments: crate::attachments::AttachmentStore,
    /// Per-IP and per-address allowances of the public pages.
    pub(crate) limits: crate::web::rate_limit::RateLimits,
    /// Whose turn it is to own the next case that arrives on its own (`intake`).
    pub(crate) next_in_turn: std::sync::atomic::AtomicUsize,
    /// Bumped by every case or order this server writes: reports cached before are stale.
    pub(crate) data_generation: std::sync::atomic::AtomicU64,
    /// The last customer-math report, reused while nothing changed (`reports::cache`).
    pub(crate) report_cache: crate::reports::cache::ReportCache,
    /// This process among the servers on the store; what it claims is marked with it.
    pub(crate) instance: roadone_store::Instance,
    /// The supervised tasks and how they are doing (`/readyz`, `/metrics`).
    pub(crate) components: Arc<crate::supervisor::Components>,
    pub(crate) metrics: crate::metrics::Metrics,
    /// When this instance last wrote its heartbeat (`/readyz`: the store is writable).
    pub(crate) heartbeat: crate::health::Heartbeat,
    /// Panics on demand in test builds (`faults`).
    pub(crate) faults: crate::faults::Faults,
    /// What changes now, for the pages that follow it (`live`).
    pub(crate) live: crate::live::Live,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub async fn new(
        config: Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> AppResult<AppState> {
        config
            .validate()
            .map_err(|e| crate::AppError::Internal(e.to_string()))?;
        let directory = Directory::load(
            store.as_ref(),
            crate::settings::Settings::from_config(&config),
        )
        .await?;
        let secret = load_or_create_secret(&config.data_dir.join("secret.key"))?;
        let templates = crate::mail::templates::Templates::load(Some(&config.mail_templates_dir()))
            .map_err(|e| crate::AppError::Internal(e.to_string()))?;
        let attachments = crate::attachments::AttachmentStore::new(
            config.attachments_dir(),
            config.max_attachment_size,
            config.disk_free_floor,
        );
        let swept = attachments.sweep_temporary();
        if swept > 0 {
            tracing::info!(
                "removed {swept} unfinished upload(s) from {}",
                config.attachments_dir().display()
            );
        }
        Ok(AppState(Arc::new(Inner {
            store,
            directory,
            clock,
            secret,
            templates: Arc::new(templates),
            attachments,
            limits: crate::web::rate_limit::RateLimits::new(&config),
            next_in_turn: std::sync::atomic::AtomicUsize::new(0),
            data_generation: std::sync::atomic::AtomicU64::new(0),
            report_cache: crate::reports::cache::ReportCache::default(),
            instance: roadone_store::Instance {
                id: format!(
                    "{}-{}-{:08x}",
                    config.node_name,
                    std::process::id(),
                    rand::random::<u32>()
                ),
                node: config.node_name.clone(),
            },
            components: Arc::default(),
            metrics: crate::metrics::Metrics::default(),
            heartbeat: crate::health::Heartbeat::default(),
            faults: crate::faults::Faults::default(),
            live: crate::live::Live::default(),
            config,
        })))
    }

    /// On an empty store, creates the first admin and returns them with a fresh API token.
    pub async fn bootstrap_admin(&self) -> AppResult<Option<(Person, String)>> {
        if !self.store.people().await?.is_empty() {
            return Ok(None);
        }
        let admin = self
            .add_person(crate::people::PersonForm {
                name: "Administrator".into(),
                email: self.config.admin_email.clone(),
                role: Role::Admin.to_string(),
                reports_to: None,
            })
            .await?;
        let token = self.issue_token(admin.id, "first admin").await?;
        Ok(Some((admin, token)))
    }

    /// Creates an API token for a person and returns it; only its digest is stored.
    pub async fn issue_token(
        &self,
        person: roadone_domain::PersonId,
        label: &str,
    ) -> AppResult<String> {
        let token = tokens::new_token();
        self.store
            .add_token(person, tokens::digest(&token), label, self.clock.now())
            .await?;
        Ok(token)
    }
}

/// What callers outside the server crate (the binary, the tests) may read of the state.
impl AppState {
    /// The configuration the server runs with (the settings pages override some of it;
    /// read those through the services).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The time by the server's clock (a fake one in tests, the demo's own while it loads).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// This server among those on the store.
    pub fn instance(&self) -> &roadone_store::Instance {
        &self.instance
    }

    /// The installation's signing secret (reply addresses, Message-IDs, CSRF tokens): a
    /// test forges or checks what a customer's mail carries with it.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The mail templates in force (built in, or an admin's overrides).
    pub fn templates(&self) -> &Arc<crate::mail::templates::Templates> {
        &self.templates
    }

    /// The parts a test build may make panic on demand.
    pub fn faults(&self) -> &crate::faults::Faults {
        &self.faults
    }
}

impl AppState {
    /// Says that cases or orders changed, so cached reports are recomputed.
    pub fn data_changed(&self) {
        self.data_generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The case rules in force.
    pub fn rules(&self) -> roadone_domain::Rules {
        self.directory.snapshot().settings.rules.clone()
    }

    /// Every API token, newest first (their digests, never the tokens).
    pub async fn tokens(&self) -> AppResult<Vec<roadone_store::TokenRecord>> {
        Ok(self.store.tokens().await?)
    }

    /// The person a bearer token belongs to (cached for a minute once confirmed).
    pub async fn person_by_token(&self, token: &str) -> AppResult<Option<PersonId>> {
        self.directory
            .person_by_token(self.store.as_ref(), &tokens::digest(token))
            .await
    }

    /// Everyone, active or not, by id.
    pub async fn people(&self) -> AppResult<Vec<Person>> {
        Ok(self.store.people().await?)
    }

    /// Reads people, categories and settings again now (the watcher would within 250 ms).
    pub async fn refresh_directory(&self) -> AppResult<()> {
        self.directory.refresh(self.store.as_ref()).await
    }

    /// Writes a consistent copy of the whole store to `file`, while serving.
    pub async fn backup(&self, file: &std::path::Path) -> AppResult<()> {
        Ok(self.store.backup(file).await?)
    }

    /// Revokes the token with this digest; it stops working at once on this server (and
    /// within the token cache's minute on others). `false`: there is no such token.
    pub async fn revoke_token(&self, digest: &[u8]) -> AppResult<bool> {
        let known = self.store.revoke_token(digest, self.clock.now()).await?;
        self.directory.forget_token(digest);
        Ok(known)
    }
}

/// The installation's secret: 32 random bytes in a file only its owner can read.
fn load_or_create_secret(path: &std::path::Path) -> AppResult<Vec<u8>> {
    let internal =
        |e: std::io::Error| crate::AppError::Internal(format!("{}: {e}", path.display()));
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(bytes),
        Ok(_) => {
            return Err(crate::AppError::Internal(format!(
                "{} is too short to be a secret",
                path.display()
            )))
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(internal(e)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(internal)?;
    }
    let mut secret = vec![0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret);
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(internal)?;
    file.write_all(&secret)
        .and_then(|()| file.sync_all())
        .map_err(internal)?;
    Ok(secret)
}

/// A running server: its address and state; dropping `shutdown` stops it.
pub struct App {
    pub state: AppState,
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl App {
    /// Serves HTTP on `listener` and runs the scheduler, until `stop` or drop. Every
    /// background task is supervised: restarted when it fails, and counted.
    pub async fn start(
        state: AppState,
        listener: TcpListener,
        run_scheduler: bool,
    ) -> std::io::Result<App> {
        let addr = listener.local_addr()?;
        let router = crate::http::router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // What an earlier run of this node held (it crashed) is free again at once.
        match state
            .store
            .register_instance(state.instance.clone(), state.clock.now())
            .await
        {
            Ok(released) => {
                state.heartbeat.beat(state.clock.now());
                crate::health::took_over(&state, released);
            }
            Err(e) => tracing::error!("cannot register this server in the store: {e}"),
        }
        let components = state.components.clone();
        let mut tasks = Vec::new();
        let beat_state = state.clone();
        tasks.push(crate::supervisor::supervise(
            components.clone(),
            "heartbeat",
            move || crate::health::beat_forever(beat_state.clone()),
        ));
        let watch_state = state.clone();
        tasks.push(crate::supervisor::supervise(
            components.clone(),
            "directory_watch",
            move || crate::directory::watch_forever(watch_state.clone()),
        ));
        if run_scheduler {
            let interval = state.config.scheduler_interval;
            let scheduler_state = state.clone();
            tasks.push(crate::supervisor::supervise(
                components.clone(),
                "scheduler",
                move || Scheduler::new(scheduler_state.clone()).run(interval),
            ));
        }
        if let (Some(relay), true) = (&state.config.smtp_relay, run_scheduler) {
            // Built once, so that a wrong relay setting stops the start instead of
            // failing in a loop; each restart runs the same sender again.
            let sender = Arc::new(
                crate::mail::MailSender::new(state.clone(), state.templates.clone(), relay)
                    .map_err(std::io::Error::other)?,
            );
            let interval = state.config.scheduler_interval;
            tasks.push(crate::supervisor::supervise(
                components.clone(),
                "mail_sender",
                move || {
                    let sender = sender.clone();
                    async move { sender.run(interval).await }
                },
            ));
        }
        if let Some(smtp_addr) = state.config.smtp_listen {
            let smtp = std::sync::Arc::new(TcpListener::bind(smtp_addr).await?);
            tracing::info!("taking mail in on {}", smtp.local_addr()?);
            let smtp_state = state.clone();
            tasks.push(crate::supervisor::supervise(
                components.clone(),
                "smtp_listener",
                move || crate::mail::smtp_listener::serve(smtp_state.clone(), smtp.clone()),
            ));
        }
        let serving = state.clone();
        let closing = state.clone();
        let server = tokio::spawn(async move {
            let stopped =
                crate::http::serve::serve(serving.clone(), listener, router, async move {
                    let _ = rx.await;
                    // Live streams never finish on their own: end them, so the requests
                    // in flight can.
                    closing.live.close();
                })
                .await;
            if let Err(e) = stopped {
                tracing::error!("HTTP server stopped: {e}");
            }
            tasks.iter().for_each(|t| t.abort());
            if let Err(e) = serving
                .store
                .stop_instance(&serving.instance.id, serving.clock.now())
                .await
            {
                tracing::warn!("cannot release this server's claims at stop: {e}");
            }
        });
        Ok(App {
            state,
            addr,
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests, finishes those in flight, stops the scheduler.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Waits until the server stops (e.g. on a signal handled by the caller).
    pub async fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}
