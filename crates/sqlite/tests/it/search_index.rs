//! The full-text index lives in its own file beside the database. What a user notices:
//! a case is found by its words as soon as it is acknowledged, after a restart, after the
//! index file is lost, and after an older copy of the database is put back in place (whose
//! index would otherwise describe cases it does not have).

use chrono::{DateTime, Duration, Utc};
use roadone_conformance::{t0, Fixture};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::{CaseFilter, Store};
use std::path::Path;

async fn found(store: &SqliteStore, words: &str) -> Vec<String> {
    let mut subjects: Vec<String> = store
        .list_cases(CaseFilter {
            search: Some(words.into()),
            limit: 100,
            ..CaseFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.subject)
        .collect();
    subjects.sort();
    subjects
}

async fn case(store: &SqliteStore, f: &Fixture, email: &str, subject: &str, at: DateTime<Utc>) {
    f.open(store, f.frontline.id, "delivery", email, subject, at)
        .await;
}

fn index_files(db: &Path) -> Vec<std::path::PathBuf> {
    ["search.db", "search.db-wal", "search.db-shm"]
        .iter()
        .map(|ext| db.with_extension(ext))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn words_are_found_at_once_after_restarts_and_after_the_index_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roadone.db");
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let f = Fixture::seed(&store).await;
    for (i, subject) in ["Broken kettle", "Kettle lid missing", "Late parcel"]
        .iter()
        .enumerate()
    {
        case(
            &store,
            &f,
            &format!("c{i}@example.com"),
            subject,
            t0() + Duration::minutes(i as i64),
        )
        .await;
        // Each search right after its write: the index has caught up before answering.
        assert_eq!(found(&store, subject).await, vec![subject.to_string()]);
    }
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Broken kettle", "Kettle lid missing"]
    );
    assert!(
        path.with_extension("search.db").exists(),
        "the index has its own file"
    );
    drop(store);

    // A restart finds the same, and indexes nothing twice.
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Broken kettle", "Kettle lid missing"]
    );
    case(
        &store,
        &f,
        "c9@example.com",
        "Kettle sparks",
        t0() + Duration::hours(1),
    )
    .await;
    assert_eq!(found(&store, "kettle").await.len(), 3);
    drop(store);

    // The index file lost: rebuilt from the events.
    for file in index_files(&path) {
        let _ = std::fs::remove_file(file);
    }
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Broken kettle", "Kettle lid missing", "Kettle sparks"]
    );
    assert_eq!(found(&store, "parcel").await, vec!["Late parcel"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_copy_of_the_database_put_in_place_is_searched_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roadone.db");
    let backup = dir.path().join("backup.db");
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let f = Fixture::seed(&store).await;
    case(&store, &f, "a@example.com", "Kettle one", t0()).await;
    store.backup(&backup).await.unwrap();
    case(
        &store,
        &f,
        "b@example.com",
        "Kettle two",
        t0() + Duration::minutes(5),
    )
    .await;
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Kettle one", "Kettle two"]
    );
    drop(store);

    // The backup copied over the live database; the index beside it is newer than it.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("roadone.db{suffix}")));
    }
    std::fs::copy(&backup, &path).unwrap();
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Kettle one"],
        "a case the restored database does not have is not found"
    );
    // And new cases after the restore are found.
    case(
        &store,
        &f,
        "c@example.com",
        "Kettle three",
        t0() + Duration::minutes(10),
    )
    .await;
    assert_eq!(
        found(&store, "kettle").await,
        vec!["Kettle one", "Kettle three"]
    );
    // The new case may have the number the lost one had: the lost one's words are gone.
    assert!(found(&store, "two").await.is_empty());
    assert_eq!(found(&store, "three").await, vec!["Kettle three"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_built_for_another_database_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    for (path, subject) in [(&a, "Kettle from a"), (&b, "Toaster from b")] {
        let store = SqliteStore::open(SqliteOptions::new(path)).unwrap();
        let f = Fixture::seed(&store).await;
        case(&store, &f, "a@example.com", subject, t0()).await;
        assert_eq!(found(&store, subject).await, vec![subject.to_string()]);
        drop(store);
    }
    // b's index files put beside a: they say "toaster", which a never heard.
    for (from, to) in index_files(&b).into_iter().zip(index_files(&a)) {
        let _ = std::fs::remove_file(&to);
        if from.exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let store = SqliteStore::open(SqliteOptions::new(&a)).unwrap();
    assert!(found(&store, "toaster").await.is_empty());
    assert_eq!(found(&store, "kettle").await, vec!["Kettle from a"]);
}
