//! The API's request and response shapes. They are what the OpenAPI document describes,
//! so the document is generated from the same types the handlers use.

use chrono::{DateTime, Utc};
use roadone_domain::{Case, Category, ChecklistItem, Event, EventBody, Person};
use roadone_store::{CaseHead, StoredCase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `missing_fact`, `not_owner`.
    pub code: String,
    pub message: String,
    /// The request field the error is about, in dotted notation.
    pub field: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonRequest {
    pub name: String,
    pub email: String,
    /// `frontline`, `staff`, `manager`, `executive` or `admin`.
    pub role: String,
    /// The person they report to; null for the top of the hierarchy.
    pub reports_to: Option<i64>,
}

/// A correction of a person; what is left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPersonRequest {
    pub name: Option<String>,
    pub email: Option<String>,
    /// `frontline`, `staff`, `manager`, `executive` or `admin`.
    pub role: Option<String>,
}

/// What became of an invitation: mailed, or the link to pass on by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub mailed: bool,
    /// The link, when it could not be mailed; it works once.
    pub link: Option<String>,
    /// Why it was not mailed.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePersonRequest {
    /// Their new manager; null to put them at the top.
    pub reports_to: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StuckCase {
    pub case: i64,
    pub reason: String,
}

/// What deactivating a person did with their open cases.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeactivationView {
    pub person: PersonView,
    /// Passed up to the nearest active person above, each as a `passed_up` event.
    pub passed_up: Vec<i64>,
    /// Left where they are (nobody active above), with why.
    pub stuck: Vec<StuckCase>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// Whose token it is.
    pub person: i64,
    /// What it is for (shown in the list instead of the token).
    pub label: String,
}

/// A new token: the secret is in this answer only; only its digest is kept.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    /// Identifies the token (its SHA-256 digest, hex) to list or revoke it.
    pub id: String,
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub person: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub reports_to: Option<i64>,
    pub active: bool,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        PersonView {
            id: p.id,
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role.as_str().into(),
            reports_to: p.reports_to,
            active: p.active,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItemView {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    /// A regular expression that finds this fact in written messages (its first group,
    /// if any), so mail fills the checklist where it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryView {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub checklist: Vec<ChecklistItemView>,
    /// Receives upgrades.
    pub manager: i64,
    /// Receives escalations.
    pub executive: i64,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        CategoryView {
            key: c.key.clone(),
            name: c.name.clone(),
            checklist: c
                .checklist
                .iter()
                .map(|i| ChecklistItemView {
                    key: i.key.clone(),
                    label: i.label.clone(),
                    required: i.required,
                    pattern: i.pattern.clone(),
                })
                .collect(),
            manager: c.manager,
            executive: c.executive,
        }
    }
}

