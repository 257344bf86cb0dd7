//! Call records' cost: writes an Asterisk Master.csv of N rows (21 columns: the sample
//! configuration's 18 and `newcdrcolumns`, whose linkedid joins a call's legs; 40,000 callers, a queue that rings two phones for one call in five, one
//! call in eight abandoned), then runs `roadone import cdr` on it as a user would, timing
//! it and sampling its peak RSS; then imports it again (everything already known); then
//! times `roadone report calls` for the month, which holds every call.

use anyhow::{bail, Context, Result};
use chrono::{Duration, TimeZone, Utc};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const CALLERS: i64 = 40_000;

fn write_file(path: &Path, rows: u64) -> Result<u64> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut rng = crate::server::Rng::new(15);
    let start = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    let month = 30 * 86_400;
    let stamp = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let mut written = 0;
    let mut call = 0u64;
    while written < rows {
        call += 1;
        let caller = format!("+4477009{:05}", rng.below(CALLERS));
        // In time order, as a telephone system writes its file: calls spread evenly over
        // the month, a few seconds apart.
        let arrived = start
            + Duration::seconds((call as i64 * month) / (rows as i64 * 5 / 6).max(1))
            + Duration::seconds(rng.below(3));
        let legs = if rng.below(5) == 0 { 2 } else { 1 };
        let abandoned = rng.below(8) == 0;
        let ring = 1 + rng.below(25);
        let talk = 30 + rng.below(600);
        let linked = format!("{}.{call}", arrived.timestamp());
        for leg in 0..legs {
            if written == rows {
                break;
            }
            let answers = !abandoned && leg == legs - 1;
            let agent = 2000 + rng.below(40);
            let (answer, end, billsec, disposition, dstchannel) = if answers {
                let answered = arrived + Duration::seconds(ring);
                (
                    format!("\"{}\"", stamp(answered)),
                    arrived + Duration::seconds(ring + talk),
                    talk,
                    "ANSWERED",
                    format!("SIP/{agent}-{:08x}", call),
                )
            } else {
                (
                    String::new(),
                    arrived + Duration::seconds(ring),
                    0,
                    "NO ANSWER",
                    String::new(),
                )
            };
            let duration = (end - arrived).num_seconds();
            writeln!(
                f,
                "\"\",\"{caller}\",\"600\",\"from-pstn\",\"\"\"Caller {call}\"\" <{caller}>\",\"SIP/trunk-{:08x}\",\"{dstchannel}\",\"Queue\",\"support\",\"{}\",{answer},\"{}\",{duration},{billsec},\"{disposition}\",\"DOCUMENTATION\",\"{linked}.{leg}\",\"\",\"\",\"{linked}\",{leg}",
                call,
                stamp(arrived),
                stamp(end),
            )?;
            written += 1;
        }
    }
    f.flush()?;
    Ok(call)
}

/// Runs the program to its end, sampling its peak RSS (VmHWM) as it goes.
fn timed(program: &Path, args: &[&str]) -> Result<(f64, f64, String)> {
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("running {}", program.display()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0.0f64;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
            {
                peak = peak.max(kb / 1024.0);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        std::io::Read::read_to_string(&mut o, &mut out)?;
    }
    if !status.success() {
        bail!("{} {args:?} failed: {out}", program.display());
    }
    Ok((seconds, peak, out))
}

pub fn run(binary: &Path, rows: u64, runs: u32) -> Result<serde_json::Value> {
    let dir = tempfile::Builder::new()
        .prefix("roadone-cdr")
        .tempdir_in(crate::server::bench_dir()?)?;
    let file = dir.path().join("Master.csv");
    let calls = write_file(&file, rows)?;
    let bytes = std::fs::metadata(&file)?.len();
    let data = dir.path().join("data");
    let data_arg = data.to_str().context("a path in UTF-8")?;
    let file_arg = file.to_str().context("a path in UTF-8")?;
    let import = [
        "--data-dir",
        data_arg,
        "import",
        "cdr",
        file_arg,
        "--timezone",
        "UTC",
    ];
    let (first, first_rss, said) = timed(binary, &import)?;
    let (again, again_rss, said_again) = timed(binary, &import)?;
    let report = [
        "--data-dir",
        data_arg,
        "report",
        "calls",
        "--month",
        "2025-06",
        "--format",
        "json",
    ];
    let mut report_seconds = Vec::new();
    let mut report_rss = 0.0f64;
    let mut offered = 0;
    for _ in 0..runs {
        let (s, rss, out) = timed(binary, &report)?;
        report_seconds.push(s);
        report_rss = report_rss.max(rss);
        let json: serde_json::Value = serde_json::from_str(&out).context("the report's JSON")?;
        offered = json["offered"].as_u64().unwrap_or(0);
    }
    report_seconds.sort_by(f64::total_cmp);
    if std::env::var_os("ROADONE_BENCH_KEEP").is_some() {
        eprintln!("kept {}", dir.keep().display());
    }
    Ok(serde_json::json!({
        "bench": "cdr",
        "rows": rows,
        "calls": calls,
        "file_mb": bytes as f64 / 1e6,
        "import_seconds": first,
        "import_rows_per_second": rows as f64 / first,
        "import_peak_rss_mb": first_rss,
        "import_said": said.trim(),
        "again_seconds": again,
        "again_peak_rss_mb": again_rss,
        "again_said": said_again.trim(),
        "report_runs": runs,
        "report_seconds_median": report_seconds[report_seconds.len() / 2],
        "report_seconds": report_seconds,
        "report_peak_rss_mb": report_rss,
        "report_offered": offered,
    }))
}
