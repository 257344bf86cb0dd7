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
    // page, then frontline, staff, manager, executive, admin
    let matrix: [(&str, [StatusCode; 5]); 13] = [
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
    ];
    for (i, (role, id)) in roles.iter().enumerate() {
        let session = StaffSession::sign_in(&app, *id).await;
        for (page, expected) in &matrix {
            let status = session.get(page).send().await.unwrap().status();
            assert_eq!(status, expected[i], "{role} on {page}");
        }
    }
}
