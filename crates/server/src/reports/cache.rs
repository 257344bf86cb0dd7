//! Customer math reads every case and order: on a large store it costs seconds of CPU. The
//! last report is kept and given again while nothing this server wrote has changed, for at
//! most a minute (other servers' and the import command's writes show within that minute),
//! and one computation runs at a time, so managers reloading the page do not pile up work.

use crate::app::AppState;
use crate::error::AppResult;
use crate::reports::customer_math::{compute, CustomerMathReport};
use chrono::{DateTime, Utc};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a report may be given again when nothing here changed.
const FRESH_FOR: Duration = Duration::from_secs(60);

struct Entry {
    key: String,
    generation: u64,
    made: Instant,
    report: Arc<CustomerMathReport>,
}

#[derive(Default)]
pub struct ReportCache {
    last: tokio::sync::Mutex<Option<Entry>>,
}

/// Customer math for `window_days` (default: the `sales_window` rule) and `currency` as
/// of `now`, from the cache when it is still true.
pub async fn customer_math(
    state: &AppState,
    window_days: Option<i64>,
    currency: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Arc<CustomerMathReport>> {
    let window_days =
        window_days.unwrap_or_else(|| state.directory.snapshot().settings.sales_window.num_days());
    // The report depends on the day (whose windows are complete), not the second.
    let key = format!("{window_days}|{currency:?}|{}", now.date_naive());
    let mut last = state.report_cache.last.lock().await;
    let generation = state.data_generation.load(Ordering::Relaxed);
    if let Some(entry) = last.as_ref() {
        if entry.key == key && entry.generation == generation && entry.made.elapsed() < FRESH_FOR {
            return Ok(entry.report.clone());
        }
    }
    let report = Arc::new(compute(state, window_days, currency, now).await?);
    *last = Some(Entry {
        key,
        generation,
        made: Instant::now(),
        report: report.clone(),
    });
    Ok(report)
}
