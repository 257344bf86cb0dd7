//! Times in each reader's zone: a person's own (chosen on `/staff/time-zone`), else the
//! company's (the `time_zone` rule); a customer's, set on their page, on their case page
//! and in the mail they get. The clock starts Mon 3 Mar 2025, 09:00 UTC.

use crate::common;

use common::html::unescape;
use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::{Method, StatusCode};

async fn post(s: &StaffSession, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("csrf".to_string(), s.csrf.clone())];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    s.post(path)
        .form(&form)
        .send()
        .await
        .expect("the server answers")
}

#[tokio::test]
async fn each_person_reads_times_in_their_own_zone_else_the_companys() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let ada = app.person("Ada Admin", "admin", None).await;
    set_passwords(&app, &[org.front1.id, org.front2.id, ada.id]).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let case_page = format!("/staff/cases/{id}");

    let page = unescape(&fran.get_text(&case_page).await);
    assert!(
        page.contains("Mon 3 Mar 2025, 09:00 UTC"),
        "UTC before anyone chooses"
    );
    assert!(page.contains("Times in UTC"), "the footer says which zone");

    // A zone that does not exist: refused at its field, nothing changes.
    let refused = post(&fran, "/staff/time-zone", &[("time_zone", "Mars/Olympus")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = unescape(&refused.text().await.unwrap());
    assert!(
        said.contains("\u{201c}Mars/Olympus\u{201d} is not a time zone"),
        "{said}"
    );
    assert!(said.contains(r#"aria-describedby="time-zone-error""#));
    assert!(unescape(&fran.get_text(&case_page).await).contains("09:00 UTC"));

    // Her own zone: every time on her pages moves, nobody else's.
    let saved = post(&fran, "/staff/time-zone", &[("time_zone", "Asia/Kolkata")]).await;
    let page = unescape(&fran.follow(saved).await);
    assert!(
        page.contains("Times are shown in Asia/Kolkata from now on."),
        "{page}"
    );
    assert!(page.contains(r#"<option value="Asia/Kolkata" selected>"#));
    let page = unescape(&fran.get_text(&case_page).await);
    assert!(
        page.contains("Mon 3 Mar 2025, 14:30 IST"),
        "09:00 UTC is 14:30 in India"
    );
    assert!(!page.contains("09:00 UTC"));
    let list = unescape(&fran.get_text("/staff/cases").await);
    assert!(list.contains("IST"), "the list too");
    let fred = StaffSession::sign_in(&app, org.front2.id).await;
    assert!(unescape(&fred.get_text(&case_page).await).contains("09:00 UTC"));

    // The company's zone, set by an administrator: for everyone who chose none.
    let admin = StaffSession::sign_in(&app, ada.id).await;
    let rules = admin.get_text("/staff/admin/rules").await;
    assert!(
        rules.contains(r#"name="time_zone""#),
        "the rules page offers it"
    );
    let saved = post(
        &admin,
        "/staff/admin/rules",
        &[("time_zone", "America/New_York")],
    )
    .await;
    assert!(saved.status().is_redirection(), "{}", saved.status());
    let page = unescape(&fred.get_text(&case_page).await);
    assert!(
        page.contains("Mon 3 Mar 2025, 04:00 EST"),
        "the company's zone"
    );
    assert!(
        unescape(&fran.get_text(&case_page).await).contains("14:30 IST"),
        "hers stays"
    );

    // Back to the company's.
    let saved = post(&fran, "/staff/time-zone", &[("time_zone", "")]).await;
    let page = unescape(&fran.follow(saved).await);
    assert!(
        page.contains("the company's zone, America/New_York"),
        "{page}"
    );
    assert!(unescape(&fran.get_text(&case_page).await).contains("04:00 EST"));
}

#[tokio::test]
async fn a_customers_zone_set_on_their_page_shows_on_their_case_page_and_to_staff() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let customer = app
        .store
        .load_case(id)
        .await
        .unwrap()
        .unwrap()
        .head
        .customer_id;
    let token = app.customer_token_of(id).await;
    let portal = format!("/portal/cases/{id}?token={token}");
    let theirs = || async { unescape(&app.send(app.request(Method::GET, &portal)).await.text) };
    assert!(
        theirs().await.contains("09:00 UTC"),
        "the company's zone first"
    );

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let profile = format!("/staff/customers/{customer}");
    let page = unescape(&fran.get_text(&profile).await);
    assert!(
        page.contains("not known (they see times in the company's, UTC)"),
        "{page}"
    );
    assert!(!fran
        .get_text(&format!("/staff/cases/{id}"))
        .await
        .contains("for them."));

    let refused = post(
        &fran,
        &format!("{profile}/time-zone"),
        &[("time_zone", "Nowhere")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = post(
        &fran,
        &format!("{profile}/time-zone"),
        &[("time_zone", "Australia/Sydney")],
    )
    .await;
    let page = unescape(&fran.follow(saved).await);
    assert!(
        page.contains("The customer's time zone is Australia/Sydney"),
        "{page}"
    );
    // 09:00 UTC on 3 March is 20:00 in Sydney's summer.
    assert!(
        page.contains("Mon 3 Mar 2025, 20:00 AEDT for them"),
        "{page}"
    );
    let case = unescape(&fran.get_text(&format!("/staff/cases/{id}")).await);
    assert!(
        case.contains("It is 20:00 AEDT (Australia/Sydney) for them."),
        "the case page says their time"
    );
    assert!(
        case.contains("09:00 UTC"),
        "staff still read their own zone"
    );
    let portal_page = theirs().await;
    assert!(
        portal_page.contains("Mon 3 Mar 2025, 20:00 AEDT"),
        "{portal_page}"
    );
    assert!(!portal_page.contains("09:00 UTC"));
}

#[tokio::test]
async fn the_time_zone_page_is_for_the_signed_in_only() {
    let app = TestApp::spawn().await;
    let answer = app.send(app.request(Method::GET, "/staff/time-zone")).await;
    assert!(
        answer.text.contains(r#"name="password""#) && !answer.text.contains("Your time zone"),
        "the sign-in page, not the zone: {}",
        answer.text
    );
    let refused = app
        .send(
            app.request(Method::POST, "/staff/time-zone")
                .form(&[("time_zone", "UTC")]),
        )
        .await;
    assert!(
        !refused.status.is_success() || refused.text.contains(r#"name="password""#),
        "a form sent signed out ends at the sign-in: {} {}",
        refused.status,
        refused.text
    );
}

/// The customer's mail tells the promised time in their zone; a person's mail in theirs.
#[tokio::test]
async fn mail_tells_times_in_the_recipients_zone() {
    use common::smtp_sink::{body, SmtpSink};
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let configured = relay.clone();
    let app = TestApp::spawn_with(move |c| c.smtp_relay = Some(configured)).await;
    let org = app.org().await;
    let first = app.open_case_id(&org.front1, "Charged twice").await;
    let customer = app
        .store
        .load_case(first)
        .await
        .unwrap()
        .unwrap()
        .head
        .customer_id;
    app.state
        .set_customer_time_zone(customer, Some("Australia/Sydney"))
        .await
        .unwrap();
    app.state
        .set_person_time_zone(org.lead.id, Some("Asia/Kolkata"))
        .await
        .unwrap();
    let second = app.open_case_id(&org.front1, "Parcel never came").await;
    app.act_ok(
        &org.front1,
        second,
        "pass-up",
        &serde_json::json!({ "reason": "a refund needs your approval" }),
    )
    .await;
    roadone_server::mail::MailSender::new(app.state.clone(), app.state.templates().clone(), &relay)
        .unwrap()
        .deliver_due()
        .await
        .unwrap();
    let mails: Vec<String> = sink.wait_for(3).iter().map(|m| body(m)).collect();
    let about = |words: &str| {
        mails
            .iter()
            .find(|m| m.contains(words))
            .unwrap_or_else(|| panic!("a mail saying {words:?} among {mails:#?}"))
            .clone()
    };
    // Promised within a day of 09:00 UTC on 3 March: 20:00 the next day in Sydney.
    let ack = about("RD-000002");
    assert!(ack.contains("2025-03-04 20:00 AEDT"), "{ack}");
    let first_ack = about("RD-000001");
    assert!(
        first_ack.contains("2025-03-04 20:00 AEDT"),
        "written when sent: {first_ack}"
    );
    assert!(!mails.iter().any(|m| m.contains(" UTC")), "{mails:#?}");
    // Leo reads the 20-hour deadline (05:00 UTC on 4 March) in India.
    let passed_up = about("a refund needs your approval");
    assert!(passed_up.contains("2025-03-04 10:30 IST"), "{passed_up}");
}
