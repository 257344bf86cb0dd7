//! The OpenAPI document cannot drift from the router: every documented operation is
//! served, and every operation the router serves is documented.

mod common;

use common::TestApp;
use reqwest::Method;

/// What the router serves under /api/v1 (kept beside the check so a new route fails here
/// until it is documented).
const SERVED: &[(&str, &str)] = &[
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people/{id}/move"),
    ("post", "/api/v1/people/{id}/deactivate"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens/{id}/revoke"),
    ("post", "/api/v1/categories"),
    ("get", "/api/v1/categories"),
    ("put", "/api/v1/categories/{key}"),
    ("get", "/api/v1/reports/trail"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/reports/customer-math"),
    ("get", "/api/v1/reports/delight"),
    ("get", "/api/v1/reports/roads"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{id}"),
    ("post", "/api/v1/cases/{id}/pass-up"),
    ("post", "/api/v1/cases/{id}/take"),
    ("post", "/api/v1/cases/{id}/upgrade"),
    ("post", "/api/v1/cases/{id}/solve"),
    ("post", "/api/v1/cases/{id}/send-link"),
    ("post", "/api/v1/cases/{id}/messages"),
    ("post", "/api/v1/cases/{id}/notes"),
    ("post", "/api/v1/cases/{id}/rating"),
    ("post", "/api/v1/cases/{id}/customer-messages"),
    ("get", "/api/v1/cases/{id}/customer-view"),
    ("post", "/api/v1/inbound/email"),
    ("get", "/api/v1/cases/{id}/attachments/{sha256}"),
    ("get", "/api/v1/cases/{id}/attachments/{sha256}/sanitised"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

#[tokio::test]
async fn every_documented_operation_is_served_and_every_served_one_documented() {
    let app = TestApp::spawn().await;
    let doc = app
        .send(app.request(Method::GET, "/api/openapi.json"))
        .await
        .body;
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = SERVED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(
        documented, served,
        "the OpenAPI document and the router disagree"
    );

    // And the router really answers each of them (the fallback says "route ... not found").
    for (method, path) in &served {
        let concrete = path
            .replace("{id}", "1")
            .replace("{key}", "billing")
            .replace("{sha256}", &"0".repeat(64));
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app
            .send(app.authed(method.clone(), &concrete, &app.admin_token))
            .await;
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.starts_with("route "),
            "{method} {concrete} is documented but not routed: {message}"
        );
    }
    // The fallback itself is a JSON 404.
    let r = app
        .send(app.authed(Method::GET, "/api/v1/nowhere", &app.admin_token))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["code"], "not_found");
}

/// A generated client can call the list and the reports: their filters are query
/// parameters, never required path parameters that the paths do not have.
#[tokio::test]
async fn query_parameters_are_declared_in_the_query() {
    let app = TestApp::spawn().await;
    let doc = app
        .send(app.request(Method::GET, "/api/openapi.json"))
        .await
        .body;
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                if param["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is declared in the path, which has no {{{name}}}"
                    );
                }
                checked += 1;
            }
        }
    }
    let list = &doc["paths"]["/api/v1/cases"]["get"]["parameters"];
    assert!(
        list.as_array().unwrap().iter().any(|p| p["in"] == "query"),
        "{list}"
    );
    assert!(checked > 10, "{checked} parameters");
}
