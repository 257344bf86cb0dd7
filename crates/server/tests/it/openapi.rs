//! The OpenAPI document cannot drift from the router. The router registers each
//! operation with its description (`utoipa_axum::routes!`), so the served document is the
//! router's own list; these tests check that list against what is independent of it: the
//! handlers' `#[utoipa::path]` annotations, the answers of the running server, and the
//! source, where an `/api/v1` route registered without its description would show.

use crate::common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Operations = BTreeSet<(String, String)>;

/// `(method, path)` of every operation in a document.
fn operations(doc: &serde_json::Value) -> Operations {
    let mut found = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            found.insert((method.clone(), path.clone()));
        }
    }
    found
}

async fn served_document(app: &TestApp) -> serde_json::Value {
    let r = app
        .send(app.request(Method::GET, "/api/openapi.json"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.is_json(), "{:?}", r.headers);
    r.body
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Each handler's path and method, as its `#[utoipa::path]` annotation declares them.
fn annotated() -> Operations {
    let attribute =
        regex::Regex::new(r#"#\[utoipa::path\(\s*(\w+)\s*,\s*path\s*=\s*"([^"]+)""#).unwrap();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let attributes = text.matches("#[utoipa::path(").count();
        let parsed: Vec<_> = attribute
            .captures_iter(&text)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
        assert_eq!(
            parsed.len(),
            attributes,
            "{}: an annotation this test cannot read (method, then path, first)",
            file.display()
        );
        found.extend(parsed);
    }
    found
}

#[tokio::test]
async fn the_served_document_is_the_routers_and_lists_every_annotated_handler() {
    let app = TestApp::spawn().await;
    let served = operations(&served_document(&app).await);
    let router = roadone_server::http::api_routes();
    let registered = operations(&serde_json::to_value(router.get_openapi()).unwrap());
    assert_eq!(
        served, registered,
        "the served document is what the API router registered"
    );
    let annotated = annotated();
    assert!(annotated.len() > 30, "{annotated:?}");
    let unrouted: Vec<_> = annotated.difference(&served).collect();
    let unannotated: Vec<_> = served.difference(&annotated).collect();
    assert!(
        unrouted.is_empty(),
        "annotated handlers the router does not serve (add them to `http::api_routes`): {unrouted:?}"
    );
    assert!(
        unannotated.is_empty(),
        "documented operations with no annotated handler: {unannotated:?}"
    );
}

/// A route miss is the fallback's 404, whose message names the path; a handler's 404
/// ("case 1 not found") means the route was there.
fn route_missed(r: &common::Resp, path: &str) -> bool {
    r.status == StatusCode::METHOD_NOT_ALLOWED
        || (r.status == StatusCode::NOT_FOUND
            && r.body["error"]["message"] == format!("route {path} not found"))
}

#[tokio::test]
async fn every_documented_operation_is_answered_by_a_handler_and_no_other_method_is() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let documented = operations(&doc);
    let concrete = |path: &str| {
        path.replace("{id}", "1")
            .replace("{key}", "billing")
            .replace("{sha256}", &"0".repeat(64))
    };
    for (method, path) in &documented {
        let url = concrete(path);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app
            .send(app.authed(method.clone(), &url, &app.admin_token))
            .await;
        assert!(
            !route_missed(&r, &url),
            "{method} {url} is documented but not routed: {} {}",
            r.status,
            r.text
        );
    }
    // Nothing is served on a documented path that the document does not name.
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in ["get", "post", "put", "delete", "patch"] {
            if documented.contains(&(method.to_string(), path.clone())) {
                continue;
            }
            let url = concrete(path);
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .send(app.authed(verb.clone(), &url, &app.admin_token))
                .await;
            assert_eq!(
                r.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{verb} {url} is served but not documented: {}",
                r.text
            );
        }
    }
    // The fallback itself is a JSON 404 that the check above recognises.
    let r = app
        .send(app.authed(Method::GET, "/api/v1/nowhere", &app.admin_token))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["code"], "not_found");
    assert!(route_missed(&r, "/api/v1/nowhere"), "{}", r.text);
    // ... and a handler's own 404 is not taken for it.
    let r = app
        .send(app.authed(Method::GET, "/api/v1/cases/999", &app.admin_token))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(!route_missed(&r, "/api/v1/cases/999"), "{}", r.text);
}

/// The one way around the checks above: an `/api/v1` route added with plain axum
/// (`.route("/api/v1/…", …)`), which the document would never hear of.
#[test]
fn no_api_v1_route_is_registered_without_its_description() {
    let plain =
        regex::Regex::new(r#"\.(route|route_service|nest|nest_service)\(\s*"/api/v1"#).unwrap();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| plain.is_match(&std::fs::read_to_string(f).expect("readable source")))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "register /api/v1 routes with `routes!` in `http::api_routes`: {offenders:?}"
    );
}

/// Every operation is filed under a tag the document describes.
#[tokio::test]
async fn every_operation_has_a_declared_tag() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let declared: BTreeSet<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert_eq!(tags.len(), 1, "{method} {path}: {tags:?}");
            assert!(
                declared.contains(tags[0]),
                "{method} {path}: tag {} is not declared",
                tags[0]
            );
        }
    }
}

/// A generated client can call the list and the reports: their filters are query
/// parameters, never required path parameters that the paths do not have.
#[tokio::test]
async fn query_parameters_are_declared_in_the_query() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
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
