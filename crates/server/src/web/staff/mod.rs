//! The staff pages: sign in, my cases, the case page and its actions. Server-rendered,
//! every action a form that works without JavaScript; roles are enforced on the server
//! (the case rules decide which actions a person may take).

pub mod admin;
pub mod bulk;
pub mod call_rows;
pub mod canned;
pub mod case_page;
pub mod case_views;
pub mod cases;
pub mod categories;
pub mod confirm;
pub mod customers;
pub mod experiments;
pub mod feed;
pub mod intake;
pub mod live;
pub mod password_links;
pub mod phone_lines;
pub mod reports;
pub mod saved_views;
pub mod second_step;
pub mod security;
pub mod session;
pub mod settings;
pub mod shortcuts;
pub mod sign_in;
pub mod suspended_mail;
pub mod time_zone;
pub mod tokens;

use crate::app::AppState;
use crate::http::upload::MAX_UPLOAD_BYTES;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

/// A person as the pages' choosers offer them.
#[derive(Debug, Clone)]
pub(crate) struct PersonChoice {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
}

/// A person as the pages' choosers offer them.
pub(crate) fn person_choice(p: &roadone_domain::Person) -> PersonChoice {
    PersonChoice {
        id: p.id,
        name: p.name.clone(),
        role: p.role.as_str(),
    }
}

/// The active people, by name, as a chooser offers them.
pub(crate) fn active_people(snapshot: &crate::directory::Snapshot) -> Vec<PersonChoice> {
    let mut people: Vec<&roadone_domain::Person> =
        snapshot.hierarchy.people().filter(|p| p.active).collect();
    people.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    people.into_iter().map(person_choice).collect()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(sign_in::home))
        .route("/staff/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/staff/sign-out", post(sign_in::sign_out))
        .route(
            "/staff/sign-in/code",
            get(second_step::form).post(second_step::submit),
        )
        .route("/staff/security", get(security::show))
        .route("/staff/security/{action}", post(security::act))
        .route(
            "/staff/password",
            get(sign_in::password_form).post(sign_in::change_password),
        )
        .route(
            "/staff/forgot-password",
            get(password_links::forgot_form).post(password_links::forgot_submit),
        )
        .route(
            "/staff/password/{secret}",
            get(password_links::choose_form).post(password_links::choose_submit),
        )
        .route("/staff/shortcuts", get(shortcuts::page))
        .route("/staff/mail/suspended", get(suspended_mail::list))
        .route("/staff/mail/suspended/{id}", post(suspended_mail::settle))
        .route(
            "/staff/time-zone",
            get(time_zone::show).post(time_zone::save),
        )
        .route(
            "/staff/customers/{id}/time-zone",
            post(time_zone::save_for_customer),
        )
        .route(
            "/staff/customers/{id}/language",
            post(customers::save_language),
        )
        .route("/staff/intake", get(intake::categories))
        .route(
            "/staff/intake/{category}",
            get(intake::form)
                .post(intake::submit)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/staff/intake/done/{id}", get(intake::done))
        .route("/staff/feed", get(feed::show))
        .route("/staff/reports/trail", get(reports::trail_page))
        .route("/staff/reports/trail.csv", get(reports::trail_csv))
        .route("/staff/reports/experiments", get(reports::experiments_page))
        .route(
            "/staff/reports/experiments/{key}",
            get(reports::experiment_page),
        )
        .route("/staff/reports/calls", get(reports::calls_page))
        .route("/staff/reports/calls.csv", get(reports::calls_csv))
        .route("/staff/reports/delight", get(reports::delight_page))
        .route("/staff/reports/delight.csv", get(reports::delight_csv))
        .route("/staff/reports/roads", get(reports::roads_page))
        .route("/staff/reports/roads.csv", get(reports::roads_csv))
        .route(
            "/staff/reports/customer-math",
            get(reports::customer_math_page),
        )
        .route(
            "/staff/reports/customer-math.csv",
            get(reports::customer_math_csv),
        )
        .route("/staff/admin/people", get(admin::people))
        .route("/staff/admin/people/{action}", post(admin::act))
        .route(
            "/staff/admin",
            get(|| async { axum::response::Redirect::to("/staff/admin/people") }),
        )
        .route(
            "/staff/admin/categories",
            get(categories::list).post(categories::add),
        )
        .route(
            "/staff/admin/categories/{key}",
            get(categories::edit).post(categories::save),
        )
        .route(
            "/staff/admin/rules",
            get(settings::rules).post(settings::save_rules),
        )
        .route(
            "/staff/admin/mail",
            get(settings::mail).post(settings::save_mail),
        )
        .route("/staff/admin/mail/test", post(settings::test_mail))
        .route("/staff/admin/experiments", get(experiments::list))
        .route("/staff/admin/experiments/create", post(experiments::create))
        .route("/staff/admin/experiments/{key}", get(experiments::show))
        .route(
            "/staff/admin/experiments/{key}/{action}",
            post(experiments::act),
        )
        .route("/staff/admin/phone-lines", get(phone_lines::list))
        .route("/staff/admin/phone-lines/{action}", post(phone_lines::act))
        .route("/staff/admin/tokens", get(tokens::list))
        .route("/staff/admin/tokens/{action}", post(tokens::act))
        .route("/staff/customers", get(customers::list))
        .route("/staff/customers/{id}", get(customers::show))
        .route("/staff/customers/{id}/merge", post(customers::merge))
        .route("/staff/cases", get(cases::list))
        .route("/staff/cases/bulk", post(bulk::act))
        .route("/staff/cases/views", post(saved_views::act))
        .route("/staff/canned", get(canned::list).post(canned::act))
        .route("/staff/cases/{id}", get(case_page::show))
        .route(
            "/staff/cases/{id}/{action}",
            post(case_page::act).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/staff/cases/{id}/attachments/{sha256}",
            get(case_page::download),
        )
        .route("/staff/live/cases", get(live::cases))
        .route("/staff/live/cases/{id}", get(live::case))
}
