//! The customer portal: sign in with an emailed single-use link, see your own cases
//! (never anyone else's, never internal events), reply with files, rate a solved case.
//! A case's own link (`?token=` from its mails) opens that one case without signing in.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::extract::case_in_path as load;
use crate::http::upload::UploadForm;
use crate::http::views::CustomerCaseView;
use crate::languages::Words;
use crate::time_zones::Zone;
use crate::tokens;
use crate::web::client_ip::ClientIp;
use crate::web::customer_language::Asked;
use crate::web::origin::{public_origin, same_origin};
use crate::web::pages::{html, size, WebError, WebResult};
use crate::web::portal_pages::{
    CaseLine, CasePage, CasesPage, ConfirmPage, FileLink, LinkSentPage, Message, SignInPage,
};
use crate::web::portal_session::{SignedIn, Visitor, LINK_MINUTES};
use crate::web::session::PORTAL;
use axum::extract::{Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Duration;
use roadone_domain::{Actor, Case, CaseStatus, Command};
use roadone_store::{CaseFilter, SignInLink, StoredCase};
use serde::Deserialize;

/// How a visitor may see a case: its link's token, or signed in as its customer.
enum Access {
    Token(String),
    Session(SignedIn),
}

impl Access {
    /// What every URL on the case page carries so the next request has the same access.
    fn query(&self) -> String {
        match self {
            Access::Token(t) => format!("?token={t}"),
            Access::Session(_) => String::new(),
        }
    }

    /// The token itself proves the form came from the page (no other site knows it); a
    /// session's form must carry the session's CSRF token.
    fn check_form(&self, form: &UploadForm) -> Result<(), AppError> {
        match self {
            Access::Token(_) => Ok(()),
            Access::Session(s) => s.check_csrf(form.text("csrf")),
        }
    }

    fn csrf(&self) -> String {
        match self {
            Access::Token(_) => String::new(),
            Access::Session(s) => s.csrf.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    token: Option<String>,
    /// Set when the case was just opened through the form.
    new: Option<String>,
}

/// A missing case, a wrong token and someone else's case all look the same.
async fn authorise(
    state: &AppState,
    raw_id: &str,
    token: Option<&str>,
    visitor: Option<SignedIn>,
) -> WebResult<(StoredCase, Case, Access)> {
    let hidden = || WebError(AppError::NotFound("this case".into()));
    if token.is_none() && visitor.is_none() {
        return Err(WebError(AppError::Unauthorized(
            "sign in to see your cases".into(),
        )));
    }
    let (stored, case) = match load(state, raw_id).await {
        Ok(found) => found,
        Err(AppError::Store(e)) => return Err(WebError(AppError::Store(e))),
        Err(_) => return Err(hidden()),
    };
    if let Some(t) = token.filter(|t| tokens::same_secret(t, &stored.head.customer_token)) {
        return Ok((stored, case, Access::Token(t.to_string())));
    }
    match visitor {
        Some(s) if token.is_none() && s.customer_id == stored.head.customer_id => {
            Ok((stored, case, Access::Session(s)))
        }
        _ => Err(hidden()),
    }
}

/// Whether the page thanks the customer for a case just opened, and whether it can say
/// the same was mailed to them (only with a relay and an address to send to).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Welcome {
    None,
    Opened { mailed: bool },
}

/// How a customer reads their pages: their zone and their language.
async fn reader(state: &AppState, asked: Asked, customer: i64) -> WebResult<(Zone, Words)> {
    let zone = state.zone_for_customer(customer).await?;
    let language = asked.with_profile(state.customer_language(customer).await?);
    Ok((zone, Words::new(language)))
}

/// The case page, with a notice or a problem to show at the top.
fn case_page(
    (zone, t): (Zone, Words),
    stored: &StoredCase,
    case: &Case,
    access: &Access,
    welcome: Welcome,
    problem: Option<(StatusCode, String)>,
) -> WebResult<Response> {
    let view = CustomerCaseView::of(stored, case);
    let query = access.query();
    let base = format!("/portal/cases/{}", stored.head.id);
    let messages: Vec<_> = view
        .messages
        .iter()
        .map(|m| {
            let files: Vec<_> = m
                .files
                .iter()
                .map(|f| FileLink {
                    name: f.name.clone(),
                    size: size(f.size),
                    href: format!("{base}/attachments/{}{query}", f.sha256),
                })
                .collect();
            Message {
                ours: m.from == "us",
                at: zone.when(m.at),
                body: m.body.clone(),
                files,
            }
        })
        .collect();
    let solved = case.status == CaseStatus::Solved;
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let page = html(&CasePage {
        t,
        back: format!("{base}{query}"),
        reference: view.reference,
        subject: view.subject,
        solved,
        closed: case.status == CaseStatus::Junk,
        opened_at: zone.when(view.opened_at),
        promised_by: zone.when(view.promised_by),
        solved_at: case
            .solution
            .as_ref()
            .map(|s| zone.when(s.solved_at))
            .unwrap_or_default(),
        messages,
        can_rate: solved && case.rating.is_none(),
        rating: case.rating.as_ref().map(|r| r.score),
        welcome: welcome != Welcome::None,
        mailed: welcome == Welcome::Opened { mailed: true },
        problem: problem.map(|(_, m)| m),
        reply_action: format!("{base}/reply{query}"),
        rating_action: format!("{base}/rating{query}"),
        csrf: access.csrf(),
        signed_in: matches!(access, Access::Session(_)),
    })?;
    Ok((status, page).into_response())
}

/// The portal's front page: your cases, or the sign-in form.
pub async fn home(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
    asked: Asked,
) -> WebResult<Response> {
    let Some(signed_in) = visitor else {
        let page = SignInPage {
            t: asked.words(),
            back: "/portal".into(),
            email: String::new(),
            error: None,
        };
        return Ok(html(&page)?.into_response());
    };
    let customer = state.customer(signed_in.customer_id).await?;
    let (zone, t) = reader(&state, asked, signed_in.customer_id).await?;
    let heads = state
        .list_cases(CaseFilter {
            customer_id: Some(signed_in.customer_id),
            limit: 500,
            ..CaseFilter::default()
        })
        .await?;
    let cases: Vec<_> = heads
        .iter()
        .map(|h| CaseLine {
            href: format!("/portal/cases/{}", h.id),
            reference: h.reference.clone(),
            subject: h.subject.clone(),
            solved: h.status == CaseStatus::Solved,
            closed: h.status == CaseStatus::Junk,
            promised_by: zone.when(h.promised_by),
            updated_at: zone.when(h.updated_at),
        })
        .collect();
    let email = customer.as_ref().and_then(|c| c.email.clone());
    let who = match (customer.as_ref().and_then(|c| c.name.clone()), email) {
        (Some(name), Some(email)) => format!("{name} ({email})"),
        (Some(name), None) => name,
        (None, email) => email.unwrap_or_default(),
    };
    Ok(html(&CasesPage {
        t,
        back: "/portal".into(),
        who,
        cases,
        csrf: signed_in.csrf,
    })?
    .into_response())
}

/// Mails a sign-in link if the address is a customer's. The answer is the same either
/// way, so the form cannot be used to find out who our customers are.
pub async fn request_link(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    asked: Asked,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let email = form.given("email").unwrap_or_default();
    let t = asked.words();
    if roadone_domain::EmailAddress::parse(&email).is_err() {
        let error = if email.is_empty() {
            t.get("portal-email-missing")
        } else {
            t.with("portal-email-wrong", "email", format!("{email:?}"))
        };
        let page = html(&SignInPage {
            t,
            back: "/portal".into(),
            email,
            error: Some(error),
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state.limits.check_address(&email)?;
    if let Some(customer) = state.customer_by_email(&email).await? {
        let secret = tokens::new_token();
        let now = state.clock.now();
        state
            .add_sign_in_link(SignInLink {
                hash: tokens::digest(&secret),
                customer_id: customer.id,
                created_at: now,
                expires_at: now + Duration::minutes(LINK_MINUTES),
            })
            .await?;
        let link = format!(
            "{}/portal/sign-in/{secret}",
            state.config.public_url.trim_end_matches('/')
        );
        // Mailed in the background: a known and an unknown address get the same answer in
        // the same time, even when the relay is down (then the customer simply asks again).
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) =
                crate::mail::sign_in::send_sign_in_link(&state, &customer, &link, LINK_MINUTES)
                    .await
            {
                tracing::warn!("portal sign-in link not mailed: {e}");
            }
        });
    }
    Ok(html(&LinkSentPage {
        t,
        back: "/portal".into(),
        email,
        minutes: LINK_MINUTES,
    })?
    .into_response())
}

/// The link from the mail shows a button rather than signing in at once: mail scanners
/// that open links would otherwise use it up before the customer does.
pub async fn confirm(Path(link): Path<String>, asked: Asked) -> WebResult<Response> {
    Ok(html(&ConfirmPage {
        t: asked.words(),
        back: "/portal".into(),
        action: format!("/portal/sign-in/{link}"),
    })?
    .into_response())
}

/// Uses the link once and opens a fresh session (any earlier one of this browser ends).
pub async fn redeem(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(link): Path<String>,
    Visitor(previous): Visitor,
    jar: CookieJar,
    parts: Parts,
) -> WebResult<Response> {
    same_origin(&parts, &public_origin(&state))?;
    state.limits.check_ip(ip)?;
    let now = state.clock.now();
    let (secret, session) = PORTAL.start(now);
    let customer = state
        .redeem_sign_in_link(&tokens::digest(&link), session)
        .await?;
    if customer.is_none() {
        return Err(WebError(AppError::BadRequest {
            code: "link_used_or_expired",
            message: format!(
                "this sign-in link was already used or is older than {LINK_MINUTES} minutes; ask for a new one"
            ),
            field: None,
        }));
    }
    if let Some(old) = previous {
        state.end_customer_session(&old.session_hash).await?;
    }
    let jar = jar.add(PORTAL.cookie(&state, secret));
    Ok((jar, Redirect::to("/portal")).into_response())
}

pub async fn sign_out(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let (parts, body) = request.into_parts();
    same_origin(&parts, &public_origin(&state))?;
    let form = UploadForm::read(Request::from_parts(parts, body), &state).await?;
    if let Some(signed_in) = visitor {
        signed_in.check_csrf(form.text("csrf"))?;
        state.end_customer_session(&signed_in.session_hash).await?;
    }
    Ok((jar.remove(PORTAL.removal()), Redirect::to("/portal")).into_response())
}

pub async fn case(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
    Visitor(visitor): Visitor,
    asked: Asked,
) -> WebResult<Response> {
    let (stored, case, access) = authorise(&state, &id, q.token.as_deref(), visitor).await?;
    let welcome = if q.new.is_some() {
        let mailed = state.config.smtp_relay.is_some()
            && case
                .customer
                .email
                .as_deref()
                .is_some_and(|e| !e.is_empty());
        Welcome::Opened { mailed }
    } else {
        Welcome::None
    };
    case_page(
        reader(&state, asked, stored.head.customer_id).await?,
        &stored,
        &case,
        &access,
        welcome,
        None,
    )
}

/// A form posted on a case page, checked: from our own page, by someone who may see the
/// case, within the IP's allowance, carrying the session's CSRF token.
struct PostedToCase {
    stored: StoredCase,
    case: Case,
    access: Access,
    form: UploadForm,
}

async fn posted_to_case(
    state: &AppState,
    id: &str,
    q: &CaseQuery,
    visitor: Option<SignedIn>,
    ip: std::net::IpAddr,
    request: Request,
) -> WebResult<PostedToCase> {
    let (parts, body) = request.into_parts();
    same_origin(&parts, &public_origin(state))?;
    let (stored, case, access) = authorise(state, id, q.token.as_deref(), visitor).await?;
    state.limits.check_ip(ip)?;
    let form = UploadForm::read(Request::from_parts(parts, body), state).await?;
    access.check_form(&form)?;
    Ok(PostedToCase {
        stored,
        case,
        access,
        form,
    })
}

/// The customer writes on their case (a solved case reopens to its solver).
pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
    Visitor(visitor): Visitor,
    ClientIp(ip): ClientIp,
    asked: Asked,
    request: Request,
) -> WebResult<Response> {
    let PostedToCase {
        stored,
        case,
        access,
        form,
    } = posted_to_case(&state, &id, &q, visitor, ip, request).await?;
    form.only(|n| matches!(n, "body" | "csrf"), "send `body` and files")?;
    let text = form.given("body").unwrap_or_default();
    if text.is_empty() && form.files.is_empty() {
        let reader = reader(&state, asked, stored.head.customer_id).await?;
        let problem = reader.1.get("case-write-something");
        return case_page(
            reader,
            &stored,
            &case,
            &access,
            Welcome::None,
            Some((StatusCode::UNPROCESSABLE_ENTITY, problem)),
        );
    }
    state
        .act_with_files(stored.head.id, Actor::Customer, form.files, |attachments| {
            Command::CustomerReply {
                body: text.clone(),
                attachments,
            }
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/portal/cases/{}{}#latest",
        stored.head.id,
        access.query()
    ))
    .into_response())
}

