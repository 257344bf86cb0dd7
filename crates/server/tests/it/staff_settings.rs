//! The administrator's categories, rules and mail pages (and `PUT /api/v1/categories/{key}`),
//! and the caller lookup of phone intake: what an admin changes there is what the next
//! case, mail or call gets; a refused change changes nothing and says why.

use crate::common;

use common::staff;

use common::html::unescape;
use common::smtp_sink::{free_port, header, SmtpSink};
use common::*;
use reqwest::header::LOCATION;
use reqwest::{Method, RequestBuilder, StatusCode};
use roadone_server::mail::MailSender;
use serde_json::{json, Value};
use staff::{set_passwords, StaffSession};

// --- pages -------------------------------------------------------------------------

/// A page's answer: status, where it redirects to (or ""), the body.
struct Answer {
    status: StatusCode,
    location: String,
    /// The one-time notice cookie the answer set, if any.
    flash: Option<String>,
    page: String,
}

async fn answer(request: RequestBuilder) -> Answer {
    let r = request.send().await.expect("the server answers");
    let status = r.status();
    let location = r
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let flash = staff::flash_of(r.headers());
    let page = r.text().await.expect("a body");
    Answer {
        status,
        location,
        flash,
        page,
    }
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Posts a form as the browser would, with the session's CSRF token.
async fn submit(s: &StaffSession, path: &str, fields: &[(String, String)]) -> Answer {
    let mut form = vec![("csrf".to_string(), s.csrf.clone())];
    form.extend_from_slice(fields);
    answer(s.post(path).form(&form)).await
}

/// Posts a form without any CSRF token.
async fn submit_without_csrf(s: &StaffSession, path: &str, fields: &[(String, String)]) -> Answer {
    answer(s.post(path).form(fields)).await
}

/// Follows a 303 and returns the page it leads to.
async fn follow(s: &StaffSession, a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "a redirect: {}", a.page);
    assert!(!a.location.is_empty(), "a Location header");
    s.get_text_with_flash(&a.location, a.flash.as_deref()).await
}

async fn page(s: &StaffSession, path: &str) -> (StatusCode, String) {
    let a = answer(s.get(path)).await;
    (a.status, a.page)
}

/// The text between `start` and the next `end`, unescaped; panics when absent.
fn between(page: &str, start: &str, end: &str) -> String {
    let rest = page
        .split(start)
        .nth(1)
        .unwrap_or_else(|| panic!("{start:?} is in the page: {page}"));
    unescape(rest.split(end).next().unwrap_or_default())
}

/// The problem the page shows at the top.
fn problem(page: &str) -> String {
    between(page, "class=\"problem\" role=\"alert\">", "</p>")
}

fn notice(page: &str) -> String {
    between(page, "class=\"notice\" role=\"status\">", "</p>")
}

/// The help line under a setting, which says where its value comes from.
fn hint(page: &str, setting: &str) -> String {
    between(page, &format!("id=\"{setting}-hint\">"), "</p>")
}

/// The tag of the first input or select named `name`.
fn tag<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let start = page[..at].rfind('<')?;
    let end = at + page[at..].find('>')?;
    Some(&page[start..end])
}

/// The value of the first input named `name`.
fn value_of(page: &str, name: &str) -> Option<String> {
    let tag = tag(page, name)?;
    let value = tag.split("value=\"").nth(1)?.split('"').next()?;
    Some(unescape(value))
}

fn checked(page: &str, name: &str) -> bool {
    tag(page, name).is_some_and(|t| t.contains(" checked"))
}

// --- fixtures ----------------------------------------------------------------------

/// The organisation, an administrator with a name ("Ada Admin") signed in, and everyone's
/// password set.
async fn setup_with(
    configure: impl FnOnce(&mut roadone_server::Config),
) -> (TestApp, Org, Member, StaffSession) {
    let app = TestApp::spawn_with(configure).await;
    let org = app.org().await;
    let ada = app.person("Ada Admin", "admin", None).await;
    set_passwords(
        &app,
        &[
            ada.id,
            org.ceo.id,
            org.vp.id,
            org.manager.id,
            org.lead.id,
            org.front1.id,
            org.front2.id,
        ],
    )
    .await;
    let session = StaffSession::sign_in(&app, ada.id).await;
    (app, org, ada, session)
}

async fn setup() -> (TestApp, Org, Member, StaffSession) {
    setup_with(|_| {}).await
}

/// A category as `GET /api/v1/categories` lists it.
async fn category(app: &TestApp, key: &str) -> Option<Value> {
    let r = app.get(&app.admin_token, "/api/v1/categories").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
        .as_array()
        .expect("a list of categories")
        .iter()
        .find(|c| c["key"] == key)
        .cloned()
}

async fn categories(app: &TestApp) -> Value {
    app.get(&app.admin_token, "/api/v1/categories").await.body
}

/// One row of a category's checklist as the edit page posts it.
struct Row<'a> {
    label: &'a str,
    key: &'a str,
    required: bool,
    pattern: &'a str,
    remove: bool,
}

fn row<'a>(label: &'a str, key: &'a str, required: bool) -> Row<'a> {
    Row {
        label,
        key,
        required,
        pattern: "",
        remove: false,
    }
}

/// The edit page's form: name, people, the rows given and then two blank rows, as a
/// browser sends it (unchecked boxes are left out).
fn category_form(
    name: &str,
    manager: &str,
    executive: &str,
    rows: &[Row],
) -> Vec<(String, String)> {
    let mut form = owned(&[
        ("name", name),
        ("manager", manager),
        ("executive", executive),
    ]);
    let blank = row("", "", false);
    for (i, r) in rows.iter().chain([&blank, &blank]).enumerate() {
        form.push((format!("item{i}_label"), r.label.to_string()));
        form.push((format!("item{i}_key"), r.key.to_string()));
        form.push((format!("item{i}_pattern"), r.pattern.to_string()));
        if r.required {
            form.push((format!("item{i}_required"), "on".into()));
        }
        if r.remove {
            form.push((format!("item{i}_remove"), "on".into()));
        }
    }
    form
}

/// The billing category's form (its name and people as the fixture made them) with `rows`.
fn billing_form(org: &Org, rows: &[Row]) -> Vec<(String, String)> {
    category_form(
        "Billing",
        &org.manager.id.to_string(),
        &org.vp.id.to_string(),
        rows,
    )
}

