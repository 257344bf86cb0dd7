//! `roadone import orders FILE.csv`: reads the file in batches, shows a progress bar on a
//! terminal, reports every bad row by its line number and skips it, never silently.

use crate::terminal::printable;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use roadone_server::orders::{read, OrderText};
use roadone_server::AppState;
use roadone_store::NewOrder;
use std::path::Path;

const COLUMNS: [&str; 5] = ["order_id", "customer", "ordered_at", "amount", "currency"];
const BATCH: usize = 5_000;

#[derive(Default)]
struct Tally {
    added: u64,
    known: u64,
    conflicts: u64,
    bad: u64,
}

pub async fn orders(state: &AppState, file: &Path) -> Result<()> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("{}", file.display()))?
        .len();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(file)
        .with_context(|| format!("{}", file.display()))?;
    let header = reader.headers().context("reading the header line")?.clone();
    let position: Vec<usize> = COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h.eq_ignore_ascii_case(c)))
        .collect::<Option<_>>()
        .with_context(|| {
            format!(
                "line 1: the header must name the columns {} (it has {})",
                COLUMNS.join(", "),
                printable(&header.iter().collect::<Vec<_>>().join(", "))
            )
        })?;
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .expect("a valid progress template"),
    );
    let mut tally = Tally::default();
    let mut batch: Vec<(u64, NewOrder)> = Vec::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::open(file)?;
    loop {
        // The line a record ends on, counted from the reader's byte offset after it: the
        // reader's own line count (and a record's start) do not see skipped blank lines.
        let line = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => lines.line_ending_at(reader.position().byte())?,
            Err(e) => {
                let line = lines.line_ending_at(reader.position().byte())?;
                bar.suspend(|| {
                    eprintln!(
                        "line {line}: unreadable ({}); skipped",
                        printable(&e.to_string())
                    )
                });
                tally.bad += 1;
                continue;
            }
        };
        let field = |i: usize| record.get(position[i]).unwrap_or("");
        let text = OrderText {
            order_id: field(0),
            customer: field(1),
            ordered_at: field(2),
            amount: field(3),
            currency: field(4),
        };
        match read(&text) {
            Ok(order) => batch.push((line, order)),
            Err((column, why)) => {
                bar.suspend(|| eprintln!("line {line}: {column}: {}; skipped", printable(&why)));
                tally.bad += 1;
            }
        }
        if batch.len() >= BATCH {
            store(state, &mut batch, &mut tally, &bar).await?;
            bar.set_position(reader.position().byte());
            bar.set_message(format!("{} added", tally.added));
        }
    }
    store(state, &mut batch, &mut tally, &bar).await?;
    bar.finish_and_clear();
    println!(
        "{}: {} added, {} already known, {} conflicting (kept as stored), {} bad rows skipped",
        file.display(),
        tally.added,
        tally.known,
        tally.conflicts,
        tally.bad
    );
    if tally.added + tally.known == 0 && tally.bad > 0 {
        bail!("no row of {} could be read", file.display());
    }
    Ok(())
}

/// Line numbers of byte offsets, read forward through the file once.
struct LineCounter {
    file: std::io::BufReader<std::fs::File>,
    at: u64,
    line: u64,
    /// The last byte read was a line break.
    after_break: bool,
}

impl LineCounter {
    fn open(path: &Path) -> Result<LineCounter> {
        let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
        Ok(LineCounter {
            file: std::io::BufReader::new(file),
            at: 0,
            line: 1,
            after_break: false,
        })
    }

    /// The 1-based line of the text that ends just before byte `offset` (a record whose
    /// line break was read ends on the line before); offsets must not go backwards.
    fn line_ending_at(&mut self, offset: u64) -> Result<u64> {
        use std::io::BufRead;
        while self.at < offset {
            let buffer = self.file.fill_buf()?;
            if buffer.is_empty() {
                break;
            }
            let take = buffer.len().min((offset - self.at) as usize);
            self.line += buffer[..take].iter().filter(|b| **b == b'\n').count() as u64;
            self.after_break = take > 0 && buffer[take - 1] == b'\n';
            self.file.consume(take);
            self.at += take as u64;
        }
        Ok(self.line - u64::from(self.after_break))
    }
}

async fn store(
    state: &AppState,
    batch: &mut Vec<(u64, NewOrder)>,
    tally: &mut Tally,
    bar: &ProgressBar,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let (lines, orders): (Vec<u64>, Vec<NewOrder>) = std::mem::take(batch).into_iter().unzip();
    let ids: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
    let outcome = state.add_orders(orders).await?;
    tally.added += u64::from(outcome.added);
    tally.known += u64::from(outcome.already_known);
    for i in &outcome.conflicts {
        bar.suspend(|| {
            eprintln!(
                "line {}: order {} is already stored with other details; kept as stored",
                lines[*i],
                printable(&ids[*i])
            )
        });
    }
    tally.conflicts += outcome.conflicts.len() as u64;
    Ok(())
}
