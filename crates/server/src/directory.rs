//! People, the hierarchy, categories, the settings in force and token digests, cached in
//! memory: every request needs them and they change rarely. Writes go to the store first,
//! then refresh the cache. Another server's writes are noticed by [`watch_forever`], which
//! compares the store's directory version with the cache's several times a second.

use crate::error::AppResult;
use crate::settings::Settings;
use roadone_domain::{Category, Hierarchy, Person, PersonId};
use roadone_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug)]
pub struct Snapshot {
    pub hierarchy: Hierarchy,
    pub categories: HashMap<String, Category>,
    pub settings: Settings,
    /// The zones people chose for themselves (the others read the company's).
    pub time_zones: HashMap<PersonId, crate::time_zones::Zone>,
    /// Which person answers on which telephone channel or extension, by line.
    pub phone_lines: Vec<roadone_store::PhoneLine>,
    /// Every experiment with its history, by key: new cases are routed by them.
    pub experiments: Vec<roadone_store::ExperimentRecord>,
}

impl Snapshot {
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.hierarchy.get(id)
    }

    /// The person `id`, who must be active to be given work (`field` names them in the
    /// refusal).
    pub fn active_person(&self, field: &str, id: PersonId) -> crate::error::AppResult<&Person> {
        use crate::error::AppError;
        match self.person(id) {
            Some(p) if p.active => Ok(p),
            Some(p) => Err(AppError::invalid(
                field,
                format!("{} is deactivated", p.name),
            )),
            None => Err(AppError::invalid(field, format!("no person with id {id}"))),
        }
    }

    /// A person's name for a page, or "person N" for an id no longer known.
    pub fn person_name(&self, id: PersonId) -> String {
        self.person(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("person {id}"))
    }

    /// The people the telephone system may name an operator by: every phone line and
    /// every email, in lowercase (a line mapped to someone wins over an email).
    pub fn operators(&self) -> HashMap<String, PersonId> {
        let mut out: HashMap<String, PersonId> = self
            .hierarchy
            .people()
            .map(|p| (p.email.trim().to_lowercase(), p.id))
            .collect();
        for l in &self.phone_lines {
            out.insert(l.line.trim().to_lowercase(), l.person_id);
        }
        out
    }

    /// The experiment with this key, with its history.
    pub fn experiment(&self, key: &str) -> Option<&roadone_store::ExperimentRecord> {
        self.experiments.iter().find(|e| e.experiment.key == key)
    }

    /// A category's name as people read it; its key when it is gone.
    pub fn category_name(&self, key: &str) -> String {
        self.categories
            .get(key)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| key.to_string())
    }

    /// The categories as pages offer them, by name.
    pub fn category_choices(&self) -> Vec<CategoryChoice> {
        let mut categories: Vec<CategoryChoice> = self
            .categories
            .values()
            .map(|c| CategoryChoice {
                name: c.name.clone(),
                key: c.key.clone(),
            })
            .collect();
        categories.sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        categories
    }
}

/// A category as the pages' choosers offer it.
#[derive(Debug, Clone)]
pub struct CategoryChoice {
    pub name: String,
    pub key: String,
}

/// A token revoked on another server stops working here within this time; one revoked
/// here stops at once (`forget_token`).
const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// How often the store's directory version is compared with the cache's: a change made
/// on another server is in force here within about this long.
pub const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

pub struct Directory {
    snapshot: RwLock<Arc<Snapshot>>,
    /// The store's directory version the snapshot was read at.
    version: std::sync::atomic::AtomicI64,
    /// The settings of the configuration, before admins' overrides.
    base: Settings,
    /// Known-good token digests and when they were last confirmed by the store.
    tokens: RwLock<HashMap<Vec<u8>, (PersonId, std::time::Instant)>>,
}

impl Directory {
    pub async fn load(store: &dyn Store, base: Settings) -> AppResult<Directory> {
        let directory = Directory {
            snapshot: RwLock::new(Arc::new(Snapshot {
                hierarchy: Hierarchy::default(),
                categories: HashMap::new(),
                settings: base.clone(),
                time_zones: HashMap::new(),
                phone_lines: Vec::new(),
                experiments: Vec::new(),
            })),
            base,
            version: std::sync::atomic::AtomicI64::new(i64::MIN),
            tokens: RwLock::default(),
        };
        directory.refresh(store).await?;
        Ok(directory)
    }

    pub async fn refresh(&self, store: &dyn Store) -> AppResult<()> {
        // Read first: a change that lands while the rest is read moves it again, and the
        // next look sees that.
        let version = store.directory_version().await?;
        let people = store.people().await?;
        let categories = store.categories().await?;
        let saved = store.settings().await?;
        let phone_lines = store.phone_lines().await?;
        let experiments = store.experiments().await?;
        let time_zones = store
            .staff_time_zones()
            .await?
            .into_iter()
            .filter_map(
                |(person, name)| match crate::time_zones::Zone::parse(&name) {
                    Ok(zone) => Some((person, zone)),
                    Err(e) => {
                        tracing::warn!("ignoring the time zone of person {person}: {e}");
                        None
                    }
                },
            )
            .collect();
        let snapshot = Snapshot {
            hierarchy: Hierarchy::new(people),
            categories: categories.into_iter().map(|c| (c.key.clone(), c)).collect(),
            settings: Settings::with_saved(&self.base, saved),
            time_zones,
            phone_lines,
            experiments,
        };
        *self.snapshot.write().expect("directory lock poisoned") = Arc::new(snapshot);
        self.version
            .store(version, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Reads the directory again if the store's version is not the cache's; whether it did.
    pub async fn refresh_if_changed(&self, store: &dyn Store) -> AppResult<bool> {
        let now = store.directory_version().await?;
        if now == self.version.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(false);
        }
        self.refresh(store).await?;
        Ok(true)
    }

    /// The settings of the server's configuration, before admins' changes.
    pub fn base(&self) -> &Settings {
        &self.base
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .expect("directory lock poisoned")
            .clone()
    }

    /// The person a bearer token belongs to; only known-good digests are cached.
    pub async fn person_by_token(
        &self,
        store: &dyn Store,
        digest: &[u8],
    ) -> AppResult<Option<PersonId>> {
        if let Some((id, confirmed)) = self
            .tokens
            .read()
            .expect("token cache poisoned")
            .get(digest)
        {
            if confirmed.elapsed() < TOKEN_CACHE_TTL {
                return Ok(Some(*id));
            }
        }
        let found = store.person_by_token(digest).await?;
        let mut cache = self.tokens.write().expect("token cache poisoned");
        match found {
            Some(id) => {
                cache.insert(digest.to_vec(), (id, std::time::Instant::now()));
            }
            None => {
                cache.remove(digest);
            }
        }
        Ok(found)
    }

    /// Drops a token from the cache (it was revoked).
    pub fn forget_token(&self, digest: &[u8]) {
        self.tokens
            .write()
            .expect("token cache poisoned")
            .remove(digest);
    }
}

/// Keeps this server's cache in step with changes made by other servers on the same store.
/// A failed look is logged and tried again at the next tick.
pub async fn watch_forever(state: crate::app::AppState) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        state.faults.check("directory_watch");
        match state
            .directory
            .refresh_if_changed(state.store.as_ref())
            .await
        {
            Ok(true) => tracing::debug!("people, categories or settings changed; cache read again"),
            Ok(false) => {}
            Err(e) => tracing::warn!("cannot compare the directory with the store: {e}"),
        }
    }
}