fn billing_rows() -> [Row<'static>; 2] {
    [
        row("Account number", "account_number", true),
        row("Invoice number", "invoice_number", false),
    ]
}

const ORDER_PATTERN: &str = r"(?i)order\s*#?\s*(\d{6,})";

/// Adds the `orders` category through the API: `order_number` (required, found in mail
/// by a pattern); manager = the manager, executive = the VP.
async fn add_orders(app: &TestApp, org: &Org) {
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/categories",
            &json!({
                "key": "orders",
                "name": "Orders",
                "checklist": [{"key": "order_number", "label": "Order number", "required": true, "pattern": ORDER_PATTERN}],
                "manager": org.manager.id,
                "executive": org.vp.id
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

fn inbound_mail(from: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@roadone.local\r\nSubject: {subject}\r\nMessage-ID: <{}@example.org>\r\n\r\n{body}\r\n",
        subject.replace(' ', ".")
    )
}

use common::inbound::deliver;

// --- categories --------------------------------------------------------------------

#[tokio::test]
async fn an_admin_adds_a_category_and_writes_its_checklist_which_intake_then_asks_for() {
    let (app, org, _, admin) = setup().await;
    let (status, list) = page(&admin, "/staff/admin/categories").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(">Billing</a>") && list.contains("Account number (required), Invoice number"),
        "the list shows each category with its checklist: {list}"
    );

    let manager = org.manager.id.to_string();
    let vp = org.vp.id.to_string();
    let added = submit(
        &admin,
        "/staff/admin/categories",
        &owned(&[
            ("name", "Orders"),
            ("key", "orders"),
            ("manager", &manager),
            ("executive", &vp),
        ]),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.page);
    assert!(
        added.location.starts_with("/staff/admin/categories/orders"),
        "on to the new category's page: {}",
        added.location
    );
    let edit = follow(&admin, &added).await;
    assert!(notice(&edit).contains("Orders was added"), "{edit}");
    let orders = category(&app, "orders").await.expect("orders is listed");
    assert_eq!(orders["name"], "Orders");
    assert_eq!(orders["manager"], org.manager.id);
    assert_eq!(orders["executive"], org.vp.id);
    assert_eq!(orders["checklist"], json!([]));

    // Two facts typed into the blank rows; the first without a key.
    let form = category_form(
        "Orders",
        &manager,
        &vp,
        &[
            Row {
                pattern: ORDER_PATTERN,
                ..row("Order number", "", true)
            },
            row("Delivery date", "delivery_date", false),
        ],
    );
    let saved = submit(&admin, "/staff/admin/categories/orders", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.page);
    let edit = follow(&admin, &saved).await;
    assert!(
        notice(&edit).contains("ask for its 2 fact(s)"),
        "{}",
        notice(&edit)
    );
    assert_eq!(
        category(&app, "orders").await.unwrap()["checklist"],
        json!([
            {"key": "order_number", "label": "Order number", "required": true, "pattern": ORDER_PATTERN},
            {"key": "delivery_date", "label": "Delivery date", "required": false}
        ]),
        "the key of \"Order number\" was made from its label"
    );
    assert_eq!(
        value_of(&edit, "item0_key").as_deref(),
        Some("order_number")
    );
    assert_eq!(
        value_of(&edit, "item0_pattern").as_deref(),
        Some(ORDER_PATTERN)
    );
    assert!(checked(&edit, "item0_required") && !checked(&edit, "item1_required"));
    let list = admin.get_text("/staff/admin/categories").await;
    assert!(
        list.contains("Order number (required), Delivery date"),
        "{list}"
    );

    // The phone intake form asks for both facts, the new required one first.
    let front = StaffSession::sign_in(&app, org.front1.id).await;
    let (status, intake) = page(&front, "/staff/intake/orders").await;
    assert_eq!(status, StatusCode::OK);
    let order = intake
        .find("name=\"fact_order_number\"")
        .expect("the intake form asks for the order number");
    let delivery = intake
        .find("name=\"fact_delivery_date\"")
        .expect("and for the delivery date");
    assert!(order < delivery);
    assert!(intake.contains("Delivery date <span class=\"hint\">(optional)"));
    assert!(!intake.contains("Order number <span class=\"hint\">(optional)"));
    // The API refuses a case without the required fact, takes it with it.
    let mut body = intake_body("orders", "Where is my parcel?");
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    expect_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("facts.order_number"),
    );
    body["facts"] = json!({"order_number": "123456"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // Removing a fact.
    let form = category_form(
        "Orders",
        &manager,
        &vp,
        &[
            Row {
                pattern: ORDER_PATTERN,
                ..row("Order number", "order_number", true)
            },
            Row {
                remove: true,
                ..row("Delivery date", "delivery_date", false)
            },
        ],
    );
    let saved = submit(&admin, "/staff/admin/categories/orders", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.page);
    let checklist = category(&app, "orders").await.unwrap()["checklist"].clone();
    assert_eq!(
        checklist,
        json!([{"key": "order_number", "label": "Order number", "required": true, "pattern": ORDER_PATTERN}])
    );
    let intake = front.get_text("/staff/intake/orders").await;
    assert!(intake.contains("name=\"fact_order_number\""));
    assert!(
        !intake.contains("fact_delivery_date"),
        "a removed fact is no longer asked for"
    );
}

fn intake_body(category: &str, subject: &str) -> Value {
    json!({
        "customer": {"email": "ann@example.com", "name": "Ann Customer"},
        "category": category,
        "subject": subject,
        "body": "Where is it?",
        "channel": "email",
    })
}

#[tokio::test]
async fn a_bad_checklist_row_is_named_by_its_row_and_nothing_is_saved() {
    let (app, org, _, admin) = setup().await;
    let before = app.snapshot().await;
    // Each: the form posted, what the refusal must say, a typed value kept in the form.
    type Attempt<'a> = (Vec<(String, String)>, &'a [&'a str], &'a str);
    let attempts: Vec<Attempt> = vec![
        (
            billing_form(
                &org,
                &[
                    row("Account number", "account_number", true),
                    Row {
                        pattern: "(unclosed",
                        ..row("Invoice number", "invoice_number", false)
                    },
                ],
            ),
            &[
                "checklist row 2",
                "pattern",
                "not a valid regular expression",
            ],
            "(unclosed",
        ),
        (
            // A new row whose key, made from its label, is taken by row 1.
            billing_form(
                &org,
                &[
                    row("Account number", "account_number", true),
                    row("Invoice number", "invoice_number", false),
                    row("Account Number", "", false),
                ],
            ),
            &["checklist row 3", "\"account_number\" appears twice"],
            "Account Number",
        ),
        (
            // Row 1 removed: the page shown again has the bad item as its row 2.
            billing_form(
                &org,
                &[
                    Row {
                        remove: true,
                        ..row("Account number", "account_number", true)
                    },
                    row("Invoice number", "invoice_number", false),
                    Row {
                        pattern: "[z-a]",
                        ..row("Order number", "order_number", false)
                    },
                ],
            ),
            &["checklist row 2", "pattern"],
            "[z-a]",
        ),
        (
            billing_form(
                &org,
                &[
                    row("Account number", "account_number", true),
                    row("Invoice number", "Invoice Number!", false),
                ],
            ),
            &["checklist row 2", "key", "lowercase"],
            "Invoice Number!",
        ),
        (
            billing_form(
                &org,
                &[
                    row("Account number", "account_number", true),
                    row("", "invoice_number", false),
                ],
            ),
            &["checklist row 2", "label", "is required"],
            "invoice_number",
        ),
    ];
    for (form, says, kept) in attempts {
        let r = submit(&admin, "/staff/admin/categories/billing", &form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{says:?}: {}",
            r.page
        );
        let problem = problem(&r.page);
        for said in says {
            assert!(
                problem.contains(said),
                "the problem says {said:?}: {problem}"
            );
        }
        assert!(
            r.page.contains(&format!("value=\"{}\"", escaped(kept))),
            "what was typed ({kept}) is still in the form: {}",
            r.page
        );
    }
    assert_eq!(before, app.snapshot().await, "nothing was saved");
    assert_eq!(
        category(&app, "billing").await.unwrap()["checklist"],
        json!([
            {"key": "account_number", "label": "Account number", "required": true},
            {"key": "invoice_number", "label": "Invoice number", "required": false}
        ])
    );
}

/// The row numbers a refusal names are those of the page shown with it: the row called
/// "Row N" there holds the value that was refused.
#[tokio::test]
async fn the_row_a_refusal_names_is_the_row_that_shows_the_bad_value() {
    let (app, org, _, admin) = setup().await;
    let before = category(&app, "billing").await;
    let attempts: [(Vec<(String, String)>, &str); 2] = [
        (
            // Row 1 removed, row 3 (a new fact) has a broken pattern.
            billing_form(
                &org,
                &[
                    Row {
                        remove: true,
                        ..row("Account number", "account_number", true)
                    },
                    row("Invoice number", "invoice_number", false),
                    Row {
                        pattern: "[z-a]",
                        ..row("Order number", "order_number", false)
                    },
                ],
            ),
            "[z-a]",
        ),
        (
            // The new fact typed in the second blank row (row 4), row 3 left empty.
            billing_form(
                &org,
                &[
                    row("Account number", "account_number", true),
                    row("Invoice number", "invoice_number", false),
                    row("", "", false),
                    Row {
                        pattern: "(unclosed",
                        ..row("Order number", "order_number", false)
                    },
                ],
            ),
            "(unclosed",
        ),
    ];
    for (form, bad) in attempts {
        let r = submit(&admin, "/staff/admin/categories/billing", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.page);
        let said = problem(&r.page);
        let n: usize = said
            .split("checklist row ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a row is named: {said}"));
        assert!(
            r.page.contains(&format!("<p class=\"meta\">Row {n}</p>")),
            "the page has a row {n}"
        );
        assert_eq!(
            value_of(&r.page, &format!("item{}_pattern", n - 1)).as_deref(),
            Some(bad),
            "{said}: the page's Row {n} should hold the refused pattern"
        );
    }
    assert_eq!(category(&app, "billing").await, before);
}

/// Escapes as the pages do (askama's HTML escaping).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn a_category_names_active_people_only_and_unknown_categories_are_404() {
    let (app, org, _, admin) = setup().await;
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/deactivate", org.lead.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let before = app.snapshot().await;
    let vp = org.vp.id.to_string();
    let lead = org.lead.id.to_string();
    let manager = org.manager.id.to_string();
    let attempts: [(&str, &str, &[&str]); 4] = [
        (&lead, &vp, &["manager", "Leo Lead is deactivated"]),
        ("999999", &vp, &["manager", "no person with id 999999"]),
        ("", &vp, &["manager", "choose a person"]),
        (
            &manager,
            "999999",
            &["executive", "no person with id 999999"],
        ),
    ];
    for (manager, executive, says) in attempts {
        let form = category_form("Billing", manager, executive, &billing_rows());
        let r = submit(&admin, "/staff/admin/categories/billing", &form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{says:?}: {}",
            r.page
        );
        let said = problem(&r.page);
        for s in says {
            assert!(said.contains(s), "{s:?} in {said}");
        }
        // The same when adding a category.
        let r = submit(
            &admin,
            "/staff/admin/categories",
            &owned(&[
                ("name", "Returns"),
                ("key", "returns"),
                ("manager", manager),
                ("executive", executive),
            ]),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{says:?}: {}",
            r.page
        );
        assert!(problem(&r.page).contains(says[0]), "{}", r.page);
        assert_eq!(
            value_of(&r.page, "name").as_deref(),
            Some("Returns"),
            "what was typed is kept"
        );
    }
    assert!(
        !admin
            .get_text("/staff/admin/categories/billing")
            .await
            .contains("Leo Lead ("),
        "a deactivated person is not offered"
    );

    for (key, name, field) in [("Bad Key!", "Returns", "key"), ("returns", "", "name")] {
        let r = submit(
            &admin,
            "/staff/admin/categories",
            &owned(&[
                ("name", name),
                ("key", key),
                ("manager", &manager),
                ("executive", &vp),
            ]),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{key}: {}",
            r.page
        );
        assert!(problem(&r.page).starts_with(field), "{}", problem(&r.page));
    }
    let taken = submit(
        &admin,
        "/staff/admin/categories",
        &owned(&[
            ("name", "Billing again"),
            ("key", "billing"),
            ("manager", &manager),
            ("executive", &vp),
        ]),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.page);
    assert!(!problem(&taken.page).is_empty());

    let (status, _) = page(&admin, "/staff/admin/categories/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = category_form("Nope", &manager, &vp, &[row("Thing", "thing", true)]);
    let r = submit(&admin, "/staff/admin/categories/nope", &form).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.page);
    assert_eq!(before, app.snapshot().await, "nothing was saved");
    assert!(category(&app, "nope").await.is_none());
}

