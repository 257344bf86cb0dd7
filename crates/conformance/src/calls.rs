//! Calls: each leg is stored once by its id (sent again: known; with other details: a
//! conflict, the stored one kept); a caller's E.164 number finds the customer who has it
//! or adds one; calls read back by arrival and per customer, the latest first.

use crate::{minutes, t0, Fixture};
use roadone_domain::Customer;
use roadone_store::{CallsOutcome, NewCall, OpenOutcome, Store, TwilioCallback};

fn call(id: &str, caller: &str, at: i64, answered: bool) -> NewCall {
    NewCall {
        call_id: id.into(),
        linked_id: None,
        caller: caller.into(),
        caller_name: Some("Ada Caller".into()),
        caller_is_e164: caller.starts_with('+'),
        callee: "2000".into(),
        answered_by: answered.then(|| "SIP/2000".into()),
        arrived_at: t0() + minutes(at),
        answered_at: answered.then(|| t0() + minutes(at) + chrono::Duration::seconds(4)),
        ended_at: t0() + minutes(at + 5),
        rang_at: None,
        recording_url: None,
        disposition: if answered { "answered" } else { "no_answer" }.into(),
        source: "asterisk".into(),
    }
}

pub async fn calls<S: Store>(store: S) {
    const CHECK: &str = "calls";
    let f = Fixture::seed(&store).await;
    let customer = Customer {
        email: Some("ada@example.com".into()),
        phone: Some("+44 7700 900123".into()),
        ..Customer::default()
    };
    let intake = f.intake_from("delivery", customer, "Where is it?");
    let Ok(OpenOutcome::Created(head)) = store
        .open_case(f.new_case(f.frontline.id, &intake, t0()))
        .await
    else {
        panic!("{CHECK}: a case from a customer with a phone");
    };
    let known = head.customer_id;
    let batch = vec![
        call("c-1", "+447700900123", 0, true),
        call("c-2", "+447700900999", 10, false),
        call("c-3", "2001", 20, true),
    ];
    let outcome = store
        .add_calls(batch.clone(), t0())
        .await
        .expect("add calls");
    assert_eq!(
        outcome,
        CallsOutcome {
            added: 3,
            ..CallsOutcome::default()
        },
        "{CHECK}"
    );
    let mut changed = call("c-2", "+447700900999", 10, true);
    changed.callee = "2001".into();
    let again = store
        .add_calls(vec![batch[0].clone(), changed], t0())
        .await
        .expect("add again");
    assert_eq!(
        (again.added, again.already_known, again.conflicts),
        (0, 1, vec![1]),
        "{CHECK}: the same call again is known; changed details are a conflict"
    );
    let all = store
        .calls_between(t0(), t0() + minutes(60))
        .await
        .expect("read calls");
    let ids: Vec<&str> = all.iter().map(|c| c.call.call_id.as_str()).collect();
    assert_eq!(ids, ["c-1", "c-2", "c-3"], "{CHECK}: by arrival");
    assert_eq!(all[0].call, batch[0], "{CHECK}: read back as stored");
    assert_eq!(
        all[0].customer_id,
        Some(known),
        "{CHECK}: matched by phone number"
    );
    let new = all[1].customer_id.expect("a new caller becomes a customer");
    assert_ne!(new, known);
    assert_eq!(
        all[2].customer_id, None,
        "{CHECK}: an extension is nobody's number"
    );
    assert_eq!(
        all[1].call.disposition, "no_answer",
        "{CHECK}: the first version kept"
    );
    let theirs = store.customer_calls(known).await.expect("customer's calls");
    assert_eq!(theirs.len(), 1, "{CHECK}");
    let later = store
        .calls_between(t0() + minutes(15), t0() + minutes(60))
        .await
        .expect("read");
    assert_eq!(later.len(), 1, "{CHECK}: [from, to)");
    let legs = store
        .call_legs_between(t0(), t0() + minutes(60))
        .await
        .expect("legs");
    let read: Vec<(&str, bool, bool)> = legs
        .iter()
        .map(|l| (l.call.as_str(), l.inbound, l.answered_at.is_some()))
        .collect();
    assert_eq!(
        read,
        [
            ("c-1", true, true),
            ("c-2", true, false),
            ("c-3", false, true)
        ],
        "{CHECK}: the legs as the report reads them"
    );

    // Linking calls to a case: once, the first case kept.
    assert_eq!(
        all[0].case_id, None,
        "{CHECK}: a new call is about no case yet"
    );
    store
        .link_calls(vec!["c-1".into(), "c-2".into(), "nope".into()], head.id)
        .await
        .expect("link");
    let other = store
        .open_case(f.new_case(
            f.frontline.id,
            &f.intake("delivery", "bo@example.com", "Also"),
            t0(),
        ))
        .await
        .expect("another case")
        .head()
        .id;
    store
        .link_calls(vec!["c-2".into(), "c-3".into()], other)
        .await
        .expect("link again");
    let on_case: Vec<String> = store
        .case_calls(head.id)
        .await
        .expect("case calls")
        .into_iter()
        .map(|c| c.call.call_id)
        .collect();
    assert_eq!(
        on_case,
        ["c-1", "c-2"],
        "{CHECK}: a linked call keeps its case"
    );
    let mut found = store
        .calls_by_id(vec!["c-3".into(), "missing".into()])
        .await
        .expect("by id");
    assert_eq!(found.len(), 1, "{CHECK}: only stored calls");
    assert_eq!(found.pop().and_then(|c| c.case_id), Some(other), "{CHECK}");

    // A case for someone known only by their number is the caller's, not a new customer.
    let caller = Customer {
        phone: Some("+447700900999".into()),
        ..Customer::default()
    };
    let by_phone = store
        .open_case(f.new_case(
            f.frontline.id,
            &f.intake_from("delivery", caller, "Missed call"),
            t0(),
        ))
        .await
        .expect("a phone-only case")
        .head()
        .customer_id;
    assert_eq!(by_phone, new, "{CHECK}: found by the number");

    // Status callbacks: each kept once by call and sequence number, read back in order.
    let cb = |sequence: i64, status: &str| TwilioCallback {
        call_sid: "CA9".into(),
        sequence,
        status: status.into(),
        at: t0() + chrono::Duration::seconds(sequence * 10),
        caller: "+447700900123".into(),
        caller_name: None,
        callee: "+442071838750".into(),
        direction: "inbound".into(),
        duration: (status == "completed").then_some(60),
        parent_sid: None,
    };
    let (new_one, seen) = store
        .add_twilio_callback(cb(1, "completed"))
        .await
        .expect("cb");
    assert!(new_one && seen.len() == 1, "{CHECK}");
    let (new_one, seen) = store
        .add_twilio_callback(cb(0, "ringing"))
        .await
        .expect("cb");
    assert!(new_one, "{CHECK}");
    let order: Vec<i64> = seen.iter().map(|c| c.sequence).collect();
    assert_eq!(order, [0, 1], "{CHECK}: by sequence");
    assert_eq!(seen[1], cb(1, "completed"), "{CHECK}: read back as kept");
    let (new_one, seen) = store
        .add_twilio_callback(cb(0, "ringing"))
        .await
        .expect("cb");
    assert!(
        !new_one && seen.len() == 2,
        "{CHECK}: a repeat is kept once"
    );
}
