//! People, the hierarchy, categories and token digests, cached in memory: every request
//! needs them and they change rarely. Writes go to the store first, then refresh the cache.

use crate::error::AppResult;
use roadone_domain::{Category, Hierarchy, Person, PersonId};
use roadone_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Default)]
pub struct Snapshot {
    pub hierarchy: Hierarchy,
    pub categories: HashMap<String, Category>,
}

impl Snapshot {
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.hierarchy.get(id)
    }
}

pub struct Directory {
    snapshot: RwLock<Arc<Snapshot>>,
    tokens: RwLock<HashMap<Vec<u8>, PersonId>>,
}

impl Directory {
    pub async fn load(store: &dyn Store) -> AppResult<Directory> {
        let directory = Directory {
            snapshot: RwLock::new(Arc::default()),
            tokens: RwLock::default(),
        };
        directory.refresh(store).await?;
        Ok(directory)
    }

    pub async fn refresh(&self, store: &dyn Store) -> AppResult<()> {
        let people = store.people().await?;
        let categories = store.categories().await?;
        let snapshot = Snapshot {
            hierarchy: Hierarchy::new(people),
            categories: categories.into_iter().map(|c| (c.key.clone(), c)).collect(),
        };
        *self.snapshot.write().expect("directory lock poisoned") = Arc::new(snapshot);
        Ok(())
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
        if let Some(id) = self
            .tokens
            .read()
            .expect("token cache poisoned")
            .get(digest)
        {
            return Ok(Some(*id));
        }
        let found = store.person_by_token(digest).await?;
        if let Some(id) = found {
            self.tokens
                .write()
                .expect("token cache poisoned")
                .insert(digest.to_vec(), id);
        }
        Ok(found)
    }
}
