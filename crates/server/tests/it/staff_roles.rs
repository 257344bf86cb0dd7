//! The role matrix of the staff pages: every role against every page, allowed (200) or
//! refused (403), decided on the server whatever the page links show.

use crate::common;

use common::staff;

use common::*;
use reqwest::StatusCode;
use staff::{set_passwords, StaffSession};

#[tokio::test]
async fn each_role_reaches_exactly_its_pages() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    let roles = [
        ("frontline", org.front1.id),
        ("staff", org.lead.id),
        ("manager", org.manager.id),
        ("executive", org.ceo.id),
        ("admin", admin),
    ];
    set_passwords(&app, &roles.map(|(_, id)| id)).await;
    let case = app.open_case_id(&org.front1, "A case").await;
    const OK: StatusCode = StatusCode::OK;
    const NO: StatusCode = StatusCode::FORBIDDEN;
    let case_page = format!("/staff/cases/{case}");
    let customer = app.customer_id_of(case).await;
    let customer_page = format!("/staff/customers/{customer}");
    // page, then frontline, staff, manager, executive, admin
    let matrix: [(&str, [StatusCode; 5]); 19] = [
        ("/staff/cases", [OK, OK, OK, OK, OK]),
        ("/staff/cases?who=all", [NO, NO, OK, OK, OK]),
        (&case_page, [OK, OK, OK, OK, OK]),
        ("/staff/intake", [OK, OK, OK, OK, NO]),
        ("/staff/intake/billing", [OK, OK, OK, OK, NO]),
        ("/staff/feed", [NO, NO, OK, OK, OK]),
        ("/staff/admin/people", [NO, NO, NO, NO, OK]),
        ("/staff/admin/tokens", [NO, NO, NO, NO, OK]),
        ("/staff/admin/categories", [NO, NO, NO, NO, OK]),
        ("/staff/admin/categories/billing", [NO, NO, NO, NO, OK]),
        ("/staff/admin/rules", [NO, NO, NO, NO, OK]),
        ("/staff/admin/mail", [NO, NO, NO, NO, OK]),
        ("/staff/password", [OK, OK, OK, OK, OK]),
        ("/staff/security", [OK, OK, OK, OK, OK]),
        ("/staff/shortcuts", [OK, OK, OK, OK, OK]),
        ("/staff/time-zone", [OK, OK, OK, OK, OK]),
        ("/staff/mail/suspended", [OK, OK, OK, OK, OK]),
        ("/staff/customers?find=ann", [OK, OK, OK, OK, OK]),
        (&customer_page, [OK, OK, OK, OK, OK]),
    ];
    for (i, (role, id)) in roles.iter().enumerate() {
        let session = StaffSession::sign_in(&app, *id).await;
        for (page, expected) in &matrix {
            let status = session.get(page).send().await.unwrap().status();
            assert_eq!(status, expected[i], "{role} on {page}");
        }
    }
}

#[tokio::test]
async fn only_administrators_invite_and_correct_people() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    let roles = [
        ("frontline", org.front1.id),
        ("staff", org.lead.id),
        ("manager", org.manager.id),
        ("executive", org.ceo.id),
        ("admin", admin),
    ];
    set_passwords(&app, &roles.map(|(_, id)| id)).await;
    let target = org.front2.id.to_string();
    let email = staff::email_of(&app, org.front2.id).await;
    for (role, id) in roles {
        let session = StaffSession::sign_in(&app, id).await;
        let expected = if role == "admin" {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::FORBIDDEN
        };
        let invite = session
            .post("/staff/admin/people/invite")
            .form(&[("csrf", session.csrf.as_str()), ("id", &target)])
            .send()
            .await
            .unwrap();
        assert_eq!(invite.status(), expected, "{role} sending an invitation");
        let edit = session
            .post("/staff/admin/people/edit")
            .form(&[
                ("csrf", session.csrf.as_str()),
                ("id", &target),
                ("name", &format!("Renamed by {role}")),
                ("email", &email),
                ("role", "frontline"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(edit.status(), expected, "{role} correcting a person");
    }
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    let names: Vec<&str> = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .filter(|n| n.starts_with("Renamed by"))
        .collect();
    assert_eq!(
        names,
        ["Renamed by admin"],
        "only the admin's correction landed"
    );
    // Anyone may ask for a password link, signed in or not.
    let anon = reqwest::get(format!("{}/staff/forgot-password", app.url))
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::OK);
}