/// The customer rates a solved case: a score of 1–5, what delighted them, whether they
/// would recommend us.
pub async fn rate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
    Visitor(visitor): Visitor,
    ClientIp(ip): ClientIp,
    asked: Asked,
    request: Request,
) -> WebResult<Response> {
    let (parts, body) = request.into_parts();
    crate::web::staff::session::refuse_staff_rating(&parts, &state).await?;
    let request = Request::from_parts(parts, body);
    let PostedToCase {
        stored,
        case,
        access,
        form,
    } = posted_to_case(&state, &id, &q, visitor, ip, request).await?;
    form.only(
        |n| matches!(n, "score" | "delighted_by" | "would_recommend" | "csrf"),
        "send `score`, `delighted_by` and `would_recommend`",
    )?;
    let reader = reader(&state, asked, stored.head.customer_id).await?;
    let t = reader.1;
    let problem = |message: String| {
        case_page(
            reader,
            &stored,
            &case,
            &access,
            Welcome::None,
            Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
        )
    };
    let Some(score) = form
        .given("score")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| (1..=5).contains(s))
    else {
        return problem(t.get("case-choose-score"));
    };
    let would_recommend = match form.given("would_recommend").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => return problem(t.get("case-say-recommend")),
    };
    let command = Command::Rate {
        score,
        delighted_by: form.given("delighted_by").unwrap_or_default(),
        would_recommend,
    };
    match state.act(stored.head.id, Actor::Customer, &command).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/portal/cases/{}{}#rating",
            stored.head.id,
            access.query()
        ))
        .into_response()),
        Err(AppError::Domain(e)) => {
            let (status, _, message, _) = AppError::Domain(e).parts();
            case_page(
                reader,
                &stored,
                &case,
                &access,
                Welcome::None,
                Some((status, message)),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A file of the case, if it was sent with a message the customer can see.
pub async fn download(
    State(state): State<AppState>,
    Path((id, sha)): Path<(String, String)>,
    Query(q): Query<CaseQuery>,
    Visitor(visitor): Visitor,
) -> WebResult<Response> {
    let (stored, case, _) = authorise(&state, &id, q.token.as_deref(), visitor).await?;
    let visible = CustomerCaseView::of(&stored, &case)
        .messages
        .iter()
        .flat_map(|m| m.files.iter())
        .any(|f| f.sha256 == sha);
    let attachment = stored
        .events
        .iter()
        .flat_map(|e| e.body.attachments())
        .find(|a| visible && a.sha256 == sha)
        .cloned()
        .ok_or_else(|| WebError(AppError::NotFound("this file".into())))?;
    Ok(crate::http::download::file_response(&state, attachment).await?)
}
