//! The customer pages: staff find a customer by what they say and see everything about
//! them on one page — their details, every case, what they bought and how they rated us.

use crate::common;

use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn hrefs_to_customers(page: &str) -> Vec<String> {
    common::html::attributes(page, "href")
        .into_iter()
        .filter(|h| h.starts_with("/staff/customers/"))
        .collect()
}

#[tokio::test]
async fn a_customer_page_shows_their_cases_orders_and_ratings_and_nobody_elses() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let first = app.open_case_id(&org.front1, "Charged twice").await;
    let second = app.open_case_id(&org.front2, "Refund missing").await;
    let mut bob = intake("Bob's own question");
    bob["customer"] = json!({"email": "bob@shop.example", "name": "Bob Buyer"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &bob).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let bob_ref = r.body["ref"].as_str().unwrap().to_string();
    let solve = json!({"resolution": "Refunded the second charge.", "road": 2, "learned": "Double charges come from retries."});
    app.act_ok(&org.front1, first, "solve", &solve).await;
    let token = app.customer_token_of(first).await;
    let rated = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{first}/rating?token={token}"),
            )
            .json(&json!({"score": 5, "delighted_by": "the same-day refund", "would_recommend": true})),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.text);
    let orders = json!({"orders": [
        {"order_id": "A-1", "customer": "ann@example.com", "ordered_at": "2025-02-01", "amount": "1200.00", "currency": "EUR"},
        {"order_id": "A-2", "customer": "ann@example.com", "ordered_at": "2025-03-01", "amount": "34.50", "currency": "EUR"},
        {"order_id": "B-1", "customer": "bob@shop.example", "ordered_at": "2025-03-01", "amount": "99.00", "currency": "EUR"},
    ]});
    let r = app.post(&app.admin_token, "/api/v1/orders", &orders).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    set_passwords(&app, &[org.front2.id]).await;
    let staff = StaffSession::sign_in(&app, org.front2.id).await;
    let search = staff.get_text("/staff/customers?find=customer").await;
    let found = hrefs_to_customers(&search);
    assert_eq!(found.len(), 1, "Ann, by her surname: {search}");
    let by_phone = staff
        .get_text("/staff/customers?find=%2B442079460000")
        .await;
    assert_eq!(hrefs_to_customers(&by_phone), found, "and by her number");
    let nobody = staff.get_text("/staff/customers?find=zebra").await;
    assert!(hrefs_to_customers(&nobody).is_empty());
    assert!(nobody.contains("Nobody matches"), "{nobody}");

    let page = staff.get_text(&found[0]).await;
    let page = common::html::unescape(&page);
    assert!(page.contains("<h1>Ann Customer</h1>"), "{page}");
    assert!(page.contains("ann@example.com") && page.contains("+442079460000"));
    for case in [first, second] {
        assert!(
            page.contains(&format!("/staff/cases/{case}")),
            "case {case} is listed"
        );
    }
    assert!(!page.contains(&bob_ref), "Bob's case is not Ann's");
    assert!(page.contains("2 cases, 1 open."), "{page}");
    assert!(
        page.contains("<td>EUR</td><td>2</td><td>1,234.50 EUR</td>"),
        "her orders, summed, not Bob's: {page}"
    );
    assert!(
        page.contains("<strong>5/5</strong>") && page.contains("the same-day refund"),
        "her rating: {page}"
    );
    // The case page leads to her page.
    let case_page = staff.get_text(&format!("/staff/cases/{second}")).await;
    assert!(
        case_page.contains(&format!("href=\"{}\"", found[0])),
        "{case_page}"
    );
    let missing = staff.get("/staff/customers/999999").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let odd = staff.get("/staff/customers/abc").send().await.unwrap();
    assert_eq!(odd.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_records_of_one_person_are_merged_after_a_confirmation_and_nothing_is_lost() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let work = app.open_case_id(&org.front1, "From work").await;
    let mut home = intake("From home");
    home["customer"] =
        json!({"email": "ann.home@example.org", "name": "Ann C", "phone": "+44 7700 900123"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &home).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let home_case = r.body["id"].as_i64().unwrap();
    let (kept, merged) = (
        app.customer_id_of(work).await,
        app.customer_id_of(home_case).await,
    );
    assert_ne!(kept, merged);
    set_passwords(&app, &[org.lead.id, org.front1.id]).await;

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let refused = fran
        .post(&format!("/staff/customers/{kept}/merge"))
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("other", "ann.home@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "frontline is not even asked"
    );
    let fran_confirm = fran
        .post(&format!("/staff/customers/{kept}/merge"))
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("from", &merged.to_string()),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        fran_confirm.status(),
        StatusCode::FORBIDDEN,
        "but frontline cannot merge"
    );

    let leo = StaffSession::sign_in(&app, org.lead.id).await;
    let asked = leo
        .post(&format!("/staff/customers/{kept}/merge"))
        .form(&[
            ("csrf", leo.csrf.as_str()),
            ("other", "ann.home@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = common::html::unescape(&asked.text().await.unwrap());
    assert!(
        asked.contains("Merge Ann C, ann.home@example.org")
            && asked.contains("name=\"confirm\" value=\"yes\""),
        "{asked}"
    );
    assert_eq!(
        app.customer_id_of(home_case).await,
        merged,
        "nothing moved yet"
    );
    let done = leo
        .post(&format!("/staff/customers/{kept}/merge"))
        .form(&[
            ("csrf", leo.csrf.as_str()),
            ("from", &merged.to_string()),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    let page = common::html::unescape(&leo.follow(done).await);
    assert!(
        page.contains("Merged: 1 case(s) and 0 order(s) moved here"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/staff/cases/{home_case}"))
            && page.contains(&format!("/staff/cases/{work}"))
    );
    assert_eq!(app.customer_id_of(home_case).await, kept);
    let old = leo
        .get(&format!("/staff/customers/{merged}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status(),
        StatusCode::SEE_OTHER,
        "the merged page leads to the kept one"
    );
    assert_eq!(
        old.headers()["location"],
        format!("/staff/customers/{kept}")
    );
    let again = app
        .post(&org.front1.token, "/api/v1/cases", &{
            let mut b = intake("Once more");
            b["customer"] = json!({"email": "ann.home@example.org"});
            b
        })
        .await;
    let again = again.body["id"].as_i64().unwrap();
    assert_eq!(
        app.customer_id_of(again).await,
        kept,
        "mail from the old address joins the kept customer"
    );
}

#[tokio::test]
async fn a_customer_with_many_cases_has_them_paged_each_case_on_exactly_one_page() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut opened = Vec::new();
    for n in 0..53 {
        opened.push(
            app.open_case_id(&org.front1, &format!("Question {n}"))
                .await,
        );
    }
    set_passwords(&app, &[org.front1.id]).await;
    let staff = StaffSession::sign_in(&app, org.front1.id).await;
    let search = staff.get_text("/staff/customers?find=customer").await;
    let ann = hrefs_to_customers(&search).remove(0);
    let cases_on = |page: &str| -> Vec<i64> {
        common::html::attributes(page, "href")
            .into_iter()
            .filter_map(|h| h.strip_prefix("/staff/cases/")?.parse().ok())
            .collect()
    };
    let first = staff.get_text(&ann).await;
    assert!(
        first.contains("53 cases, 53 open.") && first.contains("page 1 of 2"),
        "{first}"
    );
    assert!(
        first.contains("rel=\"next\""),
        "a way to the next page: {first}"
    );
    let second = staff.get_text(&format!("{ann}?page=2")).await;
    assert!(second.contains("page 2 of 2") && second.contains("rel=\"prev\""));
    let (mut shown, on_second) = (cases_on(&first), cases_on(&second));
    assert_eq!((shown.len(), on_second.len()), (50, 3));
    shown.extend(on_second);
    shown.sort();
    opened.sort();
    assert_eq!(shown, opened, "every case once over the two pages");

    let beyond = staff.get_text(&format!("{ann}?page=9")).await;
    assert!(
        beyond.contains("There is no page 9 of their cases"),
        "{beyond}"
    );
    let wrong = staff.get(&format!("{ann}?page=0")).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = common::html::unescape(&wrong.text().await.unwrap());
    assert!(said.contains("page number from 1 up"), "{said}");
}

/// A customer who asks on the phone to be written to in French: staff set it on their
/// page and their own pages follow it, whatever their browser says.
#[tokio::test]
async fn staff_set_the_language_a_customer_is_written_to_in() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let case = app.open_case_id(&org.front1, "Parcel never came").await;
    let customer = app.customer_id_of(case).await;
    set_passwords(&app, &[org.front1.id]).await;
    let staff = StaffSession::sign_in(&app, org.front1.id).await;
    let theirs = format!("/staff/customers/{customer}");
    let before = common::html::unescape(&staff.get_text(&theirs).await);
    assert!(
        before.contains("<dt>Language</dt><dd>not known"),
        "{before}"
    );

    let set = |language: &str| {
        staff
            .post(&format!("{theirs}/language"))
            .form(&[("csrf", staff.csrf.as_str()), ("language", language)])
            .send()
    };
    let refused = set("tlh").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = common::html::unescape(&refused.text().await.unwrap());
    assert!(said.contains("we do not write in \"tlh\""), "{said}");
    assert_eq!(app.state.customer_language(customer).await.unwrap(), None);

    let saved = set("fr").await.unwrap();
    let after = common::html::unescape(&staff.follow(saved).await);
    assert!(
        after.contains("We write to them in French from now on")
            && after.contains("<dt>Language</dt><dd>French: their pages"),
        "{after}"
    );
    let token = app.customer_token_of(case).await;
    let case_page = app
        .request(Method::GET, &format!("/portal/cases/{case}?token={token}"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case_page.contains(r#"<html lang="fr">"#), "{case_page}");
}
