//! What is happening now, for pages that follow it (`web::staff::live`): every case this
//! server writes is announced on a broadcast ("case N changed to version V", "case N
//! opened"), and the staff watching each case are counted, so that a case page can say
//! who else is on it. Another server's writes are not announced here; a stream notices
//! them by asking the store for the case's version (`case_version`) while it is idle.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_domain::{CaseId, PersonId};
use roadone_store::{CaseFilter, CaseHead, CaseSort, OpenOutcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// How many announcements a slow stream may fall behind before it is told it lagged (it
/// then reads what it follows from the store again).
const BACKLOG: usize = 1024;

/// One announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The case was written; `version` is its version now.
    Changed { case: CaseId, version: u32 },
    /// A case was opened.
    Opened { case: CaseId },
    /// Someone started or stopped watching the case.
    Viewers { case: CaseId },
}

/// A member of staff with a case open: one per stream.
#[derive(Debug, Clone)]
struct Viewer {
    stream: u64,
    person: PersonId,
    name: String,
}

type Viewers = Arc<Mutex<HashMap<CaseId, Vec<Viewer>>>>;

/// The announcements and who watches what, one per server.
pub struct Live {
    signals: broadcast::Sender<Signal>,
    viewers: Viewers,
    next_stream: std::sync::atomic::AtomicU64,
    /// Set when the server stops: every stream ends, so the stop need not wait for them.
    closing: watch::Sender<bool>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            signals: broadcast::channel(BACKLOG).0,
            viewers: Viewers::default(),
            next_stream: std::sync::atomic::AtomicU64::new(1),
            closing: watch::channel(false).0,
        }
    }
}

/// A stream's place among a case's viewers; dropping it (the stream ended) leaves.
pub struct Watching {
    viewers: Viewers,
    signals: broadcast::Sender<Signal>,
    case: CaseId,
    stream: u64,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let mut viewers = lock(&self.viewers);
        if let Some(list) = viewers.get_mut(&self.case) {
            list.retain(|v| v.stream != self.stream);
            if list.is_empty() {
                viewers.remove(&self.case);
            }
        }
        drop(viewers);
        let _ = self.signals.send(Signal::Viewers { case: self.case });
    }
}

/// The viewers' map; a panic while it was held leaves it usable (it is always whole).
fn lock(viewers: &Viewers) -> std::sync::MutexGuard<'_, HashMap<CaseId, Vec<Viewer>>> {
    viewers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Live {
    /// Announces a case written at `head.version` (sent to nobody when nobody follows).
    pub fn changed(&self, head: &CaseHead) {
        let _ = self.signals.send(Signal::Changed {
            case: head.id,
            version: head.version,
        });
    }

    /// Announces a case opened now; a replayed opening is no news.
    pub fn opened(&self, outcome: &OpenOutcome) {
        if let OpenOutcome::Created(head) = outcome {
            let _ = self.signals.send(Signal::Opened { case: head.id });
        }
    }

    /// Every announcement from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    /// Counts `person` among the viewers of `case` until the returned guard drops.
    pub fn watch(&self, case: CaseId, person: PersonId, name: &str) -> Watching {
        let stream = self
            .next_stream
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.viewers).entry(case).or_default().push(Viewer {
            stream,
            person,
            name: name.to_string(),
        });
        let _ = self.signals.send(Signal::Viewers { case });
        Watching {
            viewers: self.viewers.clone(),
            signals: self.signals.clone(),
            case,
            stream,
        }
    }

    /// The names of the people other than `me` watching `case` on this server, each once,
    /// in alphabetical order.
    pub fn others(&self, case: CaseId, me: PersonId) -> Vec<String> {
        let mut people: Vec<(String, PersonId)> = lock(&self.viewers)
            .get(&case)
            .into_iter()
            .flatten()
            .filter(|v| v.person != me)
            .map(|v| (v.name.clone(), v.person))
            .collect();
        people.sort();
        people.dedup();
        people.into_iter().map(|(name, _)| name).collect()
    }

    /// How many streams follow `case` on this server.
    pub fn streams_on(&self, case: CaseId) -> usize {
        lock(&self.viewers).get(&case).map_or(0, Vec::len)
    }

    /// Ends every stream, now and from now on (the server stops).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Whether the server is stopping, as it changes.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

impl AppState {
    /// The announcements and viewers of this server.
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// A case's version as stored now (another server may have written it), or `None`
    /// when there is no such case.
    pub async fn case_version(&self, id: CaseId) -> AppResult<Option<u32>> {
        let heads = self
            .list_cases(CaseFilter {
                id: Some(id),
                limit: 1,
                ..CaseFilter::default()
            })
            .await?;
        Ok(heads.first().map(|h| h.version))
    }

    /// The id of the case opened last (by any server), or `None` before the first.
    pub async fn newest_case(&self) -> AppResult<Option<CaseId>> {
        let heads = self
            .list_cases(CaseFilter {
                sort: CaseSort::Newest,
                limit: 1,
                ..CaseFilter::default()
            })
            .await?;
        Ok(heads.first().map(|h| h.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_come_and_go_with_their_streams() {
        let live = Live::default();
        let mut signals = live.subscribe();
        let ann = live.watch(7, 1, "Ann");
        let bob = live.watch(7, 2, "Bob");
        let ann_again = live.watch(7, 1, "Ann");
        assert_eq!(live.others(7, 1), vec!["Bob".to_string()]);
        assert_eq!(live.others(7, 2), vec!["Ann".to_string()]);
        assert_eq!(live.others(8, 2), Vec::<String>::new());
        assert_eq!(live.streams_on(7), 3);
        drop(ann);
        assert_eq!(
            live.others(7, 2),
            vec!["Ann".to_string()],
            "Ann's other tab"
        );
        drop(ann_again);
        assert!(live.others(7, 2).is_empty());
        drop(bob);
        assert_eq!(live.streams_on(7), 0);
        let mut told = Vec::new();
        while let Ok(signal) = signals.try_recv() {
            told.push(signal);
        }
        assert_eq!(told, vec![Signal::Viewers { case: 7 }; 6]);
    }
}