// --- PUT /api/v1/categories/{key} ---------------------------------------------------

#[tokio::test]
async fn the_api_replaces_a_categorys_checklist_for_the_cases_opened_next() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let earlier = app.open_case_id(&org.front1, "Before the change").await;
    let earlier_before = app.case(earlier).await;
    let new = json!({
        "key": "billing",
        "name": "Billing and refunds",
        "checklist": [
            {"key": "account_number", "label": "Account number", "required": true},
            {"key": "invoice_number", "label": "Invoice number", "required": true, "pattern": r"INV-\d+"}
        ],
        "manager": org.manager.id,
        "executive": org.ceo.id
    });
    let put =
        |token: &str, path: &str, body: &Value| app.authed(Method::PUT, path, token).json(body);

    for who in [&org.front1, &org.manager, &org.ceo] {
        app.refused(
            put(&who.token, "/api/v1/categories/billing", &new),
            StatusCode::FORBIDDEN,
            None,
        )
        .await;
    }
    let mut other_key = new.clone();
    other_key["key"] = json!("orders");
    let e = app
        .refused(
            put(&app.admin_token, "/api/v1/categories/billing", &other_key),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("key"),
        )
        .await;
    assert!(
        e["message"].as_str().unwrap().contains("cannot change"),
        "{e}"
    );
    app.refused(
        put(&app.admin_token, "/api/v1/categories/orders", &other_key),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    let mut bad = new.clone();
    bad["checklist"][1]["pattern"] = json!("(unclosed");
    app.refused(
        put(&app.admin_token, "/api/v1/categories/billing", &bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("checklist[1].pattern"),
    )
    .await;
    let mut twice = new.clone();
    twice["checklist"][1]["key"] = json!("account_number");
    app.refused(
        put(&app.admin_token, "/api/v1/categories/billing", &twice),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("checklist[1].key"),
    )
    .await;
    let mut nobody = new.clone();
    nobody["executive"] = json!(999_999);
    app.refused(
        put(&app.admin_token, "/api/v1/categories/billing", &nobody),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("executive"),
    )
    .await;

    let r = app
        .send(put(&app.admin_token, "/api/v1/categories/billing", &new))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, new);
    assert_eq!(category(&app, "billing").await.unwrap(), new);

    // The next case needs the invoice number now.
    let r = app
        .post(
            &org.front1.token,
            "/api/v1/cases",
            &intake("After the change"),
        )
        .await;
    expect_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("facts.invoice_number"),
    );
    let mut with = intake("After the change");
    with["facts"]["invoice_number"] = json!("INV-7");
    let r = app.post(&org.front1.token, "/api/v1/cases", &with).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Its escalation goes to the new executive.
    let id = r.body["id"].as_i64().unwrap();
    app.set_clock(hours(20) + minutes(1));
    app.sweep().await;
    assert_eq!(app.case(id).await["owner"], org.ceo.id);
    // The case opened before keeps the facts it was opened with.
    let earlier_after = app.case(earlier).await;
    assert_eq!(
        earlier_after["events"][0], earlier_before["events"][0],
        "an open case keeps what it was opened with"
    );
}

