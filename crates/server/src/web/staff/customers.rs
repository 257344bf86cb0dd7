//! Customers as staff look them up: a search by name, email or phone, and each
//! customer's page with their details, every case, what they bought and how they rated us.

use crate::app::AppState;
use crate::error::AppError;
use crate::languages::Language;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::confirm;
use crate::web::staff::session::{Me, SignedIn};
use crate::web::staff::time_zone::ZoneChoice;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use roadone_domain::CaseStatus;
use roadone_store::CustomerRecord;
use serde::Deserialize;

/// How many customers a search lists.
const FOUND: u32 = 50;

/// Which page of a customer's cases to show.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct FindQuery {
    find: Option<String>,
}

/// A customer as the pages show them; empty where not known.
#[derive(Debug)]
struct CustomerRow {
    href: String,
    name: String,
    email: String,
    phone: String,
    external_id: String,
}

fn customer_row(c: &CustomerRecord) -> CustomerRow {
    let known = |v: &Option<String>| v.clone().unwrap_or_default();
    CustomerRow {
        href: format!("/staff/customers/{}", c.id),
        name: known(&c.name),
        email: known(&c.email),
        phone: known(&c.phone),
        external_id: known(&c.external_id),
    }
}

#[derive(askama::Template)]
#[template(path = "web/staff/customers.html")]
struct CustomersPage<'a> {
    me: Me,
    csrf: String,
    find: &'a str,
    searched: bool,
    found: Vec<CustomerRow>,
    limit: usize,
}

/// One of the customer's cases.
#[derive(Debug)]
struct CaseRow {
    href: String,
    reference: String,
    subject: String,
    category: String,
    owner: String,
    open: bool,
    opened_at: String,
}

/// What they bought in one currency.
#[derive(Debug)]
struct OrdersRow {
    currency: String,
    orders: u64,
    total: String,
    first_at: String,
    last_at: String,
}

/// A language staff may choose for them.
#[derive(Debug)]
struct LanguageOption {
    code: &'static str,
    name: String,
    chosen: bool,
}

/// A rating they gave.
#[derive(Debug)]
struct RatingRow {
    href: String,
    reference: String,
    score: u8,
    delighted_by: String,
    would_recommend: bool,
    rated_at: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/customer.html")]
struct CustomerPage {
    me: Me,
    csrf: String,
    zone: Option<&'static str>,
    /// The time for them now, in their zone; empty when it is not known.
    their_now: String,
    company_zone: &'static str,
    zones: Vec<ZoneChoice>,
    customer: CustomerRow,
    /// The language we write to them in, as staff read it; `None` while not known.
    language: Option<String>,
    languages: Vec<LanguageOption>,
    cases: Vec<CaseRow>,
    /// Their cases over all pages, open ones, and whether counting stopped early.
    total: u64,
    open: u64,
    more: bool,
    page: u32,
    pages: u32,
    previous: Option<String>,
    next: Option<String>,
    orders: Vec<OrdersRow>,
    calls: Vec<crate::web::staff::call_rows::CallRow>,
    ratings: Vec<RatingRow>,
    notice: Option<String>,
    may_merge: bool,
}

/// The customer search.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<FindQuery>,
) -> WebResult<Response> {
    let find = q.find.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let found: Vec<CustomerRow> = match find {
        Some(text) => state
            .find_customers(text, FOUND)
            .await?
            .iter()
            .map(customer_row)
            .collect(),
        None => Vec::new(),
    };
    Ok(html(&CustomersPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        find: find.unwrap_or_default(),
        searched: find.is_some(),
        found,
        limit: FOUND as usize,
    })?
    .into_response())
}

/// Money in hundredths as people read it: `1,234.50 EUR`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, part) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{sign}{grouped}.{part:02} {currency}")
}

