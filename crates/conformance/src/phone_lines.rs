//! Phone lines and callers: a line names one person at a time (lines compare without
//! regard to case, and changing one moves the directory version so every server sees it);
//! a caller known only by their number becomes the customer of the phone case staff open
//! for them, and of no case anyone else opens with that number.

use crate::{minutes, t0, Fixture};
use roadone_domain::{Channel, Customer};
use roadone_store::{CaseCall, NewCall, OpenOutcome, PhoneLine, Store, StoreError};

fn answered_call(id: &str, caller: &str, at: i64) -> NewCall {
    NewCall {
        call_id: id.into(),
        linked_id: None,
        caller: caller.into(),
        caller_name: None,
        caller_is_e164: true,
        callee: "2000".into(),
        answered_by: Some("PJSIP/201".into()),
        arrived_at: t0() + minutes(at),
        answered_at: Some(t0() + minutes(at) + chrono::Duration::seconds(3)),
        ended_at: t0() + minutes(at + 4),
        rang_at: None,
        recording_url: None,
        disposition: "answered".into(),
        source: "api".into(),
    }
}

/// The calls a follow-up still owes an owner, over the day before `t0`.
async fn owed<S: Store>(store: &S) -> Vec<String> {
    let since = t0() - minutes(24 * 60);
    let legs = store
        .missed_calls_without_case(since)
        .await
        .expect("missed");
    legs.into_iter().map(|l| l.call_id).collect()
}

async fn caller_of<S: Store>(store: &S, call: &str) -> Option<i64> {
    store.calls_by_id(vec![call.into()]).await.expect("call")[0].customer_id
}

pub async fn phone_lines<S: Store>(store: S) {
    const CHECK: &str = "phone_lines";
    let f = Fixture::seed(&store).await;
    let set = |line: &str, person| store.set_phone_line(line.to_string(), person);
    let version = store.directory_version().await.expect("version");
    assert!(
        set("PJSIP/201", Some(f.frontline.id)).await.expect("set"),
        "{CHECK}"
    );
    assert!(
        store.directory_version().await.expect("version") > version,
        "{CHECK}: every server must notice a new line"
    );
    assert!(
        !set("pjsip/201", Some(f.frontline.id)).await.expect("set"),
        "{CHECK}: another spelling is the same line, already theirs"
    );
    assert!(
        set("pjsip/201", Some(f.frontline2.id)).await.expect("set"),
        "{CHECK}"
    );
    assert!(
        set("1001", Some(f.frontline.id)).await.expect("set"),
        "{CHECK}"
    );
    let lines = store.phone_lines().await.expect("lines");
    assert_eq!(
        lines,
        [
            PhoneLine {
                line: "1001".into(),
                person_id: f.frontline.id
            },
            PhoneLine {
                line: "PJSIP/201".into(),
                person_id: f.frontline2.id
            },
        ],
        "{CHECK}: one person per line, by line, first spelling kept"
    );
    match set("1002", Some(9_999)).await {
        Err(StoreError::UnknownPerson { .. }) => {}
        other => panic!("{CHECK}: a line for nobody must be refused, got {other:?}"),
    }
    assert!(set("1001", None).await.expect("free"), "{CHECK}");
    assert!(
        !set("1001", None).await.expect("free"),
        "{CHECK}: nothing left to free"
    );
    assert_eq!(
        store.phone_lines().await.expect("lines").len(),
        1,
        "{CHECK}"
    );

    // Two callers, known only by their numbers.
    store
        .add_calls(
            vec![
                answered_call("C-1", "+447700900777", -30),
                answered_call("C-2", "+447700900888", -20),
            ],
            t0(),
        )
        .await
        .expect("calls");
    let open = |email: &str, phone: &str, channel: Channel| {
        let customer = Customer {
            email: Some(email.into()),
            phone: Some(phone.into()),
            ..Customer::default()
        };
        let mut intake = f.intake_from("delivery", customer, "About my call");
        intake.channel = channel;
        store.open_case(f.new_case(f.frontline.id, &intake, t0()))
    };
    // Someone writing in with a caller's number does not become that caller.
    let Ok(OpenOutcome::Created(by_mail)) =
        open("someone@example.com", "+44 7700 900777", Channel::Email).await
    else {
        panic!("{CHECK}: a mail case");
    };
    assert_ne!(
        Some(by_mail.customer_id),
        caller_of(&store, "C-1").await,
        "{CHECK}"
    );
    // Staff taking the second caller's call: the case is that caller's, and the record
    // gains the email they gave.
    let Ok(OpenOutcome::Created(taken)) =
        open("caller@example.com", "+44 7700 900888", Channel::Phone).await
    else {
        panic!("{CHECK}: a phone case");
    };
    assert_eq!(
        Some(taken.customer_id),
        caller_of(&store, "C-2").await,
        "{CHECK}: the phone case belongs to the caller"
    );
    let found = store
        .customer_by_email("caller@example.com")
        .await
        .expect("customer");
    assert_eq!(found.map(|c| c.id), Some(taken.customer_id), "{CHECK}");

    // A missed call three hours before its case: linked to it, not found by the hour.
    let mut missed = answered_call("C-3", "+447700900999", -180);
    (missed.answered_by, missed.answered_at) = (None, None);
    store.add_calls(vec![missed], t0()).await.expect("calls");
    let callback = Customer {
        phone: Some("+447700900999".into()),
        ..Customer::default()
    };
    let mut intake = f.intake_from("delivery", callback, "Missed call");
    intake.channel = Channel::Phone;
    let Ok(OpenOutcome::Created(missed_case)) = store
        .open_case(f.new_case(f.frontline.id, &intake, t0()))
        .await
    else {
        panic!("{CHECK}: a missed call's case");
    };
    assert_eq!(
        owed(&store).await,
        ["C-3"],
        "{CHECK}: a missed call no case owns is owed a follow-up; answered ones are not"
    );
    store
        .link_calls(vec!["C-3".into()], missed_case.id)
        .await
        .expect("link");
    assert!(
        owed(&store).await.is_empty(),
        "{CHECK}: a linked missed call is owed nothing"
    );
    let answers = store
        .phone_case_calls(chrono::Duration::hours(1))
        .await
        .expect("phone case calls");
    assert_eq!(
        answers,
        [
            CaseCall {
                case_id: taken.id,
                first_arrived: t0() + minutes(-20),
                first_answered: Some(t0() + minutes(-20) + chrono::Duration::seconds(3)),
            },
            CaseCall {
                case_id: missed_case.id,
                first_arrived: t0() + minutes(-180),
                first_answered: None,
            },
        ],
        "{CHECK}: each phone case with how its caller got through; the mail case has none"
    );

    let cases = store
        .phone_cases_between(t0() - minutes(60), t0() + minutes(60))
        .await
        .expect("phone cases");
    let ids: Vec<i64> = cases.iter().map(|c| c.case_id).collect();
    assert_eq!(
        ids,
        [taken.id, missed_case.id],
        "{CHECK}: only cases opened on the phone"
    );
    assert_eq!(
        (cases[0].solved_by, cases[0].passed_up, cases[0].rating),
        (None, false, None),
        "{CHECK}: an open case, never passed up or rated"
    );
}
