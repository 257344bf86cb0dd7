//! The experiment pages: an administrator sets one up and starts it from the form (a bad
//! share is refused in words at its field and stores nothing); managers read its report,
//! the health panel first; others may not.

use crate::common::*;
use inbound::mail_in;
use reqwest::StatusCode;
use staff::{set_passwords, StaffSession};

#[tokio::test]
async fn an_administrator_runs_an_experiment_from_the_pages_and_managers_read_it() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin, org.manager.id, org.front1.id]).await;
    let session = StaffSession::sign_in(&app, admin).await;
    let empty = session.get_text("/staff/admin/experiments").await;
    assert!(empty.contains("No experiments yet."), "{empty}");
    let finn = org.front2.id.to_string();
    let form = |percent: &'static str| {
        vec![
            ("csrf", session.csrf.clone()),
            ("key", "delight".to_string()),
            ("name", "Delight desk".to_string()),
            ("hypothesis", "Care pays".to_string()),
            ("team", finn.clone()),
            ("percent", percent.to_string()),
            ("channels", "email".to_string()),
            ("planned_start", "2025-03-01".to_string()),
            ("planned_end", "2025-06-01".to_string()),
            ("monthly_cost", "250".to_string()),
            ("currency", "EUR".to_string()),
            ("look_back_days", "90".to_string()),
        ]
    };
    for (percent, words) in [
        (
            "150",
            "The share treated must be more than 0% and less than 100%.",
        ),
        ("lots", "percent: give the share treated as a number"),
    ] {
        let refused = session
            .post("/staff/admin/experiments/create")
            .form(&form(percent))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.text().await.unwrap();
        assert!(text.contains(words), "{words}: {text}");
        assert!(
            text.contains("value=\"Delight desk\""),
            "what was typed is kept"
        );
    }
    let listed = app.get(&app.admin_token, "/api/v1/experiments").await;
    assert_eq!(
        listed.body,
        serde_json::json!([]),
        "refusals stored nothing"
    );

    let made = session
        .post("/staff/admin/experiments/create")
        .form(&form("50"))
        .send()
        .await
        .unwrap();
    let page = session.follow(made).await;
    assert!(page.contains("is set up as a draft"), "{page}");
    let started = session
        .post("/staff/admin/experiments/delight/step")
        .form(&[("csrf", session.csrf.as_str()), ("step", "start")])
        .send()
        .await
        .unwrap();
    let page = session.follow(started).await;
    assert!(page.contains("The experiment is running now."), "{page}");
    assert!(page.contains(">Pause</button>") && !page.contains(">Start</button>"));
    for i in 0..6 {
        mail_in(&app, &format!("buyer{i}@example.org"), i).await;
    }

    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let index = manager.get_text("/staff/reports/experiments").await;
    assert!(
        index.contains("href=\"/staff/reports/experiments/delight\">Delight desk</a>"),
        "{index}"
    );
    let report = manager.get_text("/staff/reports/experiments/delight").await;
    assert!(report.contains("Health: sound"), "{report}");
    assert!(
        report.contains("too few customers to test the split yet"),
        "{report}"
    );
    assert!(
        report.contains("<td>Mean rating</td><td>delta</td>"),
        "{report}"
    );
    assert!(
        report.contains("not enough data"),
        "six customers cannot say: {report}"
    );
    let health = report.find("id=\"health\"").unwrap();
    let figures = report.find("id=\"figures\"").unwrap();
    assert!(
        health < figures,
        "the health panel comes before any difference"
    );

    let front = StaffSession::sign_in(&app, org.front1.id).await;
    let r = front
        .get("/staff/reports/experiments/delight")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = manager
        .get("/staff/admin/experiments")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = manager
        .get("/staff/reports/experiments/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