/// One customer's page.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    let id: i64 = id
        .parse()
        .map_err(|_| WebError(AppError::NotFound(format!("customer {id:?}"))))?;
    let page = crate::web::staff::case_views::page_number(q.page.as_deref())?;
    let profile = state
        .customer_profile(id, page)
        .await?
        .ok_or_else(|| WebError(AppError::NotFound(format!("customer {id}"))))?;
    if let Some(kept) = profile.customer.merged_into {
        return Ok(flash::redirect(
            &state,
            &format!("/staff/customers/{kept}"),
            Flash::notice("That customer was merged into this one; everything of theirs is here."),
        ));
    }
    let snapshot = state.directory.snapshot();
    let cases: Vec<CaseRow> = profile
        .cases
        .iter()
        .map(|h| CaseRow {
            href: format!("/staff/cases/{}", h.id),
            reference: h.reference.clone(),
            subject: h.subject.clone(),
            category: snapshot.category_name(&h.category),
            owner: snapshot.person_name(h.owner),
            open: h.status == CaseStatus::Open,
            opened_at: me.zone.when(h.opened_at),
        })
        .collect();
    let orders: Vec<OrdersRow> = profile
        .orders
        .iter()
        .map(|o| OrdersRow {
            currency: o.currency.clone(),
            orders: o.orders,
            total: money(o.total_cents, &o.currency),
            first_at: me.zone.when(o.first_at),
            last_at: me.zone.when(o.last_at),
        })
        .collect();
    let ratings: Vec<RatingRow> = profile
        .ratings
        .iter()
        .map(|(h, r)| RatingRow {
            href: format!("/staff/cases/{}", h.id),
            reference: h.reference.clone(),
            score: r.score,
            delighted_by: r.delighted_by.clone(),
            would_recommend: r.would_recommend,
            rated_at: me.zone.when(r.rated_at),
        })
        .collect();
    let pages = profile.pages();
    let (total, more) = profile.counted();
    let page_link = |n: u32| {
        format!(
            "/staff/customers/{}?page={n}#cases-title",
            profile.customer.id
        )
    };
    let zone = state.customer_zone(profile.customer.id).await?;
    let language = state.customer_language(profile.customer.id).await?;
    let languages = Language::ALL
        .iter()
        .map(|l| LanguageOption {
            code: l.code(),
            name: format!("{} ({})", l.english_name(), l.own_name()),
            chosen: language == Some(*l),
        })
        .collect();
    let page = html(&CustomerPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        zone: zone.map(|z| z.name()),
        their_now: zone.map(|z| z.when(state.clock.now())).unwrap_or_default(),
        company_zone: state.company_zone().name(),
        zones: crate::web::staff::time_zone::zone_choices(zone),
        customer: customer_row(&profile.customer),
        language: language.map(|l| l.english_name().to_string()),
        languages,
        cases,
        total,
        open: profile.open,
        more,
        page: profile.page,
        pages,
        previous: (profile.page > 1).then(|| page_link(profile.page - 1)),
        next: (profile.page < pages).then(|| page_link(profile.page + 1)),
        orders,
        calls: crate::web::staff::call_rows::call_rows(
            &state.customer_calls(profile.customer.id).await?,
            me.zone,
            &state.directory.snapshot(),
        ),
        ratings,
        notice: flash.notice(),
        may_merge: me.person.role != roadone_domain::Role::Frontline,
    })?;
    Ok(flash.shown(page.into_response()))
}

/// `POST /staff/customers/{id}/language`: the language we write to them in, for a
/// customer who asked on the phone or whose browser did not say.
pub async fn save_language(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> WebResult<Response> {
    let form = crate::http::upload::UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let chosen = form.given("language").unwrap_or_default();
    let language = state.set_customer_language(id, &chosen).await?;
    Ok(flash::redirect(
        &state,
        &format!("/staff/customers/{id}"),
        Flash::notice(format!(
            "We write to them in {} from now on: their pages and the mail we send them.",
            language.english_name()
        )),
    ))
}

/// Merging another customer into this one: the first post finds them by what was typed
/// and asks; the confirmation merges.
pub async fn merge(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> WebResult<Response> {
    let into: i64 = id
        .parse()
        .map_err(|_| WebError(AppError::NotFound(format!("customer {id:?}"))))?;
    let form = crate::http::upload::UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    if me.person.role == roadone_domain::Role::Frontline {
        return Err(WebError(AppError::Forbidden(
            "frontline staff do not merge customers; ask your team lead".into(),
        )));
    }
    let here = format!("/staff/customers/{into}");
    let kept = state
        .customer(into)
        .await?
        .ok_or_else(|| WebError(AppError::NotFound(format!("customer {into}"))))?;
    if confirm::confirmed(&form) {
        let from = form
            .given("from")
            .and_then(|f| f.parse::<i64>().ok())
            .ok_or_else(|| WebError(AppError::invalid("from", "choose the customer to merge")))?;
        let moved = state.merge_customers(from, into, &me.person).await?;
        return Ok(flash::redirect(
            &state,
            &here,
            Flash::notice(format!(
                "Merged: {} case(s) and {} order(s) moved here; their old email and id lead here too.",
                moved.cases, moved.orders
            )),
        ));
    }
    let typed = form.given("other").unwrap_or_default();
    let found: Vec<CustomerRecord> = state
        .find_customers(&typed, 5)
        .await?
        .into_iter()
        .filter(|c| c.id != into)
        .collect();
    let [other] = found.as_slice() else {
        let said = if found.is_empty() {
            format!("Nobody else matches \u{201c}{typed}\u{201d}: give their email or number.")
        } else {
            format!(
                "\u{201c}{typed}\u{201d} matches {} customers: give their whole email or number.",
                found.len()
            )
        };
        return Ok(flash::redirect(&state, &here, Flash::notice(said)));
    };
    let describe = |c: &CustomerRecord| {
        [c.name.clone(), c.email.clone(), c.phone.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    };
    let action = format!("/staff/customers/{into}/merge");
    confirm::page(
        &me,
        confirm::Confirmation {
            title: format!("Merge {} into this customer?", describe(other)),
            question: format!(
                "Keep {} and move everything of {} to them.",
                describe(&kept),
                describe(other)
            ),
            consequence: "Their cases, orders and portal links move here; what this customer \
                          lacks (a phone, a name) is filled in from them; their email and id \
                          lead here from now on. The merge is recorded with your name."
                .into(),
            button: "Merge them",
            action: &action,
            fields: vec![("from", other.id.to_string())],
            cancel: &here,
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(super::money(123450, "EUR"), "1,234.50 EUR");
        assert_eq!(super::money(5, "GBP"), "0.05 GBP");
        assert_eq!(super::money(-100_000_000, "USD"), "-1,000,000.00 USD");
    }
}
