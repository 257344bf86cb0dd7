//! The calls report on a day of calls counted by hand.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use roadone_analytics::calls::{call_report, CallParams, RING_BINS};
use roadone_store::{CallLeg, PhoneCase};
use std::collections::HashMap;

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap() // a Monday
}

/// A leg arriving at `arrived`, answered `ring` seconds later by `by` and talking `talk`
/// seconds, or not answered and ending `ring` seconds later with `disposition`.
fn leg(
    id: &str,
    linked: Option<&str>,
    caller: &str,
    arrived: DateTime<Utc>,
    ring: i64,
    answered: Option<(&str, i64)>,
    disposition: &str,
) -> CallLeg {
    let answered_at = answered.map(|_| arrived + Duration::seconds(ring));
    let ended = match answered {
        Some((_, talk)) => arrived + Duration::seconds(ring + talk),
        None => arrived + Duration::seconds(ring),
    };
    CallLeg {
        call: linked.unwrap_or(id).to_string(),
        inbound: caller.starts_with('+'),
        arrived_at: arrived,
        answered_at,
        ended_at: ended,
        disposition: roadone_store::calls_disposition(disposition),
        answered_by: answered.map(|(who, _)| who.into()),
        // The caller +44N is customer N.
        customer_id: caller.strip_prefix("+44").and_then(|n| n.parse().ok()),
        case_id: None,
    }
}

fn day() -> Vec<CallLeg> {
    let with = |talk: i64, who: &'static str| Some((who, talk));
    vec![
        // 09:00 answered by Ann after 2 s, 300 s of talk.
        leg(
            "1",
            None,
            "+441",
            at(9, 0, 0),
            2,
            with(300, "SIP/ann"),
            "answered",
        ),
        // 09:10 a queue: Bob's phone rang 8 s unanswered, Ann answered at 5 s, 120 s talk.
        leg("2a", Some("2"), "+442", at(9, 10, 0), 8, None, "no_answer"),
        leg(
            "2b",
            Some("2"),
            "+442",
            at(9, 10, 0),
            5,
            with(120, "SIP/ann"),
            "answered",
        ),
        // 09:20 Bob after 15 s, 600 s of talk.
        leg(
            "3",
            None,
            "+443",
            at(9, 20, 0),
            15,
            with(600, "SIP/bob"),
            "answered",
        ),
        // 10:05 abandoned after 40 s.
        leg("4", None, "+444", at(10, 5, 0), 40, None, "no_answer"),
        // 10:30 busy.
        leg("5", None, "+445", at(10, 30, 0), 1, None, "busy"),
        // 10:40 Bob after 25 s, 60 s talk.
        leg(
            "6",
            None,
            "+446",
            at(10, 40, 0),
            25,
            with(60, "SIP/bob"),
            "answered",
        ),
        // An extension calling out: not offered to us.
        leg(
            "7",
            None,
            "2001",
            at(11, 0, 0),
            3,
            with(30, "SIP/ext"),
            "answered",
        ),
        // 11:15 abandoned after 10 s.
        leg("8", None, "+448", at(11, 15, 0), 10, None, "abandoned"),
    ]
}

fn params() -> CallParams {
    CallParams {
        one_ring: Duration::seconds(6),
        service_level: Duration::seconds(20),
        people: HashMap::new(),
    }
}

fn local(t: DateTime<Utc>) -> (NaiveDate, u32, u32) {
    (t.date_naive(), t.weekday().num_days_from_monday(), t.hour())
}

