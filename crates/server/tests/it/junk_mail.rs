//! Junk never opens a case: a stranger's message an upstream filter called spam waits
//! among the suspended, unanswered, until staff release it (a case, acknowledged) or
//! delete it; a known customer's mail and a reply to a case are never held; and the
//! filter learns from what staff release and delete.

use crate::common;

use common::inbound::{customer_mails, deliver, raw_mail};
use common::staff::{set_passwords, StaffSession};
use common::TestApp;
use reqwest::StatusCode;

fn mail(from: &str, subject: &str, extra: &[(&str, &str)], body: &str) -> String {
    let mut headers = vec![
        ("From", from),
        ("To", "support@roadone.local"),
        ("Subject", subject),
    ];
    headers.extend_from_slice(extra);
    raw_mail(&headers, body)
}

const FLAGGED: (&str, &str) = (
    "X-Spam-Status",
    "Yes, score=8.1 required=5.0 tests=BAYES_99,HTML_MESSAGE",
);

async fn settle(staff: &StaffSession, id: i64, action: &str) -> String {
    let r = staff
        .post(&format!("/staff/mail/suspended/{id}"))
        .form(&[("csrf", staff.csrf.as_str()), ("action", action)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action} {id}");
    common::html::unescape(&staff.follow(r).await)
}

fn suspended_ids(page: &str) -> Vec<i64> {
    common::html::attributes(page, "action")
        .into_iter()
        .filter_map(|a| a.strip_prefix("/staff/mail/suspended/")?.parse().ok())
        .collect()
}

#[tokio::test]
async fn a_strangers_spam_waits_unanswered_until_released_or_deleted() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let before = customer_mails(&app, None).await;
    let r = deliver(
        &app,
        &mail(
            "Offers <deals@promo.example>",
            "Rates DROPPED! Refinancing your house",
            &[FLAGGED],
            "Refinance today at pennies a day.\r\n",
        ),
    )
    .await;
    assert_eq!(r.body["outcome"], "suspended", "{}", r.text);
    assert!(r.body["case_id"].is_null(), "no case: {}", r.text);
    assert!(
        r.body["reason"]
            .as_str()
            .unwrap()
            .contains("SpamAssassin marked it as spam (score 8.1"),
        "{}",
        r.text
    );
    let r2 = deliver(
        &app,
        &mail(
            "win@prizes.example",
            "You are a WINNER",
            &[("X-Spam-Flag", "YES")],
            "Claim your prize.\r\n",
        ),
    )
    .await;
    assert_eq!(r2.body["outcome"], "suspended", "{}", r2.text);
    assert_eq!(
        customer_mails(&app, None).await,
        before,
        "nobody suspended is answered"
    );

    set_passwords(&app, &[org.front1.id]).await;
    let staff = StaffSession::sign_in(&app, org.front1.id).await;
    let page = common::html::unescape(&staff.get_text("/staff/mail/suspended").await);
    assert!(page.contains("2 waiting"), "{page}");
    assert!(
        page.contains("deals@promo.example") && page.contains("Rates DROPPED!"),
        "{page}"
    );
    let ids = suspended_ids(&page);
    assert_eq!(ids.len(), 2, "{page}");

    // The newest first: the winner, then the refinancing offer (a real customer, say).
    let released = settle(&staff, ids[1], "release").await;
    assert!(
        released.contains("Released: the message is case RD-"),
        "{released}"
    );
    assert_eq!(
        customer_mails(&app, None).await,
        before + 1,
        "a released message is acknowledged like any new case"
    );
    let deleted = settle(&staff, ids[0], "delete").await;
    assert!(deleted.contains("Deleted as junk"), "{deleted}");
    assert!(deleted.contains("Nothing is waiting."), "{deleted}");
    assert!(
        deleted.contains("1 released so far · 1 deleted as junk"),
        "{deleted}"
    );

    // Settled once: a second try finds nothing and changes nothing.
    let again = staff
        .post(&format!("/staff/mail/suspended/{}", ids[0]))
        .form(&[("csrf", staff.csrf.as_str()), ("action", "release")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(customer_mails(&app, None).await, before + 1);
    // The same message delivered again is a duplicate, not a new suspension.
    let twice = deliver(
        &app,
        &mail(
            "win@prizes.example",
            "You are a WINNER",
            &[("X-Spam-Flag", "YES")],
            "Claim your prize.\r\n",
        ),
    )
    .await;
    assert_eq!(twice.body["outcome"], "duplicate", "{}", twice.text);

    // The deleted message is forgotten once the retention (30 days) has passed.
    app.set_clock(chrono::Duration::days(29));
    assert_eq!(app.state.purge_deleted_mail().await.unwrap(), 0);
    app.set_clock(chrono::Duration::days(31));
    assert_eq!(app.state.purge_deleted_mail().await.unwrap(), 1);
}

#[tokio::test]
async fn the_admin_sets_the_threshold_and_whether_upstream_filters_are_believed() {
    let app = TestApp::spawn().await;
    app.org().await;
    let admin = app.person("Ada Admin", "admin", None).await.id;
    set_passwords(&app, &[admin]).await;
    let staff = StaffSession::sign_in(&app, admin).await;
    let mail_page = staff.get_text("/staff/admin/mail").await;
    assert!(
        mail_page.contains("Believe upstream spam filters"),
        "{mail_page}"
    );
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", staff.csrf.as_str())];
        form.extend(fields);
        staff.post("/staff/admin/mail").form(&form).send()
    };
    let refused = save(vec![("trust_spam_headers", "perhaps")]).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = common::html::unescape(&refused.text().await.unwrap());
    assert!(said.contains("\"perhaps\" must be yes or no"), "{said}");

    let saved = save(vec![("trust_spam_headers", "no")]).await.unwrap();
    assert!(saved.status().is_redirection(), "{}", saved.status());
    let flagged = deliver(
        &app,
        &mail(
            "deals@promo.example",
            "Rates DROPPED",
            &[("X-Spam-Flag", "YES")],
            "Refinance now.\r\n",
        ),
    )
    .await;
    assert_eq!(
        flagged.body["outcome"], "opened",
        "headers not believed: {}",
        flagged.text
    );
}

#[tokio::test]
async fn a_known_customer_and_a_reply_to_a_case_are_never_suspended() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    // Ann (ann@example.com) has a case: she is a customer, whatever her filter says.
    let case = app.open_case_id(&org.front1, "Charged twice").await;
    let r = deliver(
        &app,
        &mail(
            "ann@example.com",
            "Another question",
            &[FLAGGED, ("X-Spam-Flag", "YES")],
            "Free offer? My invoice looks odd.\r\n",
        ),
    )
    .await;
    assert_eq!(r.body["outcome"], "opened", "{}", r.text);

    let to = roadone_server::mail::reply_address::address(
        &app.state.config().mail_from,
        app.state.secret(),
        case,
    );
    let raw = format!(
        "From: stranger@elsewhere.example\r\nTo: {to}\r\nSubject: Re: Charged twice\r\nX-Spam-Flag: YES\r\n\r\nHere is the invoice.\r\n"
    );
    let reply = deliver(&app, &raw).await;
    assert_eq!(
        (
            reply.body["outcome"].as_str(),
            reply.body["case_id"].as_i64()
        ),
        (Some("replied"), Some(case)),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn the_filter_learns_from_what_staff_release_and_delete() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let staff = StaffSession::sign_in(&app, org.front1.id).await;
    let junk_words = "casino bitcoin jackpot winner lottery prize claim exclusive bonus";
    let customer_words = "parcel delivery courier tracking invoice refund damaged arrived";
    // Teach it with messages an upstream filter held: five junk deleted, five released.
    for n in 0..5 {
        for (kind, words) in [("junk", junk_words), ("customer", customer_words)] {
            let r = deliver(
                &app,
                &mail(
                    &format!("{kind}{n}@mail.example"),
                    &format!("{words} {n}"),
                    &[("X-Spam-Flag", "YES")],
                    &format!("{words}\r\n"),
                ),
            )
            .await;
            assert_eq!(r.body["outcome"], "suspended", "{}", r.text);
        }
    }
    let page = staff.get_text("/staff/mail/suspended").await;
    let unescaped = common::html::unescape(&page);
    for id in suspended_ids(&page) {
        let row = unescaped
            .split(&format!("/staff/mail/suspended/{id}\""))
            .next()
            .unwrap();
        let from_junk = row.rfind("junk").unwrap_or(0) > row.rfind("customer").unwrap_or(0);
        settle(&staff, id, if from_junk { "delete" } else { "release" }).await;
    }
    // Now without any upstream header: junk words are held, a customer's are taken in.
    let held = deliver(
        &app,
        &mail(
            "new@mail.example",
            "casino jackpot",
            &[],
            &format!("{junk_words}\r\n"),
        ),
    )
    .await;
    assert_eq!(held.body["outcome"], "suspended", "{}", held.text);
    assert!(
        held.body["reason"]
            .as_str()
            .unwrap()
            .contains("our filter rates its words"),
        "{}",
        held.text
    );
    let taken = deliver(
        &app,
        &mail(
            "other@mail.example",
            "parcel delivery",
            &[],
            &format!("{customer_words}\r\n"),
        ),
    )
    .await;
    assert_eq!(taken.body["outcome"], "opened", "{}", taken.text);
}

/// A message of parts: each (headers, body) under one multipart/mixed boundary.
fn multipart(from: &str, subject: &str, extra: &[(&str, &str)], parts: &[&str]) -> String {
    let mut headers = vec![
        ("From", from),
        ("To", "support@roadone.local"),
        ("Subject", subject),
        ("MIME-Version", "1.0"),
        ("Content-Type", "multipart/mixed; boundary=\"part\""),
    ];
    headers.extend_from_slice(extra);
    let mut body = String::new();
    for part in parts {
        body.push_str(&format!("--part\r\n{part}\r\n"));
    }
    body.push_str("--part--\r\n");
    raw_mail(&headers, &body)
}

const PDF_PART: &str = "Content-Type: application/pdf; name=\"offer.pdf\"\r\nContent-Disposition: attachment; filename=\"offer.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n";
const HTML_PART: &str = "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Casino <b>jackpot</b> tonight: <a href=\"http://win.example/claim\">claim it</a></p></body></html>\r\n";

#[tokio::test]
async fn odd_messages_are_judged_and_one_that_cannot_be_is_taken_in() {
    let app = TestApp::spawn().await;
    app.org().await;
    let flag = ("X-Spam-Flag", "YES");
    let opened_body = |v: serde_json::Value| v["events"][0]["data"]["body"].clone();

    // All HTML: judged like any message; taken in, the case reads its words, not its tags.
    let held = deliver(
        &app,
        &multipart("a@deals.example", "Hot deals", &[flag], &[HTML_PART]),
    )
    .await;
    assert_eq!(held.body["outcome"], "suspended", "{}", held.text);
    let taken = deliver(
        &app,
        &multipart("b@deals.example", "Hot deals", &[], &[HTML_PART]),
    )
    .await;
    assert_eq!(taken.body["outcome"], "opened", "{}", taken.text);
    let body = opened_body(app.case(taken.body["case_id"].as_i64().unwrap()).await);
    let body = body.as_str().unwrap_or_default();
    assert!(body.contains("jackpot") && !body.contains("<b>"), "{body}");

    // All attachments, no text at all: the same.
    let held = deliver(
        &app,
        &multipart("c@deals.example", "Offer", &[flag], &[PDF_PART]),
    )
    .await;
    assert_eq!(held.body["outcome"], "suspended", "{}", held.text);
    let taken = deliver(
        &app,
        &multipart("d@deals.example", "Offer", &[], &[PDF_PART]),
    )
    .await;
    assert_eq!(taken.body["outcome"], "opened", "{}", taken.text);

    // A flood of 100,000 made-up words (about a megabyte) is read within the filter's bounds.
    let flood: String = (0..100_000).map(|n| format!("w{n:x}z ")).collect();
    let r = deliver(
        &app,
        &mail("e@flood.example", "Words", &[flag], &format!("{flood}\r\n")),
    )
    .await;
    assert_eq!(r.body["outcome"], "suspended", "{}", r.text);

    // When the filter cannot judge (its store failing, here a fault), even a message an
    // upstream filter flagged is taken in: judging may fail, intake may not.
    app.state.faults().inject("junk_filter");
    let r = deliver(
        &app,
        &mail(
            "f@deals.example",
            "Rates DROPPED",
            &[flag],
            "Refinance.\r\n",
        ),
    )
    .await;
    assert_eq!(r.body["outcome"], "opened", "{}", r.text);
    let r = deliver(
        &app,
        &mail(
            "g@deals.example",
            "Rates DROPPED",
            &[flag],
            "Refinance.\r\n",
        ),
    )
    .await;
    assert_eq!(
        r.body["outcome"], "suspended",
        "the fault was once: {}",
        r.text
    );
}
