//! Who is using the staff pages: a person signed in with their password (a session
//! cookie whose digest is stored), or nobody. Every form carries a CSRF token derived
//! from the session.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::session::{check_csrf, STAFF};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use roadone_domain::{Capability, Person};

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: Person,
    pub session_hash: Vec<u8>,
    pub csrf: String,
    /// Where the person reads times: their own zone, else the company's.
    pub zone: crate::time_zones::Zone,
}

/// The staff visitor, if signed in.
pub struct MaybeSignedIn(pub Option<SignedIn>);

async fn lookup(parts: &Parts, state: &AppState) -> AppResult<Option<SignedIn>> {
    let Some(hash) = STAFF.presented(&parts.headers) else {
        return Ok(None);
    };
    let Some(id) = state.staff_session(&hash).await? else {
        return Ok(None);
    };
    let snapshot = state.directory.snapshot();
    Ok(snapshot
        .person(id)
        .filter(|p| p.active)
        .cloned()
        .map(|person| SignedIn {
            zone: snapshot
                .time_zones
                .get(&person.id)
                .copied()
                .unwrap_or(snapshot.settings.time_zone),
            person,
            csrf: STAFF.csrf_token(&state.secret, &hash),
            session_hash: hash,
        }))
}

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        Ok(MaybeSignedIn(lookup(parts, state).await?))
    }
}

/// A rating counts as the customer's word (the delight report and customer math decide
/// raises on it), so none may come from staff: refused when the request carries a staff
/// session or a staff API token, whatever customer link it also carries.
pub async fn refuse_staff_rating(parts: &Parts, state: &AppState) -> AppResult<()> {
    let by_token = match crate::http::extract::bearer(parts) {
        Some(token) => match crate::http::extract::Staff::from_token(state, token).await {
            Ok(_) => true,
            Err(AppError::Unauthorized(_)) => false,
            Err(e) => return Err(e),
        },
        None => false,
    };
    if by_token || lookup(parts, state).await?.is_some() {
        return Err(AppError::Forbidden(
            "you are signed in as staff: a rating must come from the customer, so staff cannot rate a case"
                .into(),
        ));
    }
    Ok(())
}

/// The sign-in page, coming back afterwards to the page asked for (a link in a staff
/// mail lands on its case): only for a page one reads, never for a form sent.
fn sign_in_then_back(parts: &Parts) -> String {
    let wanted = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    match crate::web::staff::sign_in::landing(Some(wanted)) {
        Some(page) if parts.method == axum::http::Method::GET => format!(
            "/staff/sign-in?next={}",
            percent_encoding::utf8_percent_encode(page, percent_encoding::NON_ALPHANUMERIC)
        ),
        _ => "/staff/sign-in".into(),
    }
}

/// A page that needs a signed-in person sends anyone else to the sign-in page.
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match lookup(parts, state).await {
            Ok(Some(signed_in)) => Ok(signed_in),
            Ok(None) => Err(Redirect::to(&sign_in_then_back(parts)).into_response()),
            Err(e) => Err(crate::web::pages::WebError(e).into_response()),
        }
    }
}

/// What the staff layout knows of the visitor: their name, and which parts of the
/// navigation are theirs (the server still checks every page and action). Nobody, on the
/// pages before signing in.
#[derive(Debug, Clone, Default)]
pub struct Me {
    pub signed_in: bool,
    pub name: String,
    pub role: &'static str,
    pub takes_calls: bool,
    pub sees_feed: bool,
    pub admin: bool,
    pub zone: &'static str,
}

impl Me {
    /// The visitor of a page one sees before signing in.
    pub fn nobody() -> Me {
        Me::default()
    }
}

impl SignedIn {
    /// The visitor as the staff layout shows them.
    pub fn me(&self) -> Me {
        let role = self.person.role;
        Me {
            signed_in: true,
            name: self.person.name.clone(),
            role: role.as_str(),
            takes_calls: role.may(Capability::TakeCases),
            sees_feed: role.may(Capability::ReadReports),
            admin: role.may(Capability::Administer),
            zone: self.zone.name(),
        }
    }

    /// Refuses a form that does not carry this session's token.
    pub fn check_csrf(&self, presented: Option<&str>) -> AppResult<()> {
        check_csrf(&self.csrf, presented)
    }
}