#[test]
fn a_day_of_calls_gives_the_figures_counted_by_hand() {
    let r = call_report(&day(), &[], &params(), local);
    // Offered: 1, 2, 3, 4, 5, 6, 8 (7 is an extension; 2's legs are one call).
    assert_eq!(r.offered, 7);
    assert_eq!(r.answered, 4);
    // One ring (≤ 6 s): call 1 (2 s) and call 2 (Ann at 5 s).
    assert_eq!(r.one_ring, 2);
    assert_eq!(r.one_ring_share, Some(2.0 / 7.0));
    // Within 20 s: 1, 2, 3.
    assert_eq!(r.within_service_level, 3);
    assert_eq!((r.abandoned, r.busy, r.failed), (2, 1, 0));
    // Rings 2, 5, 15, 25: nearest-rank p50 = the 2nd = 5, p90 = the 4th = 25.
    assert_eq!(r.ring.count, 4);
    assert_eq!(
        (r.ring.p50_seconds, r.ring.p90_seconds),
        (Some(5.0), Some(25.0))
    );
    assert_eq!(RING_BINS.len(), r.ring.histogram.len());
    assert_eq!(r.ring.histogram, vec![1, 1, 0, 1, 1, 0, 0]);
    // Abandoned waits 10, 40.
    assert_eq!(
        (r.abandoned_wait.p50_seconds, r.abandoned_wait.p90_seconds),
        (Some(10.0), Some(40.0))
    );
    // Hours: 9 → three offered, all within 20 s; 10 → three offered, none within; 11 → one.
    assert_eq!(r.by_hour[9].offered, 3);
    assert_eq!(r.by_hour[9].service_level, Some(1.0));
    assert_eq!(
        (r.by_hour[10].offered, r.by_hour[10].within_service_level),
        (3, 0)
    );
    assert_eq!(r.by_hour[11].offered, 1);
    assert_eq!(
        r.by_hour[8].service_level, None,
        "nothing offered: no share"
    );
    assert_eq!(r.by_weekday[0].offered, 7, "a Monday");
    assert_eq!(r.by_week.len(), 1);
    assert_eq!(
        r.by_week[0].starts,
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    );
    // Operators, the most talk first: Bob 660 s over two calls, Ann 420 s over two.
    let ops: Vec<(&str, u32, f64)> = r
        .operators
        .iter()
        .map(|o| (o.lines[0].as_str(), o.answered, o.talk_seconds))
        .collect();
    assert_eq!(ops, [("SIP/bob", 2, 660.0), ("SIP/ann", 2, 420.0)]);
    assert!(r
        .operators
        .iter()
        .all(|o| o.person.is_none() && o.cases == 0));
    assert_eq!(r.operators[0].talk_median_seconds, 60.0);
    assert_eq!(r.operators[0].talk_p90_seconds, 600.0);
    assert_eq!(r.operators[1].one_ring, 2);
}

#[test]
fn no_calls_give_counts_of_zero_and_no_shares() {
    let r = call_report(&[], &[], &params(), local);
    assert_eq!(r.offered, 0);
    assert_eq!(r.one_ring_share, None);
    assert_eq!(r.service_level, None);
    assert_eq!(r.ring.p50_seconds, None);
    assert!(r.operators.is_empty());
}

fn phone_case(
    case_id: i64,
    customer_id: i64,
    opened: DateTime<Utc>,
    solved_by: Option<i64>,
    passed_up: bool,
    rating: Option<u8>,
) -> PhoneCase {
    PhoneCase {
        case_id,
        customer_id,
        opened_at: opened,
        solved_by,
        passed_up,
        rating,
    }
}

#[test]
fn operators_are_people_by_their_lines_and_their_calls_lead_to_cases() {
    let mut legs = day();
    // 12:00 Ann again, on the line the platform names by her email, in other capitals.
    legs.push(leg(
        "9",
        None,
        "+449",
        at(12, 0, 0),
        2,
        Some(("Ann@Example.com", 30)),
        "answered",
    ));
    // Bob's 10:40 call was linked to case 14 when it was taken.
    legs.iter_mut().find(|l| l.call == "6").unwrap().case_id = Some(14);
    let cases = [
        // Call 1's caller: opened 6 minutes after the call; Ann solved it, rated 5.
        phone_case(10, 1, at(9, 6, 0), Some(1), false, Some(5)),
        // Call 2's caller: opened 20 minutes after; passed up, solved by 7, rated 3.
        phone_case(11, 2, at(9, 30, 0), Some(7), true, Some(3)),
        // Call 3's caller, 1 h 40 after the call: not the call's case.
        phone_case(12, 3, at(11, 0, 0), None, false, None),
        // Call 6's caller, a minute before the call: not led to by it.
        phone_case(13, 6, at(10, 39, 0), Some(2), false, Some(5)),
        // Linked to call 6, though another customer's.
        phone_case(14, 99, at(8, 0, 0), Some(2), false, None),
    ];
    let mut params = params();
    params.people.insert("sip/ann".into(), 1);
    params.people.insert("ann@example.com".into(), 1);
    let r = call_report(&legs, &cases, &params, local);
    let ann = r.operators.iter().find(|o| o.person == Some(1)).unwrap();
    assert_eq!(ann.lines, ["Ann@Example.com", "SIP/ann"]);
    assert_eq!((ann.answered, ann.one_ring), (3, 3));
    assert_eq!(ann.talk_seconds, 450.0);
    assert_eq!(
        (
            ann.cases,
            ann.solved_by_them,
            ann.passed_up,
            ann.rated,
            ann.delighted
        ),
        (2, 1, 1, 2, 1)
    );
    let bob = r.operators.iter().find(|o| o.lines == ["SIP/bob"]).unwrap();
    assert_eq!(bob.person, None);
    assert_eq!((bob.cases, bob.solved_by_them, bob.passed_up), (1, 0, 0));
    assert_eq!(r.operators.len(), 2);
}
