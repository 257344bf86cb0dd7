//! Logging that can never take a thread down. The usual writer panics (through
//! `eprintln!`) when standard error cannot be written — a full disk under a log file, a
//! closed pipe — and the thread that panics is whichever was logging: the SQLite writer,
//! the mail sender. Here a line that cannot be written is dropped and counted instead.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Log lines that could not be written since the process started (`/metrics`).
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Standard error that never fails: a write that does not go through is counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct ForgivingStderr;

impl Write for ForgivingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::io::stderr().lock().write_all(buf).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Sets up logging to standard error with `RUST_LOG` (default: `default_filter`), and a
/// panic hook that reports panics the same forgiving way.
pub fn init(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| default_filter.into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| ForgivingStderr)
        .log_internal_errors(false)
        .init();
    // The default hook prints with `eprintln!`-like code that can itself fail badly;
    // report the panic through the log, which never fails, and let it unwind as before.
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed");
        tracing::error!("thread {name} panicked: {info}");
    }));
}

/// Writes a line for the person at the terminal, ignoring a standard error that fails.
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut err = ForgivingStderr;
    let _ = writeln!(err, "{line}");
}
