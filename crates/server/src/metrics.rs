//! `/metrics` in the Prometheus text format: requests by route and status, request
//! latency by route (intake among them), the store's write queue and group sizes, the
//! outbox backlog and the age of its oldest message, timers due, free disk, restarts of
//! every supervised part, and the counts of what recovery and deduplication did.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

/// What is read fresh at every scrape (the store, the disk, the supervisor).
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub store: roadone_store::StoreHealth,
    pub backlog: roadone_store::Backlog,
    pub oldest_pending_seconds: f64,
    pub disk_free_bytes: Option<u64>,
    /// Supervised tasks: name, running, restarts.
    pub components: Vec<(&'static str, bool, u64)>,
    pub log_lines_dropped: u64,
}

/// The collector of the live values; the registry holds one clone, `Metrics` another.
#[derive(Debug, Default, Clone)]
struct LiveCollector(Arc<Mutex<Live>>);

pub struct Metrics {
    registry: Registry,
    live: LiveCollector,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    /// Outbox rows taken back from an instance that died holding them: each may have
    /// been sent already, so each is a possible duplicate delivery.
    pub mail_possible_duplicates: Counter,
    pub claims_released: Counter,
    /// Inbound messages recognised as a second delivery and not taken in again.
    pub inbound_duplicates: Counter,
    /// Mail beyond a sender's hourly allowance of new cases, recorded unanswered.
    pub inbound_limited: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "roadone_http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0005, 2.0, 16))) as fn() -> Histogram,
        );
        registry.register(
            "roadone_http_request_duration_seconds",
            "Time from a request's arrival to its answer, by method and route",
            latency.clone(),
        );
        let mail_possible_duplicates = Counter::default();
        registry.register(
            "roadone_mail_possible_duplicates",
            "Notifications retried after the server sending them died mid-send",
            mail_possible_duplicates.clone(),
        );
        let claims_released = Counter::default();
        registry.register(
            "roadone_claims_released",
            "Timers and notifications released from instances that stopped",
            claims_released.clone(),
        );
        let inbound_duplicates = Counter::default();
        registry.register(
            "roadone_inbound_duplicates",
            "Inbound messages delivered again and recorded once",
            inbound_duplicates.clone(),
        );
        let inbound_limited = Counter::default();
        registry.register(
            "roadone_inbound_rate_limited",
            "Inbound messages over a sender's allowance of new cases, recorded unanswered",
            inbound_limited.clone(),
        );
        let live = LiveCollector::default();
        registry.register_collector(Box::new(live.clone()));
        Metrics {
            registry,
            live,
            requests,
            latency,
            mail_possible_duplicates,
            claims_released,
            inbound_duplicates,
            inbound_limited,
        }
    }
}

impl Metrics {
    /// Counts what releasing claims gave back.
    pub fn released(&self, released: roadone_store::Released) {
        self.claims_released
            .inc_by(u64::from(released.timers + released.outbox));
        self.mail_possible_duplicates
            .inc_by(u64::from(released.outbox));
    }

    /// The text of a scrape, with `live` as the values read now.
    pub fn render(&self, live: Live) -> String {
        *self.live.0.lock().unwrap_or_else(|p| p.into_inner()) = live;
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!("cannot encode the metrics: {e}");
        }
        text
    }
}

fn gauge<N: prometheus_client::encoding::EncodeGaugeValue>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: N,
) -> Result<(), std::fmt::Error> {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

/// A histogram the store counted itself (nothing when it has no buckets).
fn histogram(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    h: &roadone_store::Histogram,
) -> Result<(), std::fmt::Error> {
    if h.bounds.is_empty() {
        return Ok(());
    }
    let mut buckets: Vec<(f64, u64)> = h
        .bounds
        .iter()
        .copied()
        .zip(h.counts.iter().copied())
        .collect();
    buckets.push((f64::MAX, h.counts.last().copied().unwrap_or(0)));
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Histogram)?;
    metric.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
        h.sum,
        h.count(),
        &buckets,
        None,
    )
}

impl Collector for LiveCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let live = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let e = &mut encoder;
        gauge(
            e,
            "roadone_store_write_queue_depth",
            "Writes waiting for the store's writer",
            live.store.queue_depth as i64,
        )?;
        histogram(
            e,
            "roadone_store_write_batch_size",
            "Writes committed together in one group",
            &live.store.batch_sizes,
        )?;
        histogram(
            e,
            "roadone_store_group_seconds",
            "Time from a write group's first request to its commit",
            &live.store.group_seconds,
        )?;
        histogram(
            e,
            "roadone_store_fsync_seconds",
            "Time of each fsync of the log, which every acknowledged write waits for",
            &live.store.fsync_seconds,
        )?;
        {
            let mut family = e.encode_descriptor(
                "roadone_component_up",
                "1 while a part of the server runs, 0 while it is down or restarting",
                None,
                MetricType::Gauge,
            )?;
            for w in &live.store.workers {
                ConstGauge::new(i64::from(w.alive))
                    .encode(family.encode_family(&[("component", w.name)])?)?;
            }
            for (name, running, _) in &live.components {
                ConstGauge::new(i64::from(*running))
                    .encode(family.encode_family(&[("component", *name)])?)?;
            }
        }
        {
            let mut family = e.encode_descriptor(
                "roadone_component_restarts",
                "Times a part of the server was started again after it failed",
                None,
                MetricType::Counter,
            )?;
            for w in &live.store.workers {
                ConstCounter::new(w.restarts)
                    .encode(family.encode_family(&[("component", w.name)])?)?;
            }
            for (name, _, restarts) in &live.components {
                ConstCounter::new(*restarts)
                    .encode(family.encode_family(&[("component", *name)])?)?;
            }
        }
        gauge(
            e,
            "roadone_outbox_backlog",
            "Notifications neither sent nor given up",
            live.backlog.outbox_pending as i64,
        )?;
        gauge(
            e,
            "roadone_outbox_oldest_age_seconds",
            "How long the oldest undelivered notification has waited (0 when none)",
            live.oldest_pending_seconds,
        )?;
        gauge(
            e,
            "roadone_timers_due",
            "Escalations and reminders due and not yet fired",
            live.backlog.timers_due as i64,
        )?;
        if let Some(free) = live.disk_free_bytes {
            gauge(
                e,
                "roadone_disk_free_bytes",
                "Free space for the data directory",
                free as i64,
            )?;
        }
        let dropped = ConstCounter::new(live.log_lines_dropped);
        dropped.encode(e.encode_descriptor(
            "roadone_log_lines_dropped",
            "Log lines that could not be written (standard error failing, a full disk)",
            None,
            dropped.metric_type(),
        )?)?;
        Ok(())
    }
}
