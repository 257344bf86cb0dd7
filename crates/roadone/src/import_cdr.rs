//! `roadone import cdr FILE`: call detail records from Asterisk (`cdr_csv`) or FreeSWITCH
//! (`mod_cdr_csv`), read and stored in batches (a file of millions of rows takes a batch's
//! memory) with a progress line; every row that cannot be read is
//! reported by its line and skipped. Idempotent by each leg's id: importing again (after
//! an interruption, say) adds only what is missing.

use crate::terminal::printable;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use roadone_server::calls::cdr::{detect, CdrReader, Format};
use roadone_server::calls::intake::MAX_BATCH;
use roadone_server::AppState;
use std::io::Read;
use std::path::Path;

pub async fn cdr(
    state: &AppState,
    file: &Path,
    format: &str,
    columns: Option<&str>,
    timezone: Option<&str>,
) -> Result<()> {
    let Some(zone) = timezone else {
        bail!(
            "--timezone: call records carry no time zone; say which the telephone system \
             writes in (such as Europe/London, or UTC)"
        );
    };
    let zone: chrono_tz::Tz = zone.parse().map_err(|_| {
        anyhow::anyhow!("--timezone: {zone:?} is not a time zone name such as Europe/London")
    })?;
    let open = || std::fs::File::open(file).with_context(|| format!("{}", file.display()));
    let format = match format {
        "asterisk" => Format::Asterisk,
        "freeswitch" => Format::FreeSwitch,
        "auto" => {
            // The first rows tell the two apart; the file is then read in batches.
            let mut start = Vec::new();
            open()?.take(64 * 1024).read_to_end(&mut start)?;
            detect(&String::from_utf8_lossy(&start))
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
        other => bail!("--format: {other:?} is not asterisk, freeswitch or auto"),
    };
    // Reading (CSV, times, numbers) runs on its own thread, a batch or two ahead of the
    // store's writes, so both cores work.
    let input = std::io::BufReader::with_capacity(1 << 20, open()?);
    let columns = columns.map(str::to_string);
    let (batches, mut ready) = tokio::sync::mpsc::channel(2);
    let reading = tokio::task::spawn_blocking(move || {
        let mut reader = CdrReader::new(input, format, columns.as_deref(), zone);
        loop {
            let next = reader.next_batch(MAX_BATCH).transpose();
            let end = !matches!(next, Some(Ok(_)));
            if let Some(batch) = next {
                if batches.blocking_send(batch).is_err() {
                    break;
                }
            }
            if end {
                break;
            }
        }
    });
    let source = match format {
        Format::Asterisk => "asterisk",
        Format::FreeSwitch => "freeswitch",
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} calls read {msg}")
            .expect("a valid progress template"),
    );
    let (mut read, mut bad) = (0u64, 0u64);
    let (mut added, mut known, mut conflicts) = (0u64, 0u64, 0u64);
    let (mut opened, mut joined) = (0u64, 0u64);
    while let Some(parsed) = ready.recv().await {
        let parsed = parsed.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        for e in &parsed.errors {
            bar.suspend(|| eprintln!("line {}: {}; skipped", e.line, printable(&e.message)));
        }
        bad += parsed.errors.len() as u64;
        read += parsed.records.len() as u64;
        if parsed.records.is_empty() {
            continue;
        }
        let ids: Vec<String> = parsed.records.iter().map(|r| r.call_id.clone()).collect();
        let count = parsed.records.len() as u64;
        let (outcome, followed) = state.add_calls(parsed.records, source).await?;
        opened += u64::from(followed.cases_opened);
        joined += u64::from(followed.calls_linked);
        if let Some(problem) = followed.problem {
            bar.suspend(|| {
                eprintln!("missed calls not all followed up: {problem} (import again once fixed)")
            });
        }
        added += u64::from(outcome.added);
        known += u64::from(outcome.already_known);
        for i in &outcome.conflicts {
            bar.suspend(|| {
                eprintln!(
                    "call {} is already stored with other details; kept as stored",
                    printable(&ids[*i])
                )
            });
        }
        conflicts += outcome.conflicts.len() as u64;
        bar.inc(count);
    }
    reading.await?;
    bar.finish_and_clear();
    println!(
        "{}: {read} calls ({source}): {added} added, {known} already known, {conflicts} conflicting (kept as stored), {bad} bad rows skipped",
        file.display(),
    );
    if opened + joined > 0 {
        println!(
            "missed calls of the last {} hours: {opened} cases opened to call back, {joined} calls added to the caller's open case",
            roadone_server::calls::missed::OPENS_CASES_FOR.num_hours()
        );
    }
    if read == 0 && bad > 0 {
        bail!("no row of {} could be read", file.display());
    }
    Ok(())
}