// --- rules ---------------------------------------------------------------------------

/// The rules form as the page fills it, with `changes` typed over it.
fn rules_form(page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    [
        "escalate_after",
        "tickle_after",
        "deadline_warning",
        "promise_within",
    ]
    .iter()
    .map(|name| {
        let typed = changes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string());
        let shown = value_of(page, name).unwrap_or_else(|| panic!("{name} is on the page"));
        (name.to_string(), typed.unwrap_or(shown))
    })
    .collect()
}

const FROM_CONFIG: &str = "from the server's configuration";

#[tokio::test]
async fn a_rule_changed_on_the_rules_page_applies_to_the_next_case_and_says_who_changed_it() {
    let (app, org, _, admin) = setup().await;
    let (status, rules) = page(&admin, "/staff/admin/rules").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(value_of(&rules, "escalate_after").as_deref(), Some("20h"));
    assert_eq!(value_of(&rules, "promise_within").as_deref(), Some("1day"));
    for name in [
        "escalate_after",
        "tickle_after",
        "deadline_warning",
        "promise_within",
    ] {
        assert!(
            hint(&rules, name).contains(FROM_CONFIG),
            "{}",
            hint(&rules, name)
        );
    }
    let earlier = app.open_case(&org.front1, "Opened before").await;

    app.advance(minutes(10));
    let saved = submit(
        &admin,
        "/staff/admin/rules",
        &rules_form(
            &rules,
            &[("escalate_after", "2h"), ("promise_within", "4h")],
        ),
    )
    .await;
    let rules = follow(&admin, &saved).await;
    assert_eq!(
        notice(&rules),
        "saved: escalate_after, promise_within",
        "only what changed is saved"
    );
    assert_eq!(value_of(&rules, "escalate_after").as_deref(), Some("2h"));
    let said = hint(&rules, "escalate_after");
    assert!(
        said.contains("changed here by Ada Admin, Mon 3 Mar 2025, 09:10 UTC")
            && said.contains("the configuration says 20h"),
        "{said}"
    );
    assert!(hint(&rules, "tickle_after").contains(FROM_CONFIG));

    let next = app.open_case(&org.front1, "Opened after").await;
    assert_eq!(
        time(&next["escalates_at"]),
        time(&next["opened_at"]) + hours(2)
    );
    assert_eq!(
        time(&next["promised_by"]),
        time(&next["opened_at"]) + hours(4)
    );
    let earlier_id = earlier["id"].as_i64().unwrap();
    let earlier_case = app.case(earlier_id).await;
    assert_eq!(
        time(&earlier_case["escalates_at"]),
        t0() + hours(20),
        "an open case keeps its deadline"
    );
    assert_eq!(earlier_case["promised_by"], earlier["promised_by"]);
    // Even when something happens on it.
    app.act_ok(
        &org.front1,
        earlier_id,
        "messages",
        &json!({"body": "We are looking into it."}),
    )
    .await;
    assert_eq!(
        time(&app.case(earlier_id).await["escalates_at"]),
        t0() + hours(20)
    );

    // The scheduler escalates the new case after 2 h, the old one not yet.
    let next_id = next["id"].as_i64().unwrap();
    app.set_clock(minutes(10) + hours(2) + minutes(1));
    app.sweep().await;
    let next_case = app.case(next_id).await;
    assert_eq!(next_case["escalated"], true);
    assert_eq!(next_case["owner"], org.vp.id);
    let earlier_case = app.case(earlier_id).await;
    assert_eq!(earlier_case["escalated"], false);
    assert_eq!(earlier_case["owner"], org.front1.id);

    // Typing the configured value again (in other units) hands it back to the configuration.
    let saved = submit(
        &admin,
        "/staff/admin/rules",
        &rules_form(&rules, &[("escalate_after", "1200m")]),
    )
    .await;
    let rules = follow(&admin, &saved).await;
    assert_eq!(notice(&rules), "saved: escalate_after");
    assert_eq!(value_of(&rules, "escalate_after").as_deref(), Some("20h"));
    assert!(
        hint(&rules, "escalate_after").contains(FROM_CONFIG),
        "{}",
        hint(&rules, "escalate_after")
    );
    assert!(hint(&rules, "promise_within").contains("changed here by Ada Admin"));
    let last = app.open_case(&org.front1, "Opened last").await;
    assert_eq!(
        time(&last["escalates_at"]),
        time(&last["opened_at"]) + hours(20)
    );
    // Saving the page unchanged changes nothing.
    let again = submit(&admin, "/staff/admin/rules", &rules_form(&rules, &[])).await;
    assert_eq!(notice(&follow(&admin, &again).await), "nothing changed");
}