impl From<CategoryView> for Category {
    fn from(c: CategoryView) -> Self {
        Category {
            key: c.key,
            name: c.name,
            checklist: c
                .checklist
                .into_iter()
                .map(|i| ChecklistItem {
                    key: i.key,
                    label: i.label,
                    required: i.required,
                    pattern: i.pattern,
                })
                .collect(),
            manager: c.manager,
            executive: c.executive,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct CustomerView {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct RealtimeView {
    pub offered: bool,
    /// Required when `offered` is true.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    pub customer: CustomerView,
    /// A category key.
    pub category: String,
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// `email`, `web`, `portal`, `api` (default) or `phone`.
    pub channel: Option<String>,
    /// Checklist facts given by the customer, by checklist key.
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// Checklist keys the customer did not have.
    #[serde(default)]
    pub missing_facts: Vec<String>,
    #[serde(default)]
    pub realtime: RealtimeView,
}

/// Where the customer's link to their case was mailed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkSent {
    pub sent_to: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseCreated {
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub state: String,
    pub owner: i64,
    pub opened_at: DateTime<Utc>,
    pub escalates_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
}

impl CaseCreated {
    pub fn new(h: &CaseHead) -> Self {
        CaseCreated {
            id: h.id,
            reference: h.reference.clone(),
            state: h.status.as_str().into(),
            owner: h.owner,
            opened_at: h.opened_at,
            escalates_at: h.escalates_at,
            promised_by: h.promised_by,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub state: String,
    pub owner: i64,
    pub category: String,
    pub subject: String,
    pub opened_at: DateTime<Utc>,
    pub escalates_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&CaseHead> for CaseSummary {
    fn from(h: &CaseHead) -> Self {
        CaseSummary {
            id: h.id,
            reference: h.reference.clone(),
            state: h.status.as_str().into(),
            owner: h.owner,
            category: h.category.clone(),
            subject: h.subject.clone(),
            opened_at: h.opened_at,
            escalates_at: h.escalates_at,
            promised_by: h.promised_by,
            updated_at: h.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub seq: u32,
    /// `opened`, `passed_up`, `taken`, `upgraded`, `escalated`, `tickled`, `message_sent`,
    /// `note_added`, `customer_replied`, `automatic_received`, `delivery_failed`,
    /// `reopened`, `solved`, `rated`, `fact_supplied`, `marked_junk` or `junk_undone`.
    pub kind: String,
    pub at: DateTime<Utc>,
    /// `{"type": "person", "id": 3}`, `{"type": "customer"}` or `{"type": "system"}`.
    #[schema(value_type = Object)]
    pub actor: serde_json::Value,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        let mut v = serde_json::to_value(e).unwrap_or_default();
        let take = |v: &mut serde_json::Value, k: &str| {
            v.get_mut(k)
                .map(serde_json::Value::take)
                .unwrap_or_default()
        };
        EventView {
            seq: e.seq,
            kind: e.body.kind().into(),
            at: e.at,
            actor: take(&mut v, "actor"),
            data: take(&mut v, "data"),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub state: String,
    pub owner: i64,
    pub category: String,
    pub subject: String,
    pub customer: CustomerView,
    pub channel: String,
    pub opened_at: DateTime<Utc>,
    pub escalates_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
    pub escalated: bool,
    pub version: u32,
    #[schema(value_type = Option<Object>)]
    pub solution: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub rating: Option<serde_json::Value>,
    /// When `state` is `junk`: who marked it (`by`, a person id), when (`at`) and why.
    #[schema(value_type = Option<Object>)]
    pub junk_mark: Option<serde_json::Value>,
    pub events: Vec<EventView>,
}

impl CaseView {
    pub fn new(stored: &StoredCase, case: &Case) -> Self {
        let h = &stored.head;
        CaseView {
            id: h.id,
            reference: h.reference.clone(),
            state: case.status.as_str().into(),
            owner: case.owner,
            category: case.category.clone(),
            subject: case.subject.clone(),
            customer: CustomerView {
                email: case.customer.email.clone(),
                name: case.customer.name.clone(),
                phone: case.customer.phone.clone(),
                external_id: case.customer.external_id.clone(),
            },
            channel: serde_json::to_value(case.channel)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            opened_at: case.opened_at,
            escalates_at: case.escalates_at,
            promised_by: case.promised_by,
            escalated: case.escalated,
            version: case.version,
            solution: case
                .solution
                .as_ref()
                .and_then(|s| serde_json::to_value(s).ok()),
            rating: case
                .rating
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok()),
            junk_mark: case
                .junk_mark
                .as_ref()
                .and_then(|m| serde_json::to_value(m).ok()),
            events: stored.events.iter().map(EventView::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassUpRequest {
    /// Someone above the owner; default: the owner's manager.
    pub to: Option<i64>,
    pub reason: String,
}

/// A checklist fact given after intake, or a correction of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactRequest {
    /// The checklist item's key, e.g. `account_number`.
    pub key: String,
    pub value: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JunkRequest {
    /// What it is, in a few words (at most 200 characters); may be left out.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveRequest {
    /// What was sent to the customer.
    pub resolution: String,
    /// 1 learn from you, 2 empathy and care, 3 teach (self-service), 4 go away.
    pub road: i64,
    /// What we learned.
    pub learned: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1 (poor) to 5 (delighted).
    pub score: i64,
    #[serde(default)]
    pub delighted_by: String,
    pub would_recommend: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    pub body: String,
}

/// What a customer sees of their case: never internal events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerCaseView {
    #[serde(rename = "ref")]
    pub reference: String,
    pub subject: String,
    pub state: String,
    pub opened_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
    pub resolution: Option<String>,
    pub rated: bool,
    pub messages: Vec<CustomerMessageView>,
}

impl CustomerCaseView {
    /// What the customer sees of a case: their messages and ours with the files sent, the
    /// resolution — never internal events (passes, notes, who owns it).
    pub fn of(stored: &StoredCase, case: &Case) -> CustomerCaseView {
        let message = |at, from: &str, body: &str, files: &[roadone_domain::AttachmentRef]| {
            CustomerMessageView {
                at,
                from: from.into(),
                body: body.to_string(),
                files: files.iter().map(FileView::from).collect(),
            }
        };
        let messages = stored
            .events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::Opened {
                    body, attachments, ..
                } if !body.is_empty() || !attachments.is_empty() => {
                    Some(message(e.at, "you", body, attachments))
                }
                EventBody::CustomerReplied { body, attachments } => {
                    Some(message(e.at, "you", body, attachments))
                }
                EventBody::MessageSent { body, attachments } => {
                    Some(message(e.at, "us", body, attachments))
                }
                EventBody::Solved { resolution, .. } => Some(message(e.at, "us", resolution, &[])),
                _ => None,
            })
            .collect();
        CustomerCaseView {
            reference: stored.head.reference.clone(),
            subject: case.subject.clone(),
            // Never "junk" to the customer: a real one marked so by mistake would read it.
            state: match case.status {
                roadone_domain::CaseStatus::Junk => "closed".into(),
                other => other.as_str().into(),
            },
            opened_at: case.opened_at,
            promised_by: case.promised_by,
            resolution: case.solution.as_ref().map(|s| s.resolution.clone()),
            rated: case.rating.is_some(),
            messages,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerMessageView {
    pub at: DateTime<Utc>,
    /// `you` or `us`.
    pub from: String,
    pub body: String,
    /// Files sent with the message (download: `/api/v1/cases/{id}/attachments/{sha256}`).
    #[serde(default)]
    pub files: Vec<FileView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileView {
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

impl From<&roadone_domain::AttachmentRef> for FileView {
    fn from(a: &roadone_domain::AttachmentRef) -> Self {
        FileView {
            sha256: a.sha256.clone(),
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
        }
    }
}
