//! Keyboard shortcuts in a real browser (Debian's headless Chromium over WebDriver):
//! every key the shortcuts page lists does what it says — `j`/`k` through a list and
//! through my queue, `r`, `n` and `s` open their form with the cursor in it, `/` finds the
//! search box, `?` shows the list in a dialog — keys typed into a field stay text, and
//! turning shortcuts off in the dialog turns them off. Skips loudly without chromium and
//! chromedriver, unless `ROADONE_TEST_REQUIRE_ALL=1`.

use crate::browser::{browser, css, screenshot, sign_in, start_driver};
use crate::common;

use common::staff::{self, set_passwords};
use common::*;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use std::time::{Duration, Instant};

/// Presses one key on whatever has the focus, as a person would.
async fn press(c: &Client, key: char) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(actions).await.expect("a key press");
    c.release_actions().await.expect("keys released");
}

/// Evaluates `script` until it returns true, for up to 5 s.
async fn until(c: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = c.execute(script, vec![]).await.expect("the script runs");
        if got == serde_json::json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: `{script}` stayed {got}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn focused_id(c: &Client) -> String {
    c.execute("return document.activeElement.id || '';", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

#[tokio::test]
async fn every_listed_shortcut_does_what_the_list_says() {
    let Some(driver) = start_driver() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let mut ids = Vec::new();
    for subject in ["Charged twice", "Parcel never came", "Wrong size sent"] {
        ids.push(app.open_case_id(&org.front1, subject).await);
    }
    let c = browser(&driver).await;
    sign_in(&c, &app, &staff::email_of(&app, org.front1.id).await).await;

    // The page lists the keys tested here, no more and no fewer.
    c.goto(&format!("{}/staff/shortcuts", app.url))
        .await
        .unwrap();
    css(&c, "table.shortcuts").await;
    let listed = c
        .execute(
            "return Array.from(document.querySelectorAll('table.shortcuts tr[data-key]')).map(r => r.dataset.key).join(' ');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(listed, serde_json::json!("j k r n s / ?"));

    // A list: j and k move from row to row, Enter opens the row.
    c.goto(&format!("{}/staff/cases", app.url)).await.unwrap();
    css(&c, "table.cases").await;
    let rows: Vec<String> = c
        .execute(
            "return Array.from(document.querySelectorAll('table.cases tbody td a')).map(a => a.getAttribute('href'));",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    press(&c, 'j').await;
    press(&c, 'j').await;
    press(&c, 'k').await;
    press(&c, 'j').await;
    until(
        &c,
        "j, j, k, j: the second row",
        &format!(
            "return document.activeElement.getAttribute('href') === '{}';",
            rows[1]
        ),
    )
    .await;
    press(&c, Key::Enter.into()).await;
    until(
        &c,
        "Enter opens the case",
        &format!("return location.pathname === '{}';", rows[1]),
    )
    .await;

    // The case page: j and k through my queue, in the list's order.
    css(&c, "#timeline").await;
    press(&c, 'j').await;
    until(
        &c,
        "j: the next case",
        &format!("return location.pathname === '{}';", rows[2]),
    )
    .await;
    css(&c, "#previous-case").await;
    press(&c, 'k').await;
    until(
        &c,
        "k: the case before",
        &format!("return location.pathname === '{}';", rows[1]),
    )
    .await;
    css(&c, "#next-case").await;

    // r, n and s: each opens its form with the cursor in it; keys typed there stay text.
    press(&c, 'r').await;
    until(
        &c,
        "r",
        "return document.activeElement.id === 'reply-body';",
    )
    .await;
    for key in "just looking".chars() {
        press(&c, key).await;
    }
    assert_eq!(
        path(&c).await,
        rows[1],
        "typing j and k in a field moves nowhere"
    );
    let typed = css(&c, "#reply-body").await.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("just looking"));
    c.execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    press(&c, 'n').await;
    until(&c, "n", "return document.activeElement.id === 'note-body' && document.getElementById('note-body').closest('details').open;").await;
    c.execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    press(&c, 's').await;
    until(&c, "s", "return document.activeElement.id === 'resolution' && document.getElementById('resolution').closest('details').open;").await;
    c.execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();

    // ? shows the list in a dialog; Escape closes it.
    press(&c, '?').await;
    until(&c, "? opens the list", "const d = document.getElementById('shortcuts-dialog'); return !!d && d.open && d.textContent.includes('Reply to the customer');").await;
    screenshot(&c, "shortcuts-01-dialog").await;
    press(&c, Key::Escape.into()).await;
    until(
        &c,
        "Escape closes it",
        "return !document.getElementById('shortcuts-dialog').open;",
    )
    .await;

    // / from a page without a search box: the case search, with the cursor in it.
    press(&c, '/').await;
    until(
        &c,
        "/ goes to the case search",
        "return location.pathname === '/staff/cases' && document.activeElement.id === 'q';",
    )
    .await;

    // Turned off in the dialog: single keys do nothing, on this page and the next.
    press(&c, Key::Escape.into()).await;
    c.execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    press(&c, '?').await;
    until(
        &c,
        "? again",
        "const d = document.getElementById('shortcuts-dialog'); return !!d && d.open;",
    )
    .await;
    css(&c, "#shortcuts-dialog .shortcut-setting input")
        .await
        .click()
        .await
        .unwrap();
    press(&c, Key::Escape.into()).await;
    c.goto(&format!("{}/staff/cases/{}", app.url, ids[0]))
        .await
        .unwrap();
    css(&c, "#timeline").await;
    press(&c, 'r').await;
    // The key's handler ran before this script's answer (one event queue), and r moves
    // the focus at once when shortcuts are on.
    let focus = focused_id(&c).await;
    assert_ne!(focus, "reply-body", "shortcuts are off");
    c.close().await.unwrap();
}
