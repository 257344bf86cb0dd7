//! Request extractors whose refusals are proper API errors naming the field.

use crate::app::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use roadone_domain::{Capability, Person, PersonId};
use serde::de::DeserializeOwned;

/// A JSON body. Unreadable JSON is a 400; a field of the wrong type or missing is a 422
/// naming that field (`customer.email`, `road`, ...).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The raw bytes of a JSON body (for handlers that also need a digest of the request).
pub struct JsonBytes(pub Bytes);

impl FromRequest<AppState> for JsonBytes {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(AppError::BadRequest {
                code: "unsupported_media_type",
                message: "send the body as JSON with Content-Type: application/json".into(),
                field: None,
            });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge(format!(
                    "the body is larger than {} bytes",
                    super::MAX_BODY_BYTES
                ))
            } else {
                AppError::BadRequest {
                    code: "unreadable_body",
                    message: e.body_text(),
                    field: None,
                }
            }
        })?;
        Ok(JsonBytes(bytes))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Well-formedness first: a truncated body must be a 400 even when a wrong or unknown
    // field comes before the point where it breaks off.
    if let Err(inner) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        if inner.is_syntax() || inner.is_eof() {
            return Err(AppError::BadRequest {
                code: "malformed_json",
                message: format!("the body is not valid JSON: {inner}"),
                field: None,
            });
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                Err(AppError::BadRequest {
                    code: "malformed_json",
                    message: format!("the body is not valid JSON: {inner}"),
                    field: None,
                })
            } else {
                // A missing field is reported at its parent's path: name the field itself.
                let message = inner.to_string();
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|m| m.split_once('`'))
                    .map(|(f, _)| f);
                let field = match (path.as_str(), missing) {
                    (".", Some(f)) => Some(f.to_string()),
                    (_, Some(f)) => Some(format!("{path}.{f}")),
                    (".", None) => None,
                    (_, None) => Some(path),
                };
                let message = match &field {
                    Some(f) => format!("{f}: {inner}"),
                    None => inner.to_string(),
                };
                Err(AppError::Invalid {
                    code: "invalid",
                    message,
                    field,
                })
            }
        }
    }
}

/// The member of staff making the request, from `Authorization: Bearer <token>`.
pub struct Staff {
    pub person: Person,
}

impl Staff {
    pub fn id(&self) -> PersonId {
        self.person.id
    }

    /// Refuses, naming who may, unless this person's role has `capability`.
    pub fn require(&self, capability: Capability, doing: &str) -> Result<(), AppError> {
        if self.person.role.may(capability) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "only {} may {doing}",
                capability.holders()
            )))
        }
    }
}

pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer(parts).ok_or_else(|| {
            AppError::Unauthorized("send your API token as Authorization: Bearer <token>".into())
        })?;
        Staff::from_token(state, token).await
    }
}

impl Staff {
    /// The active person whose API token this is: the one check every route makes.
    pub async fn from_token(state: &AppState, token: &str) -> Result<Staff, AppError> {
        let person_id = state
            .person_by_token(token)
            .await?
            .ok_or_else(|| AppError::Unauthorized("the bearer token is not valid".into()))?;
        let snapshot = state.directory.snapshot();
        let person = snapshot
            .person(person_id)
            .filter(|p| p.active)
            .cloned()
            .ok_or_else(|| {
                AppError::Unauthorized("the bearer token belongs to a deactivated person".into())
            })?;
        Ok(Staff { person })
    }
}

/// Parses a path id, so `/cases/abc` is a clear 404 rather than a framework message.
pub fn path_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("{what} {raw:?}")))
}

/// Query parameters read like a JSON body: a value of the wrong kind is a 422 in JSON that
/// names the parameter (axum's own extractor answers in plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let inner = e.into_inner();
                let field = (field != ".").then_some(field);
                AppError::Invalid {
                    code: "invalid",
                    message: match &field {
                        Some(f) => format!("{f}: {inner}"),
                        None => format!("the query string: {inner}"),
                    },
                    field,
                }
            })
    }
}

/// The case named by a path segment (`/cases/{id}`): its record and its state; a segment
/// that is not a number is a 400, a case that does not exist a 404.
pub async fn case_in_path(
    state: &AppState,
    raw_id: &str,
) -> Result<(roadone_store::StoredCase, roadone_domain::Case), AppError> {
    state.case(path_id(raw_id, "case")?).await
}
