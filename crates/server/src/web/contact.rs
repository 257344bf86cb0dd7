//! The public form to write in: choose a category, fill its checklist, describe the
//! problem, attach files. The answer is the case page with the reference and the promise.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::languages::Words;
use crate::web::client_ip::ClientIp;
use crate::web::customer_language::Asked;
use crate::web::pages::{html, WebError, WebResult};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roadone_domain::{Category, Channel, Customer, Intake, Realtime};
use std::collections::BTreeMap;

const MAX_NAME: usize = 200;
const MAX_SUBJECT: usize = 200;
const MAX_FACT: usize = 500;
const MAX_DESCRIPTION: usize = 20_000;
const FACT_PREFIX: &str = "fact_";

#[derive(askama::Template)]
#[template(path = "web/contact_categories.html")]
struct CategoriesPage {
    t: Words,
    back: &'static str,
    categories: Vec<crate::directory::CategoryChoice>,
}

/// A field of the form as the page shows it.
struct Field {
    field: String,
    label: String,
    hint: String,
    /// The input's `type`, when not plain text.
    kind: &'static str,
    autocomplete: &'static str,
    required: bool,
    value: String,
    error: Option<String>,
    /// A required fact the customer may not have: the owner will ask for it.
    ask_later: bool,
}

#[derive(askama::Template)]
#[template(path = "web/contact_form.html")]
struct FormPage {
    t: Words,
    back: String,
    category_key: String,
    category_name: String,
    fields: Vec<Field>,
    error_count: usize,
    other_errors: Vec<String>,
    /// The form came back with problems: files must be chosen again.
    sent_back: bool,
}

/// The categories to choose from (straight to the form when there is only one).
pub async fn categories(State(state): State<AppState>, asked: Asked) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    if let [only] = snapshot.categories.values().collect::<Vec<_>>().as_slice() {
        return Ok(Redirect::to(&format!("/contact/{}", only.key)).into_response());
    }
    let page = CategoriesPage {
        t: asked.words(),
        back: "/contact",
        categories: snapshot.category_choices(),
    };
    Ok(html(&page)?.into_response())
}

fn category(state: &AppState, key: &str) -> Result<Category, WebError> {
    state
        .directory
        .snapshot()
        .categories
        .get(key)
        .cloned()
        .ok_or_else(|| WebError(AppError::NotFound(format!("the category {key:?}"))))
}

fn form_page(
    t: Words,
    category: &Category,
    values: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    status: StatusCode,
) -> WebResult<Response> {
    let field = |name: &str, label: String, hint: String| Field {
        value: values.get(name).cloned().unwrap_or_default(),
        error: errors.get(name).cloned(),
        field: name.to_string(),
        label,
        hint,
        kind: "",
        autocomplete: "",
        required: false,
        ask_later: false,
    };
    let mut fields = vec![
        Field {
            autocomplete: "name",
            required: true,
            ..field("name", t.get("form-name"), String::new())
        },
        Field {
            kind: "email",
            autocomplete: "email",
            required: true,
            ..field("email", t.get("form-email"), String::new())
        },
    ];
    // The category's checklist, in its own words (as the company wrote them).
    fields.extend(category.checklist.iter().map(|item| {
        let hint = if item.required {
            String::new()
        } else {
            t.get("form-if-you-have-it")
        };
        Field {
            ask_later: item.required,
            ..field(
                &format!("{FACT_PREFIX}{}", item.key),
                item.label.clone(),
                hint,
            )
        }
    }));
    fields.push(field(
        "subject",
        t.get("form-subject"),
        t.get("form-optional"),
    ));
    fields.push(Field {
        required: true,
        ..field("description", t.get("form-description"), String::new())
    });
    // Problems with fields the page does not show (a field it does not have).
    let shown = |f: &str| {
        matches!(f, "name" | "email" | "subject" | "description") || f.starts_with(FACT_PREFIX)
    };
    let other_errors: Vec<String> = errors
        .iter()
        .filter(|(f, _)| !shown(f))
        .map(|(f, m)| format!("{f}: {m}"))
        .collect();
    let page = html(&FormPage {
        t,
        back: format!("/contact/{}", category.key),
        category_key: category.key.clone(),
        category_name: category.name.clone(),
        fields,
        error_count: errors.len(),
        other_errors,
        sent_back: !values.is_empty(),
    })?;
    Ok((status, page).into_response())
}

