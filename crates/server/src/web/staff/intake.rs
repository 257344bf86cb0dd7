//! Taking a call: who the customer is, the category, its checklist (each fact given or
//! marked "the customer did not have it"), realtime help only with a reason. On save the
//! page shows the reference and the promised time in large type, to read to the caller.
//! Every field is reachable with the keyboard alone, in reading order.

use crate::app::AppState;
use crate::directory::CategoryChoice;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::cases::CaseLink;
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roadone_domain::{Capability, Category, Channel, Customer, Intake, Realtime};
use roadone_store::CaseFilter;
use std::collections::BTreeMap;

fn may_take_calls(me: &SignedIn) -> Result<(), WebError> {
    if !me.person.role.may(Capability::TakeCases) {
        return Err(WebError(AppError::Forbidden(
            "administrators do not own cases; sign in as a person who takes calls".into(),
        )));
    }
    Ok(())
}

#[derive(askama::Template)]
#[template(path = "web/staff/intake_categories.html")]
struct CategoriesPage {
    me: Me,
    csrf: String,
    categories: Vec<CategoryChoice>,
}

pub async fn categories(State(state): State<AppState>, me: SignedIn) -> WebResult<Response> {
    may_take_calls(&me)?;
    let categories = state.directory.snapshot().category_choices();
    Ok(html(&CategoriesPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        categories,
    })?
    .into_response())
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

/// The caller lookup above the form: what was searched, who matched, and the customer
/// chosen (whose details fill the form) with their earlier cases.
#[derive(Debug, Default)]
struct Lookup {
    find: String,
    found: Vec<Found>,
    chosen: Option<Chosen>,
}

/// A customer a lookup found; empty where not known.
#[derive(Debug)]
struct Found {
    id: i64,
    name: String,
    email: String,
    phone: String,
}

/// The customer picked, and their earlier cases.
#[derive(Debug)]
struct Chosen {
    name: String,
    cases: Vec<CaseLink>,
}

/// One item of the category's checklist, as the form shows it.
#[derive(Debug)]
struct Fact {
    key: String,
    label: String,
    required: bool,
    value: String,
    missing: bool,
}

/// What the form was sent with, to show again; empty where not given.
#[derive(Debug)]
struct Values {
    name: String,
    email: String,
    phone: String,
    subject: String,
    description: String,
    realtime: bool,
    realtime_reason: String,
}

impl Values {
    fn of(values: &BTreeMap<String, String>) -> Values {
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        Values {
            name: get("name"),
            email: get("email"),
            phone: get("phone"),
            subject: get("subject"),
            description: get("description"),
            realtime: !get("realtime").is_empty(),
            realtime_reason: get("realtime_reason"),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "web/staff/intake.html")]
struct IntakePage<'a> {
    me: Me,
    csrf: String,
    category: &'a Category,
    facts: Vec<Fact>,
    values: Values,
    problem: Option<String>,
    find: String,
    found: Vec<Found>,
    chosen: Option<Chosen>,
}

fn form_page(
    me: &SignedIn,
    category: &Category,
    values: &BTreeMap<String, String>,
    problem: Option<(StatusCode, String)>,
    lookup: Lookup,
) -> WebResult<Response> {
    let facts: Vec<_> = category
        .checklist
        .iter()
        .map(|item| Fact {
            key: item.key.clone(),
            label: item.label.clone(),
            required: item.required,
            value: values
                .get(&format!("fact_{}", item.key))
                .cloned()
                .unwrap_or_default(),
            missing: values.contains_key(&format!("missing_{}", item.key)),
        })
        .collect();
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let page = html(&IntakePage {
        me: me.me(),
        csrf: me.csrf.clone(),
        category,
        facts,
        values: Values::of(values),
        problem: problem.map(|(_, m)| m),
        find: lookup.find,
        found: lookup.found,
        chosen: lookup.chosen,
    })?;
    Ok((status, page).into_response())
}

/// How many callers a lookup lists.
const FOUND_LIMIT: u32 = 20;

#[derive(serde::Deserialize)]
pub struct LookupQuery {
    /// Words of a name or email, an email, or a phone number (whole or its last digits).
    find: Option<String>,
    /// The customer picked from what was found.
    customer: Option<i64>,
}

