//! The monthly trail on a small fixture whose every figure was computed by hand (the
//! working is in the comments), as docs/metrics.md defines them.

use crate::common;

use common::{at, log, Case};
use roadone_analytics::trail::{trail, PersonTrail, SortBy};
use roadone_analytics::Month;
use roadone_domain::{CaseId, Event, PersonId};

const F: PersonId = 1; // frontline
const F2: PersonId = 2; // frontline
const M: PersonId = 3; // manager
const E: PersonId = 4; // executive

fn fixture() -> Vec<(CaseId, Event)> {
    let mut cases = Vec::new();
    // 1: F holds 10 min, passes; M solves 15 min later, no reply: a quick catch for F.
    let mut c = Case::opened(1, F, at(3, 2, 9, 0));
    c.pass(at(3, 2, 9, 10), F, M).solve(at(3, 2, 9, 25), M);
    cases.push(c);
    // 2: F holds 1 h, passes; the customer writes; M solves 20 min after the pass: no catch.
    let mut c = Case::opened(2, F, at(3, 3, 10, 0));
    c.pass(at(3, 3, 11, 0), F, M)
        .reply(at(3, 3, 11, 5))
        .solve(at(3, 3, 11, 20), M);
    cases.push(c);
    // 3: F2 holds 20 h; escalated to E, who solves 2 h later.
    let mut c = Case::opened(3, F2, at(3, 4, 8, 0));
    c.escalate(at(3, 5, 4, 0), F2, E).solve(at(3, 5, 6, 0), E);
    cases.push(c);
    // 4: opened in February by F (not March's intake), solved by F on 1 March: 48 h held.
    let mut c = Case::opened(4, F, at(2, 27, 12, 0));
    c.solve(at(3, 1, 12, 0), F);
    cases.push(c);
    // 5: F2 holds 30 min; M takes it, holds 30 min, passes to E; E solves 1 h later.
    let mut c = Case::opened(5, F2, at(3, 10, 9, 0));
    c.take(at(3, 10, 9, 30), F2, M)
        .pass(at(3, 10, 10, 0), M, E)
        .solve(at(3, 10, 11, 0), E);
    cases.push(c);
    // 6: F passes 5 min in, late on 31 March; M solves 15 min later, in April: still a
    // quick catch for March's pass, but M's solve and holding belong to April.
    let mut c = Case::opened(6, F, at(3, 31, 23, 50));
    c.pass(at(3, 31, 23, 55), F, M).solve(at(4, 1, 0, 10), M);
    cases.push(c);
    // 7: F2 upgrades after 1 h; M still holds it.
    let mut c = Case::opened(7, F2, at(3, 12, 9, 0));
    c.upgrade(at(3, 12, 10, 0), F2, M);
    cases.push(c);
    // 8: F holds 20 h; escalated to E; never solved.
    let mut c = Case::opened(8, F, at(3, 20, 0, 0));
    c.escalate(at(3, 20, 20, 0), F, E);
    cases.push(c);
    // 9: F2 deactivated after 1 h: the system passes the case to M (not F2's pass).
    let mut c = Case::opened(9, F2, at(3, 15, 10, 0));
    c.system_pass(at(3, 15, 11, 0), F2, M);
    cases.push(c);
    log(cases)
}

fn person(t: &[PersonTrail], id: PersonId) -> &PersonTrail {
    t.iter().find(|p| p.person == id).unwrap()
}

const H: i64 = 3600;

#[test]
fn every_figure_matches_the_hand_computation() {
    let march = trail(Month::parse("2026-03").unwrap(), &fixture());
    assert_eq!(march.month, "2026-03");
    let ids: Vec<PersonId> = march.people.iter().map(|p| p.person).collect();
    assert_eq!(ids, vec![F, F2, M, E]);

    let f = person(&march.people, F);
    // Intakes 1, 2, 6, 8 (4 was February's); solved 4; passed 1, 2, 6; caught 1 and 6.
    assert_eq!(f.received.intake, 4);
    assert_eq!(f.received_total, 4);
    assert_eq!((f.solved, f.passed_up, f.quick_catches), (1, 3, 2));
    // Held: 10 min, 1 h, 48 h, 5 min, 20 h → sorted 300, 600, 3600, 72000, 172800:
    // median rank ⌈2.5⌉ = 3 → 1 h; p90 rank ⌈4.5⌉ = 5 → 48 h.
    assert_eq!(f.holdings, 5);
    assert_eq!(f.held_median_seconds, Some(H));
    assert_eq!(f.held_p90_seconds, Some(48 * H));
    assert_eq!(f.escalations_while_owner, 1);
    assert_eq!(f.buck_passing_index, Some(0.75));

    let f2 = person(&march.people, F2);
    // Intakes 3, 5, 7, 9; upgraded 7; the system's pass of 9 is not F2's.
    assert_eq!(f2.received.intake, 4);
    assert_eq!((f2.solved, f2.passed_up, f2.upgraded), (0, 0, 1));
    assert_eq!(f2.buck_passing_index, None);
    // Held: 20 h, 30 min, 1 h, 1 h → 1800, 3600, 3600, 72000: median rank 2, p90 rank 4.
    assert_eq!(f2.holdings, 4);
    assert_eq!(f2.held_median_seconds, Some(H));
    assert_eq!(f2.held_p90_seconds, Some(20 * H));
    assert_eq!(f2.escalations_while_owner, 1);

    let m = person(&march.people, M);
    // Received by pass 1, 2, 6, 9; by take 5; by upgrade 7. Solved 1, 2 (6 is April's).
    assert_eq!(m.received.pass_up, 4);
    assert_eq!(m.received.take, 1);
    assert_eq!(m.received.upgrade, 1);
    assert_eq!(m.received_total, 6);
    assert_eq!((m.solved, m.passed_up, m.taken), (2, 1, 1));
    // Held: 15 min, 20 min, 30 min → median 20 min, p90 30 min.
    assert_eq!(m.held_median_seconds, Some(1200));
    assert_eq!(m.held_p90_seconds, Some(1800));
    assert_eq!(m.buck_passing_index, Some(1.0 / 3.0));
    assert_eq!(m.quick_catches, 0, "E solved 5 an hour after M's pass");

    let e = person(&march.people, E);
    assert_eq!(e.received.escalation, 2);
    assert_eq!(e.received.pass_up, 1);
    assert_eq!(e.solved, 2);
    assert_eq!(e.buck_passing_index, Some(0.0));
    assert_eq!(
        (
            e.escalations_received,
            e.escalations_solved,
            e.escalations_unsolved
        ),
        (2, 1, 1)
    );
    assert_eq!(e.escalation_solve_median_seconds, Some(2 * H));
    assert_eq!(e.escalation_solve_p90_seconds, Some(2 * H));
    // Held 2 h (3) and 1 h (5) → median rank 1 → 1 h, p90 rank 2 → 2 h.
    assert_eq!(e.held_median_seconds, Some(H));
    assert_eq!(e.held_p90_seconds, Some(2 * H));
}

