//! Checks of what the case views filter on and count: a team's owners, escalated cases,
//! cases waiting on their customer, the channel, a case's age, the sorts, the count.

use crate::{hours, ids, list, person, t0, Fixture};
use chrono::Duration;
use roadone_domain::{Actor, AttachmentRef, Channel, Command};
use roadone_store::records::*;
use roadone_store::CaseHead;
use roadone_store::Store;

const CHECK: &str = "case_views";

pub async fn case_views<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let (f1, f2, staff) = (fx.frontline.id, fx.frontline2.id, fx.staff.id);
    let open = |by, subject: &'static str, at| {
        let (store, fx) = (&store, &fx);
        async move {
            fx.open(store, by, "billing", "ann@example.com", subject, at)
                .await
        }
    };
    let a = open(f1, "Oldest", t0()).await;
    let b = open(f2, "Middle", t0() + hours(1)).await;
    let mut phoned = fx.intake("delivery", "bob@example.com", "By phone");
    phoned.channel = Channel::Phone;
    let c = match store
        .open_case(fx.new_case(staff, &phoned, t0() + hours(2)))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: open_case failed: {e}"))
    {
        OpenOutcome::Created(h) => h,
        other => panic!("{CHECK}: {other:?}"),
    };
    let message = |body: &str| Command::SendMessage {
        body: body.into(),
        attachments: Vec::<AttachmentRef>::new(),
    };
    fx.act(
        &store,
        a.id,
        message("Which card?"),
        person(f1),
        t0() + hours(3),
    )
    .await;
    fx.act(
        &store,
        b.id,
        message("Which order?"),
        person(f2),
        t0() + hours(3),
    )
    .await;
    let reply = Command::CustomerReply {
        body: "Order 7".into(),
        attachments: Vec::new(),
    };
    fx.act(&store, b.id, reply, Actor::Customer, t0() + hours(4))
        .await;
    fx.act(
        &store,
        c.id,
        Command::Escalate,
        Actor::System,
        t0() + hours(22),
    )
    .await;

    let filter = |f: CaseFilter| CaseFilter { limit: 100, ..f };
    let count = |f: CaseFilter| {
        let store = &store;
        async move {
            store
                .count_cases(f.clone())
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: count_cases({f:?}) failed: {e}"))
        }
    };
    let team = filter(CaseFilter {
        owners: vec![f1, f2],
        ..CaseFilter::default()
    });
    assert_eq!(
        ids(&list(&store, team.clone()).await),
        vec![a.id, b.id],
        "{CHECK}: a team's view holds the cases its people own"
    );
    assert_eq!(count(team).await, 2, "{CHECK}: and counts them");
    let waiting = filter(CaseFilter {
        awaiting_customer: Some(true),
        ..CaseFilter::default()
    });
    assert_eq!(
        ids(&list(&store, waiting.clone()).await),
        vec![a.id],
        "{CHECK}: a case we wrote on last waits on its customer; one they answered does not"
    );
    let escalated = filter(CaseFilter {
        escalated: Some(true),
        ..CaseFilter::default()
    });
    assert_eq!(
        ids(&list(&store, escalated).await),
        vec![c.id],
        "{CHECK}: the escalated view holds the escalated case"
    );
    let by_phone = filter(CaseFilter {
        channel: Some(Channel::Phone),
        ..CaseFilter::default()
    });
    assert_eq!(
        ids(&list(&store, by_phone).await),
        vec![c.id],
        "{CHECK}: the channel is the one the case came in by"
    );
    let aged = filter(CaseFilter {
        opened_from: Some(t0() + hours(1)),
        opened_before: Some(t0() + hours(2)),
        ..CaseFilter::default()
    });
    assert_eq!(
        ids(&list(&store, aged.clone()).await),
        vec![b.id],
        "{CHECK}: opened in [from, before)"
    );
    assert_eq!(count(aged).await, 1);
    let sorted = |sort| {
        filter(CaseFilter {
            sort,
            ..CaseFilter::default()
        })
    };
    assert_eq!(
        ids(&list(&store, sorted(CaseSort::Newest)).await),
        vec![c.id, b.id, a.id],
        "{CHECK}: newest first"
    );
    assert_eq!(
        ids(&list(&store, sorted(CaseSort::Oldest)).await),
        vec![a.id, b.id, c.id],
        "{CHECK}: oldest first"
    );
    assert_eq!(
        ids(&list(&store, sorted(CaseSort::LastChange)).await),
        vec![c.id, b.id, a.id],
        "{CHECK}: the latest change first"
    );
    let one = filter(CaseFilter {
        id: Some(b.id),
        owners: vec![f1],
        ..CaseFilter::default()
    });
    assert!(
        list(&store, one).await.is_empty(),
        "{CHECK}: a case named by id still passes the other conditions"
    );
    let paged = CaseFilter {
        limit: 1,
        offset: 1,
        sort: CaseSort::Oldest,
        ..CaseFilter::default()
    };
    assert_eq!(ids(&list(&store, paged.clone()).await), vec![b.id]);
    assert_eq!(
        count(paged).await,
        3,
        "{CHECK}: the count is of every page, not this one"
    );
}