pub async fn form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    Query(q): Query<LookupQuery>,
) -> WebResult<Response> {
    may_take_calls(&me)?;
    let category = category(&state, &key)?;
    let mut lookup = Lookup::default();
    let mut values = BTreeMap::new();
    if let Some(find) = q
        .find
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
    {
        lookup.found = state
            .find_customers(&find, FOUND_LIMIT)
            .await?
            .into_iter()
            .map(|c| Found {
                id: c.id,
                name: c.name.unwrap_or_default(),
                email: c.email.unwrap_or_default(),
                phone: c.phone.unwrap_or_default(),
            })
            .collect();
        lookup.find = find;
    }
    if let Some(id) = q.customer {
        let customer = state
            .customer(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("customer {id}")))?;
        for (field, value) in [
            ("name", &customer.name),
            ("email", &customer.email),
            ("phone", &customer.phone),
        ] {
            if let Some(v) = value {
                values.insert(field.to_string(), v.clone());
            }
        }
        let cases: Vec<CaseLink> = state
            .list_cases(CaseFilter {
                customer_id: Some(id),
                limit: 10,
                ..CaseFilter::default()
            })
            .await?
            .into_iter()
            .map(crate::web::staff::cases::case_link)
            .collect();
        lookup.chosen = Some(Chosen {
            name: customer
                .name
                .or(customer.email.clone())
                .unwrap_or_else(|| format!("customer {id}")),
            cases,
        });
    }
    form_page(&me, &category, &values, None, lookup)
}

/// Opens the case owned by the person who took the call, then shows the promise.
pub async fn submit(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    request: Request,
) -> WebResult<Response> {
    may_take_calls(&me)?;
    let category = category(&state, &key)?;
    let mut form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let files = std::mem::take(&mut form.files);
    let values: BTreeMap<String, String> = form
        .fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let given = |name: &str| form.given(name);
    let mut facts = BTreeMap::new();
    let mut missing = Vec::new();
    for item in &category.checklist {
        let marked = given(&format!("missing_{}", item.key)).is_some();
        match (given(&format!("fact_{}", item.key)), marked) {
            (Some(v), false) => {
                facts.insert(item.key.clone(), v);
            }
            (None, true) => missing.push(item.key.clone()),
            (Some(_), true) => {
                let problem = format!(
                    "{}: either write it down or mark that the customer did not have it, not both",
                    item.label
                );
                return form_page(
                    &me,
                    &category,
                    &values,
                    Some((StatusCode::UNPROCESSABLE_ENTITY, problem)),
                    Lookup::default(),
                );
            }
            (None, false) => {}
        }
    }
    let offered = given("realtime").is_some();
    let description = given("description").unwrap_or_default();
    let subject = given("subject").unwrap_or_else(|| {
        description
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect()
    });
    let intake = Intake {
        customer: Customer {
            email: given("email"),
            name: given("name"),
            phone: given("phone"),
            external_id: None,
            language: None,
        },
        category: category.key.clone(),
        subject,
        body: description,
        channel: Channel::Phone,
        facts,
        missing_facts: missing,
        realtime: Realtime {
            offered,
            reason: given("realtime_reason").filter(|_| offered),
        },
        attachments: Vec::new(),
        call_back_within: None,
    };
    // Nothing is stored until the intake is known to be acceptable.
    let dry_run = state.check_intake(me.person.id, &intake);
    if let Err(e) = dry_run {
        let (status, _, message, _) = e.parts();
        return form_page(
            &me,
            &category,
            &values,
            Some((status, message)),
            Lookup::default(),
        );
    }
    let intake = Intake {
        attachments: UploadForm::store_files(&state, files).await?,
        call_back_within: None,
        ..intake
    };
    let outcome = state.open_case(me.person.id, intake, None).await?;
    Ok(Redirect::to(&format!("/staff/intake/done/{}", outcome.head().id)).into_response())
}

#[derive(askama::Template)]
#[template(path = "web/staff/intake_done.html")]
struct DonePage {
    me: Me,
    csrf: String,
    reference: String,
    promised_by: String,
    href: String,
    /// Where the customer also gets the promise; empty when they have no email.
    email: String,
}

/// The promise to read to the caller.
pub async fn done(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (stored, case) = crate::http::extract::case_in_path(&state, &id).await?;
    Ok(html(&DonePage {
        me: me.me(),
        csrf: me.csrf.clone(),
        reference: stored.head.reference.clone(),
        promised_by: me.zone.when(case.promised_by),
        href: format!("/staff/cases/{}", stored.head.id),
        email: case.customer.email.clone().unwrap_or_default(),
    })?
    .into_response())
}