#[test]
fn april_gets_what_ended_in_april() {
    let april = trail(Month::parse("2026-04").unwrap(), &fixture());
    let m = person(&april.people, M);
    assert_eq!(m.solved, 1, "case 6, solved just after midnight");
    assert_eq!(m.held_median_seconds, Some(15 * 60));
    assert!(
        april
            .people
            .iter()
            .all(|p| p.person != F || p.passed_up == 0),
        "F's pass of case 6 was in March"
    );
}

#[test]
fn views_sort_by_solves_and_by_buck_passing() {
    let mut t = trail(Month::parse("2026-03").unwrap(), &fixture());
    t.sort(SortBy::Solves);
    let order: Vec<PersonId> = t.people.iter().map(|p| p.person).collect();
    assert_eq!(order, vec![M, E, F, F2], "2, 2, 1, 0 solves; ties by id");
    t.sort(SortBy::BuckPassing);
    let order: Vec<PersonId> = t.people.iter().map(|p| p.person).collect();
    assert_eq!(order, vec![F, M, E, F2], "0.75, 0.33, 0, none");
}

#[test]
fn junk_marks_count_for_who_marked_and_an_undone_mark_counts_against_them() {
    let mut cases = Vec::new();
    // 20: F marks their own case junk 10 min in.
    let mut c = Case::opened(20, F, at(4, 2, 9, 0));
    c.mark_junk(at(4, 2, 9, 10), F, F);
    cases.push(c);
    // 21: M marks F's case junk an hour in; E undoes it at noon; F solves it at 13:00.
    let mut c = Case::opened(21, F, at(4, 3, 9, 0));
    c.mark_junk(at(4, 3, 10, 0), M, F)
        .undo_junk(at(4, 3, 12, 0), E, F)
        .solve(at(4, 3, 13, 0), F);
    cases.push(c);
    // 22: F2 marks their case junk 5 min in; the customer writes again the next day.
    let mut c = Case::opened(22, F2, at(4, 4, 9, 0));
    c.mark_junk(at(4, 4, 9, 5), F2, F2)
        .reopen(at(4, 5, 8, 0), F2);
    cases.push(c);
    // 23: F's mark of 31 March is undone on 1 April: April's undoing, March's mark.
    let mut c = Case::opened(23, F, at(3, 31, 22, 0));
    c.mark_junk(at(3, 31, 23, 0), F, F)
        .undo_junk(at(4, 1, 1, 0), M, F);
    cases.push(c);
    let events = log(cases);

    let april = trail(Month::parse("2026-04").unwrap(), &events);
    let f = person(&april.people, F);
    assert_eq!((f.junk_marked, f.junk_marks_undone), (1, 1));
    // Held: 10 min (20), 1 h before the mark and 1 h after the undo (21); 23 still held.
    assert_eq!(f.holdings, 3);
    assert_eq!(f.held_median_seconds, Some(H));
    assert_eq!(f.solved, 1);
    assert_eq!(f.passed_up, 0, "a junk mark is not a pass");
    let m = person(&april.people, M);
    assert_eq!((m.junk_marked, m.junk_marks_undone), (1, 1));
    let f2 = person(&april.people, F2);
    assert_eq!((f2.junk_marked, f2.junk_marks_undone), (1, 1));
    assert_eq!((f2.received.intake, f2.received.reopen), (1, 1));
    assert_eq!(f2.held_median_seconds, Some(5 * 60));
    assert!(
        april.people.iter().all(|p| p.person != E),
        "undoing a mark is a review, not a figure of E's"
    );

    let march = trail(Month::parse("2026-03").unwrap(), &events);
    let f = person(&march.people, F);
    assert_eq!((f.junk_marked, f.junk_marks_undone), (1, 0));
}
