//! Delight and the road mix on a small fixture counted by hand.

use crate::common;

use common::{at, log, Case};
use roadone_analytics::delight::delight;
use roadone_analytics::roads::roads;
use roadone_analytics::Month;
use roadone_domain::{CaseId, Event, Road};

const ANA: i64 = 1;
const BEN: i64 = 2;

fn fixture() -> Vec<(CaseId, Event)> {
    let mut cases = Vec::new();
    // 1: Ana solves a billing case on road 2 in March; rated 5, would recommend.
    let mut c = Case::opened_in(1, ANA, at(3, 2, 9, 0), "billing");
    c.solve_on(
        at(3, 2, 10, 0),
        ANA,
        Road::EmpathyAndCare,
        "Refunds take 5 days",
    )
    .rate(at(3, 2, 12, 0), 5, "She called me back herself", true);
    cases.push(c);
    // 2: Ben solves a delivery case on road 4 in March; rated 2 in March, not recommend.
    let mut c = Case::opened_in(2, BEN, at(3, 5, 9, 0), "delivery");
    c.solve_on(at(3, 5, 9, 30), BEN, Road::GoAway, "")
        .rate(at(3, 6, 8, 0), 2, "", false);
    cases.push(c);
    // 3: Ana solves on road 1 in late March; rated 5 in April (April's delight).
    let mut c = Case::opened_in(3, ANA, at(3, 30, 9, 0), "billing");
    c.solve_on(
        at(3, 31, 22, 0),
        ANA,
        Road::LearnFromYou,
        "Invoices confuse people",
    )
    .rate(
        at(4, 1, 9, 0),
        5,
        "They changed the invoice for everyone",
        true,
    );
    cases.push(c);
    // 4: Ben solves a billing case on road 3 in April, rated 4, would recommend.
    let mut c = Case::opened_in(4, BEN, at(4, 3, 9, 0), "billing");
    c.solve_on(at(4, 3, 11, 0), BEN, Road::Teach, "Show the app's export")
        .rate(at(4, 3, 15, 0), 4, "", true);
    cases.push(c);
    log(cases)
}

#[test]
fn delight_counts_the_months_ratings_by_solver_category_and_road() {
    let march = delight(Month::parse("2026-03").unwrap(), &fixture());
    assert_eq!(march.overall.n, 2);
    assert_eq!(march.overall.scores, [0, 1, 0, 0, 1]);
    assert_eq!(march.overall.mean, Some(3.5));
    assert_eq!(march.overall.recommend_rate, Some(0.5));
    assert_eq!(march.by_solver[&ANA].scores, [0, 0, 0, 0, 1]);
    assert_eq!(march.by_solver[&BEN].mean, Some(2.0));
    assert_eq!(march.by_category["delivery"].recommend_rate, Some(0.0));
    assert_eq!(march.by_road[&2].n, 1);
    assert_eq!(march.delighted.len(), 1);
    let d = &march.delighted[0];
    assert_eq!((d.case_id, d.solver, d.road), (1, ANA, 2));
    assert_eq!(d.delighted_by, "She called me back herself");

    let april = delight(Month::parse("2026-04").unwrap(), &fixture());
    assert_eq!(april.overall.n, 2, "case 3 was rated in April");
    assert_eq!(april.by_solver[&ANA].scores, [0, 0, 0, 0, 1]);
    assert_eq!(
        april.by_road[&1].n, 1,
        "credited to the road it was solved on"
    );
    assert_eq!(april.delighted[0].case_id, 3);
    assert_eq!(april.overall.recommend_rate, Some(1.0));
}

#[test]
fn the_road_mix_is_counted_per_category_and_month_with_what_was_learned() {
    let r = roads(
        Month::parse("2026-02").unwrap(),
        Month::parse("2026-04").unwrap(),
        &fixture(),
    );
    let months: Vec<&str> = r.by_month.keys().map(String::as_str).collect();
    assert_eq!(
        months,
        vec!["2026-02", "2026-03", "2026-04"],
        "every month, even empty ones"
    );
    assert!(r.by_month["2026-02"].is_empty());
    assert_eq!(r.by_month["2026-03"]["billing"].roads, [1, 1, 0, 0]);
    assert_eq!(r.by_month["2026-03"]["delivery"].roads, [0, 0, 0, 1]);
    assert_eq!(r.by_month["2026-04"]["billing"].roads, [0, 0, 1, 0]);
    assert_eq!(r.by_month["2026-04"]["billing"].solved, 1);
    let learned: Vec<&str> = r.learned.iter().map(|l| l.learned.as_str()).collect();
    assert_eq!(
        learned,
        vec![
            "Show the app's export",
            "Invoices confuse people",
            "Refunds take 5 days"
        ],
        "newest first; an empty lesson is not listed"
    );
}
