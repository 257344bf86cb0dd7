//! `roadone import cdr FILE`: call detail records from Asterisk (`cdr_csv`) or FreeSWITCH
//! (`mod_cdr_csv`), in batches with a progress bar; every row that cannot be read is
//! reported by its line and skipped. Idempotent by each leg's id: importing again (after
//! an interruption, say) adds only what is missing.

use crate::terminal::printable;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use roadone_server::calls::cdr::{detect, parse, Format};
use roadone_server::calls::intake::MAX_BATCH;
use roadone_server::AppState;
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
    let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let format = match format {
        "asterisk" => Format::Asterisk,
        "freeswitch" => Format::FreeSwitch,
        "auto" => detect(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?,
        other => bail!("--format: {other:?} is not asterisk, freeswitch or auto"),
    };
    let parsed = parse(&text, format, columns, zone)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let source = match format {
        Format::Asterisk => "asterisk",
        Format::FreeSwitch => "freeswitch",
    };
    for e in &parsed.errors {
        eprintln!("line {}: {}; skipped", e.line, printable(&e.message));
    }
    let bar = ProgressBar::new(parsed.records.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} calls {msg}")
            .expect("a valid progress template"),
    );
    let (mut added, mut known, mut conflicts) = (0u64, 0u64, 0u64);
    let (mut opened, mut joined) = (0u64, 0u64);
    for batch in parsed.records.chunks(MAX_BATCH) {
        let ids: Vec<String> = batch.iter().map(|r| r.call_id.clone()).collect();
        let (outcome, followed) = state.add_calls(batch.to_vec(), source).await?;
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
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    println!(
        "{}: {} calls ({source}): {added} added, {known} already known, {conflicts} conflicting (kept as stored), {} bad rows skipped",
        file.display(),
        parsed.records.len(),
        parsed.errors.len()
    );
    if opened + joined > 0 {
        println!(
            "missed calls of the last {} hours: {opened} cases opened to call back, {joined} calls added to the caller's open case",
            roadone_server::calls::missed::OPENS_CASES_FOR.num_hours()
        );
    }
    if parsed.records.is_empty() && !parsed.errors.is_empty() {
        bail!("no row of {} could be read", file.display());
    }
    Ok(())
}