#[tokio::test]
async fn a_bad_rule_is_refused_naming_it_and_nothing_of_the_form_is_saved() {
    let (app, org, _, admin) = setup().await;
    let original = admin.get_text("/staff/admin/rules").await;
    let attempts: [(&str, &str, &str, &str); 5] = [
        ("escalate_after", "tomorrow", "tickle_after", "2h"),
        ("tickle_after", "0s", "escalate_after", "3h"),
        ("deadline_warning", "1.5", "escalate_after", "3h"),
        ("promise_within", "200days", "escalate_after", "3h"),
        ("escalate_after", "", "promise_within", "3h"),
    ];
    for (bad, typed, good, valid) in attempts {
        let form = rules_form(&original, &[(bad, typed), (good, valid)]);
        let r = submit(&admin, "/staff/admin/rules", &form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}={typed}: {}",
            r.page
        );
        let problem = problem(&r.page);
        assert!(
            problem.contains("nothing was changed") && problem.contains(bad),
            "{problem}"
        );
        assert!(
            !problem.contains(good),
            "the valid field is not blamed: {problem}"
        );
        let error = between(&r.page, &format!("id=\"{bad}-error\">"), "</p>");
        assert!(!error.trim().is_empty(), "{bad} has its error next to it");
        assert_eq!(
            value_of(&r.page, bad).as_deref(),
            Some(typed),
            "what was typed is kept"
        );
    }
    let now = admin.get_text("/staff/admin/rules").await;
    for name in [
        "escalate_after",
        "tickle_after",
        "deadline_warning",
        "promise_within",
    ] {
        assert!(
            hint(&now, name).contains(FROM_CONFIG),
            "{name} was not saved"
        );
        assert_eq!(value_of(&now, name), value_of(&original, name));
    }
    let case = app.open_case(&org.front1, "After the refusals").await;
    assert_eq!(
        time(&case["escalates_at"]),
        time(&case["opened_at"]) + hours(20)
    );
}

#[tokio::test]
async fn saved_rules_outlive_a_restart() {
    let (app, org, ada, admin) = setup().await;
    let rules = admin.get_text("/staff/admin/rules").await;
    let saved = submit(
        &admin,
        "/staff/admin/rules",
        &rules_form(
            &rules,
            &[("escalate_after", "2h"), ("deadline_warning", "0.5")],
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.page);
    drop(admin);

    let app = app.stop().await.restart().await;
    let admin = StaffSession::sign_in(&app, ada.id).await;
    let rules = admin.get_text("/staff/admin/rules").await;
    assert_eq!(value_of(&rules, "escalate_after").as_deref(), Some("2h"));
    assert_eq!(value_of(&rules, "deadline_warning").as_deref(), Some("0.5"));
    assert!(hint(&rules, "escalate_after").contains("changed here by Ada Admin"));
    assert!(hint(&rules, "tickle_after").contains(FROM_CONFIG));
    let case = app.open_case(&org.front1, "After the restart").await;
    assert_eq!(
        time(&case["escalates_at"]),
        time(&case["opened_at"]) + hours(2)
    );
    // The deadline warning comes at half of the 2 hours.
    let id = case["id"].as_i64().unwrap();
    app.set_clock(minutes(59));
    app.sweep().await;
    assert_eq!(count_kind(&app.events(id).await, "tickled"), 0);
    app.set_clock(minutes(61));
    app.sweep().await;
    let events = app.events(id).await;
    assert_eq!(count_kind(&events, "tickled"), 1, "{:?}", kinds(&events));
}

// --- mail ----------------------------------------------------------------------------

fn mail_form(page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    [
        "mail_from",
        "mail_sender_name",
        "inbound_category",
        "inbound_owner",
    ]
    .iter()
    .map(|name| {
        let typed = changes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string());
        let shown = if *name == "inbound_category" {
            // The selected option.
            page.split("name=\"inbound_category\"")
                .nth(1)
                .and_then(|s| s.split("</select>").next())
                .and_then(|s| {
                    s.split("<option value=\"")
                        .skip(1)
                        .find(|o| o.contains("\" selected>"))
                        .and_then(|o| o.split('"').next())
                })
                .unwrap_or_default()
                .to_string()
        } else {
            value_of(page, name).unwrap_or_else(|| panic!("{name} is on the page"))
        };
        (name.to_string(), typed.unwrap_or(shown))
    })
    .collect()
}