/// A person's saved views are theirs alone, by name; saving a name again replaces it.
pub async fn saved_views<S: Store>(store: S) {
    const CHECK: &str = "saved_views";
    let fx = Fixture::seed(&store).await;
    let view = |name: &str, query: &str| SavedView {
        name: name.into(),
        query: query.into(),
    };
    let save = |person, v: SavedView| {
        let store = &store;
        async move {
            store
                .save_view(person, v, t0())
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: save_view failed: {e}"))
        }
    };
    save(fx.staff.id, view("team", "view=team")).await;
    save(fx.staff.id, view("Billing", "view=mine&category=billing")).await;
    save(fx.staff.id, view("team", "view=team&state=all")).await;
    save(fx.frontline.id, view("mine", "view=mine")).await;
    let of = |person| {
        let store = &store;
        async move {
            store
                .saved_views(person)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: saved_views failed: {e}"))
        }
    };
    assert_eq!(
        of(fx.staff.id).await,
        vec![
            view("Billing", "view=mine&category=billing"),
            view("team", "view=team&state=all")
        ],
        "{CHECK}: by name, the second save of a name replacing the first, nobody else's"
    );
    assert!(
        store
            .save_view(fx.staff.id + 1000, view("x", "view=mine"), t0())
            .await
            .is_err(),
        "{CHECK}: nobody saves a view for a person who does not exist"
    );
    assert!(store.delete_view(fx.staff.id, "team").await.unwrap());
    assert!(
        !store.delete_view(fx.staff.id, "team").await.unwrap(),
        "{CHECK}: a view is deleted once"
    );
    assert_eq!(of(fx.staff.id).await.len(), 1);
    assert_eq!(
        of(fx.frontline.id).await.len(),
        1,
        "{CHECK}: deleting one person's view leaves another's"
    );
}

/// Every page of the long views is the page of one order over all their cases: open and
/// solved together by urgency (open by the time left, then solved by last change), and a
/// team's cases by last change — whatever walks a backend takes to read them. A capped
/// count stops one past its cap.
pub async fn case_view_pages<S: Store>(store: S) {
    const CHECK: &str = "case_view_pages";
    let fx = Fixture::seed(&store).await;
    let owners = [fx.frontline.id, fx.frontline2.id, fx.staff.id];
    let mut opened = Vec::new();
    for i in 0..24i64 {
        let by = owners[i as usize % 3];
        let subject = format!("Case {i}");
        let at = t0() + Duration::minutes(7 * i);
        let head = fx
            .open(&store, by, "delivery", "pages@example.com", &subject, at)
            .await;
        opened.push((head.id, by));
    }
    // Two of three solved, some at the same moment (their order is then by id).
    for (i, (id, by)) in opened.iter().enumerate() {
        if i % 3 != 2 {
            let at = t0() + hours(5) + Duration::minutes(((i * 5) % 40) as i64 / 2 * 2);
            fx.act(&store, *id, crate::solve(), person(*by), at).await;
        }
    }
    let all = list(&store, crate::everything()).await;
    assert_eq!(all.len(), 24, "{CHECK}: every case is listed");
    let mut urgency = all.clone();
    urgency.sort_by_key(|h| match h.status {
        roadone_domain::CaseStatus::Open => (0, h.escalates_at.timestamp_millis(), h.id),
        _ => (1, -h.updated_at.timestamp_millis(), -h.id),
    });
    let team = [fx.frontline.id, fx.frontline2.id];
    let mut by_change: Vec<_> = all
        .iter()
        .filter(|h| team.contains(&h.owner))
        .cloned()
        .collect();
    by_change.sort_by_key(|h| (-h.updated_at.timestamp_millis(), -h.id));
    for limit in [1u32, 4, 5, 50] {
        for offset in 0..26u32 {
            let page = |want: &[CaseHead]| -> Vec<_> {
                want.iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .map(|h| h.id)
                    .collect()
            };
            let every_state = CaseFilter {
                limit,
                offset,
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&list(&store, every_state).await),
                page(&urgency),
                "{CHECK}: every state by urgency, {limit} from {offset}"
            );
            let customers = CaseFilter {
                customer_id: Some(all[0].customer_id),
                limit,
                offset,
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&list(&store, customers).await),
                page(&urgency),
                "{CHECK}: a customer's cases by urgency, {limit} from {offset}"
            );
            let team_view = CaseFilter {
                owners: team.to_vec(),
                sort: CaseSort::LastChange,
                limit,
                offset,
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&list(&store, team_view).await),
                page(&by_change),
                "{CHECK}: a team by last change, {limit} from {offset}"
            );
        }
    }
    let capped = |cap| CaseFilter {
        count_up_to: Some(cap),
        ..CaseFilter::default()
    };
    assert_eq!(
        store.count_cases(capped(5)).await.unwrap(),
        6,
        "{CHECK}: a count stops one past its cap"
    );
    assert_eq!(
        store.count_cases(capped(24)).await.unwrap(),
        24,
        "{CHECK}: a cap at the count is the count"
    );
    assert_eq!(store.count_cases(capped(1000)).await.unwrap(), 24);
}
