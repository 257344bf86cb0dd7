//! Reads the server's own histograms from `/metrics` after a run, so a figure measured by
//! the client can be split into what the server did: its time per request, per write
//! group, per fsync, and the groups' sizes.

use serde_json::{json, Value};

/// The bucket bounds and cumulative counts of histogram `name` whose labels contain
/// `labels` (e.g. `route="/api/v1/cases"`).
fn buckets(text: &str, name: &str, labels: &str) -> Vec<(f64, u64)> {
    let prefix = format!("{name}_bucket{{");
    text.lines()
        .filter(|l| l.starts_with(&prefix) && l.contains(labels))
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            let count = l.rsplit(' ').next()?.parse().ok()?;
            Some((bound, count))
        })
        .collect()
}

/// The upper bound of the bucket holding quantile `q` (histograms know no more).
fn quantile(buckets: &[(f64, u64)], q: f64) -> Option<f64> {
    let total = buckets.iter().map(|(_, c)| *c).max()?;
    if total == 0 {
        return None;
    }
    let wanted = (total as f64 * q).ceil() as u64;
    buckets.iter().find(|(_, c)| *c >= wanted).map(|(b, _)| *b)
}

fn ms(seconds: Option<f64>) -> Value {
    match seconds {
        Some(s) if s.is_finite() => json!((s * 1e5).round() / 100.0),
        Some(_) => json!("above the last bucket"),
        None => Value::Null,
    }
}

/// What the server says of a run of `POST route`: upper bounds of p50 and p99 of its own
/// request time, of a write group's time to commit, of an fsync, and the batch sizes.
pub fn intake(metrics: &str, route: &str) -> Value {
    let request = buckets(
        metrics,
        "roadone_http_request_duration_seconds",
        &format!("method=\"POST\",route=\"{route}\""),
    );
    let group = buckets(metrics, "roadone_store_group_seconds", "");
    let fsync = buckets(metrics, "roadone_store_fsync_seconds", "");
    let batch = buckets(metrics, "roadone_store_write_batch_size", "");
    json!({
        "request_p50_ms_at_most": ms(quantile(&request, 0.5)),
        "request_p99_ms_at_most": ms(quantile(&request, 0.99)),
        "group_p50_ms_at_most": ms(quantile(&group, 0.5)),
        "group_p99_ms_at_most": ms(quantile(&group, 0.99)),
        "fsync_p50_ms_at_most": ms(quantile(&fsync, 0.5)),
        "fsync_p99_ms_at_most": ms(quantile(&fsync, 0.99)),
        "batch_p50_at_most": quantile(&batch, 0.5),
        "batch_p99_at_most": quantile(&batch, 0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_from_the_cumulative_buckets() {
        let text = "x_bucket{le=\"0.001\",route=\"/a\"} 50\nx_bucket{le=\"0.002\",route=\"/a\"} 99\nx_bucket{le=\"+Inf\",route=\"/a\"} 100\nx_bucket{le=\"0.001\",route=\"/b\"} 1\n";
        let b = buckets(text, "x", "route=\"/a\"");
        assert_eq!(b.len(), 3);
        assert_eq!(quantile(&b, 0.5), Some(0.001));
        assert_eq!(quantile(&b, 0.99), Some(0.002));
        assert_eq!(quantile(&b, 1.0), Some(f64::INFINITY));
    }
}