#[tokio::test]
async fn the_relay_is_shown_without_its_password() {
    let sink = SmtpSink::start();
    let port = sink.as_ref().map_or_else(free_port, |s| s.port);
    let (_app, _, _, admin) = setup_with(|c| {
        c.smtp_relay = Some(format!("smtp://roadone:s3cr3t-pa55@127.0.0.1:{port}"));
    })
    .await;
    let (status, mail) = page(&admin, "/staff/admin/mail").await;
    assert_eq!(status, StatusCode::OK);
    let relay = between(&mail, "<dt>Outgoing mail goes through</dt><dd>", "</dd>");
    assert!(
        relay.contains(&format!("127.0.0.1:{port}")) && relay.contains("signs in as roadone"),
        "{relay}"
    );
    assert!(
        !mail.contains("s3cr3t"),
        "the password is never shown: {mail}"
    );
    // Nor when the test message fails: aiosmtpd offers no AUTH (or, without aiosmtpd,
    // nothing listens), so the relay's refusal is shown.
    let r = submit(&admin, "/staff/admin/mail/test", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.page);
    assert!(
        problem(&r.page).contains("the test message was not sent"),
        "{}",
        problem(&r.page)
    );
    assert!(!r.page.contains("s3cr3t"), "{}", r.page);
}

#[tokio::test]
async fn without_a_relay_the_test_message_says_none_is_configured() {
    let (_app, _, _, admin) = setup().await;
    let mail = admin.get_text("/staff/admin/mail").await;
    assert!(
        between(&mail, "<dt>Outgoing mail goes through</dt><dd>", "</dd>").starts_with("not set"),
        "{mail}"
    );
    let r = submit(&admin, "/staff/admin/mail/test", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.page);
    assert!(
        problem(&r.page).contains("no mail relay is configured"),
        "{}",
        problem(&r.page)
    );
}

#[tokio::test]
async fn the_test_message_and_the_next_notification_come_from_the_address_set_on_the_page() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let configured = relay.clone();
    let (app, org, _, admin) = setup_with(move |c| c.smtp_relay = Some(configured)).await;

    let r = submit(&admin, "/staff/admin/mail/test", &[]).await;
    let mail = follow(&admin, &r).await;
    assert!(
        notice(&mail).contains("handed to the relay for ada.admin@example.com"),
        "{}",
        notice(&mail)
    );
    let messages = sink.wait_for(1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(header(&messages[0], "To")
        .unwrap()
        .contains("ada.admin@example.com"));
    assert_eq!(
        header(&messages[0], "Subject").as_deref(),
        Some("Roadone test message")
    );
    // Sent at once, not through the outbox: it still says what it is and has its own id.
    assert_eq!(header(&messages[0], "MIME-Version").as_deref(), Some("1.0"));
    assert!(header(&messages[0], "Message-ID")
        .is_some_and(|id| id.starts_with("<roadone.direct.") && id.ends_with("@roadone.local>")));
    assert!(
        header(&messages[0], "From")
            .unwrap()
            .contains("<support@roadone.local>"),
        "{}",
        messages[0]
    );

    let saved = submit(
        &admin,
        "/staff/admin/mail",
        &mail_form(
            &mail,
            &[
                ("mail_from", "Help@Shop.example"),
                ("mail_sender_name", "Shop Help"),
            ],
        ),
    )
    .await;
    let mail = follow(&admin, &saved).await;
    assert_eq!(notice(&mail), "saved: mail_from, mail_sender_name");
    assert_eq!(
        value_of(&mail, "mail_from").as_deref(),
        Some("help@shop.example")
    );
    assert!(hint(&mail, "mail_from").contains("changed here by Ada Admin"));

    let r = submit(&admin, "/staff/admin/mail/test", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.page);
    let messages = sink.wait_for(2);
    let test = messages
        .iter()
        .find(|m| header(m, "From").is_some_and(|f| f.contains("help@shop.example")))
        .unwrap_or_else(|| panic!("the second test message is from the new address: {messages:?}"));
    assert_eq!(from(test), "Shop Help <help@shop.example>");

    // The acknowledgment of the next case, too.
    app.open_case(&org.front1, "Charged twice").await;
    let report = MailSender::new(app.state.clone(), app.state.templates().clone(), &relay)
        .unwrap()
        .deliver_due()
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let messages = sink.wait_for(3);
    let ack = messages
        .iter()
        .find(|m| header(m, "To").is_some_and(|t| t.contains("ann@example.com")))
        .unwrap_or_else(|| panic!("the acknowledgment arrived: {messages:?}"));
    assert_eq!(from(ack), "Shop Help <help@shop.example>");
    let reply_to = header(ack, "Reply-To").unwrap().replace('"', "");
    assert!(
        reply_to.starts_with("Shop Help <help+") && reply_to.ends_with("@shop.example>"),
        "{reply_to}"
    );
}

/// The From header with any quotes around the display name taken off.
fn from(raw: &str) -> String {
    header(raw, "From").expect("a From header").replace('"', "")
}

