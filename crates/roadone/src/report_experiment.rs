//! `roadone report experiment KEY`: what an experiment showed, as a table, JSON or the
//! sufficient statistics as CSV.

use anyhow::Result;
use roadone_server::AppState;

pub async fn experiment(state: &AppState, key: &str, format: &str) -> Result<()> {
    use roadone_server::reports::experiment as r;
    crate::report::check_format(format)?;
    let report = r::experiment(state, key).await?;
    let rows = r::csv_rows(&report);
    crate::report::show(format, &report, r::CSV_HEADER, rows, |rep, _| {
        println!("Experiment {} — {} ({})", rep.key, rep.name, rep.state);
        if !rep.hypothesis.is_empty() {
            println!("Hypothesis: {}", rep.hypothesis);
        }
        println!(
            "Health: {}",
            if rep.health.ok { "sound" } else { "PROBLEM" }
        );
        for s in &rep.health.sample_ratio {
            println!(
                "  version {}: {} treated, {} control at {:.2}% — {}",
                s.version,
                s.treated,
                s.control,
                s.expected_share * 100.0,
                s.says
            );
        }
        for note in &rep.health.notes {
            println!("  note: {note}");
        }
        if let Some(why) = &rep.lifts_withheld {
            println!("Figures withheld: {why}");
        }
        println!(
            "Figures (sales: {} in the {} days after assignment; CUPED over the {} days before):",
            rep.currency, rep.follow_days, rep.look_back_days
        );
        print!(
            "{}",
            crate::report::columns(r::FIGURE_HEADER, &r::figure_rows(&rep.overall))
        );
        for g in &rep.guardrails {
            println!("Guardrail, {}: {}", g.label, g.says);
        }
        for p in &rep.planning {
            println!(
                "Planning, {}: {} customers for a difference of {:.2} ({:.0}× an even split) — {}",
                p.label, p.total_needed, p.effect, p.times_even_split, p.says
            );
        }
        println!("Payback: {}", rep.payback.says);
        for q in &rep.quotes {
            println!(
                "  “{}” ({} customer, case {})",
                q.text,
                q.arm.as_str(),
                q.case_id
            );
        }
    })
}
