//! How a store's own workers are doing, read without waiting: what `/readyz` and
//! `/metrics` report about the store.

/// A snapshot of the store's workers and its write path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreHealth {
    /// Each worker (a thread or a pool) the store runs.
    pub workers: Vec<WorkerHealth>,
    /// Writes waiting for the writer.
    pub queue_depth: u64,
    /// How many writes each committed group carried.
    pub batch_sizes: Histogram,
    /// Seconds from a group's first write to its commit.
    pub group_seconds: Histogram,
    /// Seconds each fsync of the log took (empty without fsync).
    pub fsync_seconds: Histogram,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerHealth {
    pub name: &'static str,
    /// False once the worker has stopped for good: the store cannot do that part any more.
    pub alive: bool,
    /// How often it was started again after a panic.
    pub restarts: u64,
}

/// Observations counted into buckets: `counts[i]` is how many were at most `bounds[i]`
/// (and above the bound before it); the last count is everything above the last bound.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    pub bounds: Vec<f64>,
    pub counts: Vec<u64>,
    pub sum: f64,
}

impl Histogram {
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}