#[tokio::test]
async fn new_mail_goes_to_the_category_and_owner_set_on_the_mail_page() {
    let (app, org, _, admin) = setup().await;
    add_orders(&app, &org).await;
    app.post(
        &app.admin_token,
        &format!("/api/v1/people/{}/deactivate", org.front2.id),
        &json!({}),
    )
    .await;
    let mail = admin.get_text("/staff/admin/mail").await;
    assert!(
        mail.contains("<option value=\"orders\">Orders</option>"),
        "{mail}"
    );

    // Refused: nothing of the form is saved.
    let attempts: [(&str, &str); 5] = [
        ("inbound_owner", "nobody@example.com"),
        ("inbound_owner", "fran"),
        ("inbound_owner", "finn.front@example.com"),
        ("inbound_category", "nope"),
        ("mail_from", "support+x@example.com"),
    ];
    for (name, typed) in attempts {
        let mut changes = vec![(name, typed)];
        if name != "inbound_category" {
            changes.push(("inbound_category", "orders"));
        }
        let r = submit(&admin, "/staff/admin/mail", &mail_form(&mail, &changes)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}={typed}: {}",
            r.page
        );
        let problem = problem(&r.page);
        assert!(problem.contains(name), "{problem}");
        assert!(!between(&r.page, &format!("id=\"{name}-error\">"), "</p>").is_empty());
    }
    let unchanged = admin.get_text("/staff/admin/mail").await;
    for name in [
        "mail_from",
        "mail_sender_name",
        "inbound_category",
        "inbound_owner",
    ] {
        assert!(
            hint(&unchanged, name).contains(FROM_CONFIG),
            "{name} unchanged"
        );
    }
    let r = deliver(
        &app,
        &inbound_mail("Bea <bea@example.org>", "Refused settings", "Order 123456"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let case = app.case(r.body["case_id"].as_i64().unwrap()).await;
    assert_eq!(case["category"], "billing", "the first category by key");

    let saved = submit(
        &admin,
        "/staff/admin/mail",
        &mail_form(
            &mail,
            &[
                ("inbound_category", "orders"),
                ("inbound_owner", " Leo.Lead@Example.com "),
            ],
        ),
    )
    .await;
    let mail = follow(&admin, &saved).await;
    assert_eq!(notice(&mail), "saved: inbound_category, inbound_owner");
    assert!(mail.contains("<option value=\"orders\" selected>Orders</option>"));
    assert_eq!(
        value_of(&mail, "inbound_owner").as_deref(),
        Some("leo.lead@example.com")
    );

    let r = deliver(
        &app,
        &inbound_mail(
            "Carl Customer <carl@example.net>",
            "Where is my parcel",
            "It is order #1234567, sent a week ago.",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["outcome"], "opened");
    let case = app.case(r.body["case_id"].as_i64().unwrap()).await;
    assert_eq!(case["category"], "orders");
    assert_eq!(case["owner"], org.lead.id);
    assert_eq!(
        case["events"][0]["data"]["facts"],
        json!({"order_number": "1234567"}),
        "the category's pattern found the order number"
    );

    // Emptying both hands them back to the configuration.
    let saved = submit(
        &admin,
        "/staff/admin/mail",
        &mail_form(&mail, &[("inbound_category", ""), ("inbound_owner", "")]),
    )
    .await;
    let mail = follow(&admin, &saved).await;
    assert!(hint(&mail, "inbound_category").contains(FROM_CONFIG));
    assert!(hint(&mail, "inbound_owner").contains(FROM_CONFIG));
    let r = deliver(
        &app,
        &inbound_mail("Dora <dora@example.net>", "Another one", "Hello"),
    )
    .await;
    let case = app.case(r.body["case_id"].as_i64().unwrap()).await;
    assert_eq!(case["category"], "billing");
    assert_eq!(case["owner"], org.front1.id, "the only active frontline");
}

/// Mail to the reply address of a message sent before the address changed still reaches
/// its case (the same domain: only the local part was changed on the page).
#[tokio::test]
async fn replies_to_mail_sent_before_the_address_changed_still_reach_their_case() {
    let (app, org, _, admin) = setup().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let old_reply_to = roadone_server::mail::reply_address::address(
        "support@roadone.local",
        app.state.secret(),
        id,
    );
    let mail = admin.get_text("/staff/admin/mail").await;
    let saved = submit(
        &admin,
        "/staff/admin/mail",
        &mail_form(&mail, &[("mail_from", "help@roadone.local")]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.page);
    let raw = format!(
        "From: Ann Customer <ann@example.com>\r\nTo: {old_reply_to}\r\nSubject: Re: Charged twice\r\nMessage-ID: <reply-1@example.com>\r\n\r\nHere is the invoice: INV-77\r\n"
    );
    let r = deliver(&app, &raw).await;
    assert_eq!(
        (r.body["outcome"].as_str(), r.body["case_id"].as_i64()),
        (Some("replied"), Some(id)),
        "the reply lands on its case, no new case: {}",
        r.text
    );
}

/// Deactivating the person new mail goes to does not make new mail fail.
#[tokio::test]
async fn new_mail_still_opens_a_case_after_its_named_owner_is_deactivated() {
    let (app, org, _, admin) = setup().await;
    let mail = admin.get_text("/staff/admin/mail").await;
    let saved = submit(
        &admin,
        "/staff/admin/mail",
        &mail_form(&mail, &[("inbound_owner", "leo.lead@example.com")]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.page);
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/deactivate", org.lead.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = deliver(
        &app,
        &inbound_mail("Bea <bea@example.org>", "Parcel never arrived", "Hello"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let case = app.case(r.body["case_id"].as_i64().unwrap()).await;
    assert_ne!(case["owner"], org.lead.id, "not the deactivated person");
}

/// An address the page accepts is one mail can be sent from: anything else is refused,
/// and customers keep getting their acknowledgments.
#[tokio::test]
async fn a_from_address_that_mail_cannot_use_is_refused() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let configured = relay.clone();
    let (app, org, _, admin) = setup_with(move |c| c.smtp_relay = Some(configured)).await;
    let mail = admin.get_text("/staff/admin/mail").await;
    for typed in [
        "<help@shop.example>",
        "help@shop.example,",
        "help@shop example",
    ] {
        let r = submit(
            &admin,
            "/staff/admin/mail",
            &mail_form(&mail, &[("mail_from", typed)]),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed:?} is refused: {}",
            r.page
        );
        assert!(
            problem(&r.page).contains("mail_from"),
            "{}",
            problem(&r.page)
        );
    }
    let now = admin.get_text("/staff/admin/mail").await;
    assert!(hint(&now, "mail_from").contains(FROM_CONFIG));
    app.open_case(&org.front1, "Charged twice").await;
    let report = MailSender::new(app.state.clone(), app.state.templates().clone(), &relay)
        .unwrap()
        .deliver_due()
        .await
        .unwrap();
    assert_eq!(
        (report.sent, report.failed),
        (1, 0),
        "the acknowledgment goes out: {report:?}"
    );
    let r = submit(&admin, "/staff/admin/mail/test", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.page);
    assert_eq!(sink.wait_for(2).len(), 2);
}

// --- intake lookup -------------------------------------------------------------------

#[tokio::test]
async fn a_caller_is_found_by_any_word_their_email_or_their_number_however_said() {
    // The company's numbers are British: "020 7946 0000" needs no +44.
    let (app, org, _, _) = setup_with(|c| c.phone_region = Some("GB".parse().unwrap())).await;
    let first = app.open_case(&org.front1, "Charged twice").await;
    let second = app.open_case(&org.front2, "Refund missing").await;
    let mut bob = intake("Bob's question");
    bob["customer"] =
        json!({"email": "bob@shop.example", "name": "Bob Buyer", "phone": "after six, at home"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &bob).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "words are no number: {}",
        r.text
    );
    assert_eq!(r.body["error"]["field"], "customer.phone");
    bob["customer"]["phone"] = json!("+1 (202) 555-0100");
    let r = app.post(&org.front1.token, "/api/v1/cases", &bob).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let bob_ref = r.body["ref"].as_str().unwrap().to_string();

    let front = StaffSession::sign_in(&app, org.front1.id).await;
    let found = |page: &str| -> Vec<String> {
        if !page.contains("id=\"found-title\"") {
            return Vec::new();
        }
        let section = page
            .split("id=\"found-title\"")
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_default();
        common::html::attributes(section, "href")
    };
    let path = |find: &str| {
        let q: String = url_encode(find);
        format!("/staff/intake/billing?find={q}")
    };
    let (status, ann_page) = page(&front, &path("ann@")).await;
    assert_eq!(status, StatusCode::OK);
    let ann = found(&ann_page);
    assert_eq!(ann.len(), 1, "Ann only: {ann_page}");
    assert!(
        ann[0].starts_with("/staff/intake/billing?customer="),
        "{ann:?}"
    );
    assert!(ann_page.contains("Ann Customer</a>"));
    // Her name by any word, her email, and her number however it is read out: whole, in
    // the national form, or just its last digits.
    for find in [
        "ANN",
        "Ann Cust",
        "customer",
        "ann@example.com",
        "+442079460000",
        "020 7946 0000",
        "(020) 7946-0000",
        "460000",
    ] {
        assert_eq!(found(&front.get_text(&path(find)).await), ann, "{find}");
    }
    let bob_page = front.get_text(&path("bob b")).await;
    let bob_link = found(&bob_page);
    assert_eq!(bob_link.len(), 1, "{bob_page}");
    assert_ne!(bob_link, ann);
    for find in ["+1 202 555 0100", "5550100", "buyer"] {
        assert_eq!(
            found(&front.get_text(&path(find)).await),
            bob_link,
            "{find}"
        );
    }
    // Neither is found by the middle of a word or a number, and wildcards are plain
    // characters.
    for find in ["ustomer", "%", "_", "2079", "*", "\"\""] {
        let page = front.get_text(&path(find)).await;
        assert!(found(&page).is_empty(), "{find:?} finds nobody: {page}");
        assert!(page.contains("Nobody yet"), "{find:?}");
    }

    // Choosing Ann fills the form and lists her earlier cases, not Bob's.
    let (status, chosen) = page(&front, &ann[0]).await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    assert_eq!(value_of(&chosen, "name").as_deref(), Some("Ann Customer"));
    assert_eq!(
        value_of(&chosen, "email").as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        value_of(&chosen, "phone").as_deref(),
        Some("+442079460000"),
        "kept in E.164"
    );
    let earlier = between(&chosen, "id=\"chosen-title\"", "</section>");
    for case in [&first, &second] {
        assert!(
            earlier.contains(case["ref"].as_str().unwrap()),
            "{} is listed: {earlier}",
            case["ref"]
        );
    }
    assert!(!earlier.contains(&bob_ref), "{earlier}");
    assert!(earlier.contains(&format!("/staff/cases/{}", first["id"])));

    let (status, _) = page(&front, "/staff/intake/billing?customer=999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&front, "/staff/intake/nope?find=ann").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// --- who may post --------------------------------------------------------------------

/// Everything the admin pages can change, read back (by the same admin session).
async fn settings_state(app: &TestApp, admin: &StaffSession) -> (Value, String, String) {
    (
        categories(app).await,
        admin.get_text("/staff/admin/rules").await,
        admin.get_text("/staff/admin/mail").await,
    )
}

/// Each new form, filled with a change that would be accepted.
fn new_forms(org: &Org) -> Vec<(&'static str, Vec<(String, String)>)> {
    let manager = org.manager.id.to_string();
    let vp = org.vp.id.to_string();
    vec![
        (
            "/staff/admin/categories",
            owned(&[
                ("name", "Returns"),
                ("key", "returns"),
                ("manager", &manager),
                ("executive", &vp),
            ]),
        ),
        (
            "/staff/admin/categories/billing",
            category_form(
                "Billing",
                &manager,
                &vp,
                &[row("Account number", "account_number", false)],
            ),
        ),
        ("/staff/admin/rules", owned(&[("escalate_after", "2h")])),
        (
            "/staff/admin/mail",
            owned(&[("mail_sender_name", "Somebody else")]),
        ),
        ("/staff/admin/mail/test", Vec::new()),
    ]
}

#[tokio::test]
async fn the_new_forms_refuse_a_post_without_the_forms_csrf_token() {
    let sink = SmtpSink::start();
    let relay = sink
        .as_ref()
        .map(|s| format!("smtp://127.0.0.1:{}", s.port));
    let (app, org, ada, admin) = setup_with(|c| c.smtp_relay = relay).await;
    let other = StaffSession::sign_in(&app, ada.id).await;
    let before = settings_state(&app, &admin).await;
    for (path, form) in new_forms(&org) {
        let r = submit_without_csrf(&admin, path, &form).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{path} without csrf: {}",
            r.page
        );
        let mut wrong = vec![("csrf".to_string(), other.csrf.clone())];
        wrong.extend_from_slice(&form);
        let r = answer(admin.post(path).form(&wrong)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{path} with another session's token: {}",
            r.page
        );
    }
    assert_eq!(
        before,
        settings_state(&app, &admin).await,
        "nothing changed"
    );
    if let Some(sink) = &sink {
        assert!(sink.settled().await.is_empty(), "no test message was sent");
    }
    // The same forms with the token go through (so the refusals above were the token's).
    for (path, form) in new_forms(&org) {
        let r = submit(&admin, path, &form).await;
        let expected = if path.ends_with("/test") && sink.is_none() {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(r.status, expected, "{path}: {}", r.page);
    }
}

#[tokio::test]
async fn only_administrators_post_the_new_forms() {
    let (app, org, _, admin) = setup().await;
    let before = settings_state(&app, &admin).await;
    for who in [&org.front1, &org.lead, &org.manager, &org.ceo] {
        let session = StaffSession::sign_in(&app, who.id).await;
        for (path, form) in new_forms(&org) {
            let r = submit(&session, path, &form).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "person {} on {path}",
                who.id
            );
        }
    }
    assert_eq!(
        before,
        settings_state(&app, &admin).await,
        "nothing changed"
    );
}
