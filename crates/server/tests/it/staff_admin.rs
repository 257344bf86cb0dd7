//! The administrator's people page: the tree, adding, moving, deactivating; nobody else
//! gets in.

use crate::common;

use common::staff;

use common::*;
use reqwest::StatusCode;
use staff::{set_passwords, StaffSession};

#[tokio::test]
async fn the_admin_moves_adds_and_deactivates_people_from_the_tree() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin]).await;
    let session = StaffSession::sign_in(&app, admin).await;
    let page = session.get_text("/staff/admin/people").await;
    let tree = page.split("<h2>Add a person</h2>").next().unwrap();
    let at = |name: &str| {
        tree.find(&format!("<strong>{name}</strong>"))
            .unwrap_or_else(|| panic!("{name} is in the tree"))
    };
    assert!(
        at("Cora Ceo") < at("Victor Vp")
            && at("Victor Vp") < at("Mona Manager")
            && at("Mona Manager") < at("Leo Lead")
            && at("Leo Lead") < at("Fran Front"),
        "the tree lists people top down: {tree}"
    );
    assert!(
        tree.contains("class=\"depth-4\"") && tree.contains("class=\"depth-0\""),
        "each is indented by their depth"
    );
    // Each "Reports to" choice starts at the person's manager now, not at "nobody".
    let fran = &tree[at("Fran Front")..];
    let fran = &fran[fran.find("id=\"move-").unwrap()..];
    let fran = &fran[..fran.find("</select>").unwrap()];
    assert!(
        fran.contains(&format!(
            "<option value=\"{}\" selected>Leo Lead",
            org.lead.id
        )) && !fran.contains("<option value=\"\" selected>"),
        "Fran's manager is chosen already: {fran}"
    );
    let names: Vec<&str> = fran
        .split("<option value=\"")
        .skip(2)
        .filter_map(|o| o.split('>').nth(1)?.split(" (").next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert!(names.len() > 3, "{names:?}");
    assert_eq!(names, sorted, "the choices are in name order");

    let r = session
        .post("/staff/admin/people/move")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("id", &org.front2.id.to_string()),
            ("reports_to", &org.manager.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    let front2 = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == org.front2.id)
        .unwrap()
        .clone();
    assert_eq!(front2["reports_to"], org.manager.id);

    let cycle = session
        .post("/staff/admin/people/move")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("id", &org.ceo.id.to_string()),
            ("reports_to", &org.front1.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cycle.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cycle.text().await.unwrap().contains("cannot also be above"));

    let r = session
        .post("/staff/admin/people/add")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("name", "Nia New"),
            ("email", "nia@example.com"),
            ("role", "frontline"),
            ("reports_to", &org.lead.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = session.follow(r).await;
    assert!(done.contains("Nia New was added"), "{done}");

    let case = app.open_case_id(&org.front1, "Open one").await;
    let front1 = org.front1.id.to_string();
    // The first click only asks, saying what will happen; nothing changes yet.
    let asked = session
        .post("/staff/admin/people/deactivate")
        .form(&[("csrf", session.csrf.as_str()), ("id", &front1)])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Deactivate Fran Front?")
            && asked.contains("Their one open case passes up")
            && asked.contains("name=\"confirm\" value=\"yes\""),
        "{asked}"
    );
    assert_eq!(
        app.case(case).await["owner"],
        org.front1.id,
        "nothing moved yet"
    );
    let r = session
        .post("/staff/admin/people/deactivate")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("id", &front1),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.case(case).await["owner"],
        org.lead.id,
        "the open case passed up"
    );

    let no_csrf = session
        .post("/staff/admin/people/deactivate")
        .form(&[("id", &org.front2.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_administrators_reach_the_people_page() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.ceo.id, org.front1.id]).await;
    for who in [org.ceo.id, org.front1.id] {
        let session = StaffSession::sign_in(&app, who).await;
        assert_eq!(
            session
                .get("/staff/admin/people")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        let r = session
            .post("/staff/admin/people/deactivate")
            .form(&[
                ("csrf", session.csrf.as_str()),
                ("id", &org.lead.id.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    let lead = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == org.lead.id)
        .unwrap()
        .clone();
    assert_eq!(lead["active"], true, "nothing changed");
}

#[tokio::test]
async fn the_admin_issues_a_token_shown_once_and_revokes_it_at_once() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin]).await;
    let session = StaffSession::sign_in(&app, admin).await;
    // Issued later than the first admin's token, so it is listed first.
    app.clock.advance(chrono::Duration::seconds(1));
    let r = session
        .post("/staff/admin/tokens/issue")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("person", &org.front1.id.to_string()),
            ("label", "the shop's order system"),
        ])
        .send()
        .await
        .unwrap();
    // Post/redirect/get: the token is shown on the page after the redirect, once.
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let flash = staff::flash_of(r.headers());
    let page = session.follow(r).await;
    let token = page
        .split("id=\"new-token-field\" class=\"copyable\" readonly value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the new token, shown once")
        .to_string();
    let reloaded = session
        .get_text_with_flash("/staff/admin/tokens", flash.as_deref())
        .await;
    assert!(
        reloaded.contains(&token),
        "the page the redirect led to shows it (the cookie is cleared by the browser then)"
    );
    let works = app.get(&token, "/api/v1/cases").await;
    assert_eq!(works.status, StatusCode::OK, "the new token works");
    let list = session.get_text("/staff/admin/tokens").await;
    assert!(
        (list.contains("the shop&#x27;s order system")
            || list.contains("the shop&#39;s order system"))
            && !list.contains(&token),
        "listed by its label, never shown again"
    );
    let id = list
        .split("name=\"id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a revoke form")
        .to_string();
    let asked = session
        .post("/staff/admin/tokens/revoke")
        .form(&[("csrf", session.csrf.as_str()), ("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        (asked.contains("Revoke \u{201c}the shop&#x27;s order system\u{201d}?")
            || asked.contains("Revoke \u{201c}the shop&#39;s order system\u{201d}?"))
            && asked.contains("Fran Front"),
        "the first click asks, naming the token and its holder: {asked}"
    );
    assert_eq!(
        app.get(&token, "/api/v1/cases").await.status,
        StatusCode::OK,
        "asking revokes nothing"
    );
    let r = session
        .post("/staff/admin/tokens/revoke")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("id", id.as_str()),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let refused = app.get(&token, "/api/v1/cases").await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token stops working at once (it was cached a moment ago)"
    );
    let bogus = session
        .post("/staff/admin/tokens/revoke")
        .form(&[("csrf", session.csrf.as_str()), ("id", &"ab".repeat(32))])
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