/// The empty form for a category.
pub async fn form(
    State(state): State<AppState>,
    Path(key): Path<String>,
    asked: Asked,
) -> WebResult<Response> {
    let category = category(&state, &key)?;
    form_page(
        asked.words(),
        &category,
        &BTreeMap::new(),
        &BTreeMap::new(),
        StatusCode::OK,
    )
}

/// What the form says, checked; or every problem with its field.
struct Submission {
    customer: Customer,
    subject: String,
    description: String,
    facts: BTreeMap<String, String>,
    missing: Vec<String>,
}

/// A form sent back: what was typed (to show again) and each field's problem.
struct Rejected {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

fn check(
    t: Words,
    language: Option<crate::languages::Language>,
    category: &Category,
    form: &UploadForm,
) -> Result<Submission, Rejected> {
    let mut errors = BTreeMap::new();
    let values: BTreeMap<String, String> = form
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut too_long = |field: &str, value: &str, max: usize| {
        if value.chars().count() > max {
            errors.insert(field.to_string(), t.with("error-too-long", "max", max));
        }
    };
    let name = form.given("name").unwrap_or_default();
    too_long("name", &name, MAX_NAME);
    let subject = form.given("subject").unwrap_or_default();
    too_long("subject", &subject, MAX_SUBJECT);
    let description = form.given("description").unwrap_or_default();
    too_long("description", &description, MAX_DESCRIPTION);
    let mut facts = BTreeMap::new();
    let mut missing = Vec::new();
    for item in &category.checklist {
        let field = format!("{FACT_PREFIX}{}", item.key);
        match form.given(&field) {
            Some(v) => {
                too_long(&field, &v, MAX_FACT);
                facts.insert(item.key.clone(), v);
            }
            // The customer may not have it; the owner will ask.
            None if item.required => missing.push(item.key.clone()),
            None => {}
        }
    }
    if name.is_empty() {
        errors.insert("name".into(), t.get("error-name-missing"));
    }
    let email = form.given("email").unwrap_or_default();
    if email.is_empty() {
        errors.insert("email".into(), t.get("error-email-missing"));
    } else if roadone_domain::EmailAddress::parse(&email).is_err() {
        errors.insert(
            "email".into(),
            t.with("error-email-wrong", "email", format!("{email:?}")),
        );
    }
    if description.is_empty() {
        errors.insert("description".into(), t.get("error-description-missing"));
    }
    let known = |n: &str| {
        matches!(n, "name" | "email" | "subject" | "description")
            || n.strip_prefix(FACT_PREFIX)
                .is_some_and(|k| category.checklist.iter().any(|i| i.key == k))
    };
    for (field, _) in form.fields.iter().filter(|(n, _)| !known(n)) {
        errors.insert(field.clone(), t.get("error-no-such-field"));
    }
    if !errors.is_empty() {
        return Err(Rejected { values, errors });
    }
    let subject = if subject.is_empty() {
        // The first line of the description, shortened at a character boundary.
        let first = description.lines().next().unwrap_or_default().trim();
        let mut s: String = first.chars().take(80).collect();
        if first.chars().count() > 80 {
            s.push('…');
        }
        s
    } else {
        subject
    };
    Ok(Submission {
        customer: Customer {
            email: Some(email),
            name: Some(name),
            phone: None,
            external_id: None,
            language: language.map(|l| l.code().to_string()),
        },
        subject,
        description,
        facts,
        missing,
    })
}

/// Opens the case and sends the customer to its page, which shows the reference and
/// the promised time.
pub async fn submit(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ClientIp(ip): ClientIp,
    asked: Asked,
    request: Request,
) -> WebResult<Response> {
    let category = category(&state, &key)?;
    // Another site must not be able to open cases in a visitor's name.
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let t = asked.words();
    let submission = match check(t, asked.for_profile(), &category, &form) {
        Ok(s) => s,
        Err(Rejected { values, errors }) => {
            return form_page(
                t,
                &category,
                &values,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    if let Some(email) = &submission.customer.email {
        state.limits.check_address(email)?;
    }
    let attachments = UploadForm::store_files(&state, form.files).await?;
    let intake = Intake {
        customer: submission.customer,
        category: category.key.clone(),
        subject: submission.subject,
        body: submission.description,
        channel: Channel::Web,
        facts: submission.facts,
        missing_facts: submission.missing,
        realtime: Realtime::default(),
        attachments,
        call_back_within: None,
    };
    let outcome = state.open_unattended_case(intake, None).await?;
    let head = outcome.head();
    Ok(Redirect::to(&format!(
        "/portal/cases/{}?token={}&new=1",
        head.id, head.customer_token
    ))
    .into_response())
}
