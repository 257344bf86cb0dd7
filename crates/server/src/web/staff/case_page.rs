//! One case: its conversation and trail, and the actions the rules allow me now.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::extract::case_in_path as load;
use crate::http::upload::UploadForm;
use crate::web::pages::{html, size, WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roadone_domain::{Actor, Case, CaseStatus, Command, EventBody};
use roadone_store::{CaseFilter, StoredCase};

use super::cases::{case_link, label, road_label, time_left};

mod view;

fn event_line(body: &EventBody, name: &dyn Fn(i64) -> String) -> String {
    match body {
        EventBody::Opened { channel, owner, .. } => {
            format!("Opened ({}), owned by {}", label(channel), name(*owner))
        }
        EventBody::PassedUp { from, to, reason } => {
            format!("Passed up by {} to {}: {reason}", name(*from), name(*to))
        }
        EventBody::Taken { from, to } => format!("Taken by {} from {}", name(*to), name(*from)),
        EventBody::Upgraded { from, to, reason } => {
            format!("Upgraded by {} to {}: {reason}", name(*from), name(*to))
        }
        EventBody::Escalated { from, to } => {
            format!(
                "Escalated from {} to {} (the deadline passed)",
                name(*from),
                name(*to)
            )
        }
        EventBody::Tickled { owner, reason } => {
            format!(
                "Reminder to {} ({})",
                name(*owner),
                label(reason).replace('_', " ")
            )
        }
        EventBody::MessageSent { .. } => "Reply to the customer".into(),
        EventBody::NoteAdded { .. } => "Internal note (the customer never sees it)".into(),
        EventBody::CustomerReplied { .. } => "The customer wrote".into(),
        EventBody::AutomaticReceived { reason, .. } => {
            format!("Automatic mail recorded, not answered ({reason})")
        }
        EventBody::DeliveryFailed {
            template, error, ..
        } => format!("Mail {template} could not be delivered: {error}"),
        EventBody::Reopened { owner, .. } => format!("Reopened to {}", name(*owner)),
        EventBody::MarkedJunk { reason, .. } if reason.is_empty() => {
            "Marked not a customer case".into()
        }
        EventBody::MarkedJunk { reason, .. } => format!("Marked not a customer case: {reason}"),
        EventBody::JunkUndone { owner } => {
            format!("Junk mark undone: open again with {}", name(*owner))
        }
        EventBody::Solved { road, .. } => format!("Solved (road {})", road_label(*road)),
        EventBody::FactSupplied {
            key,
            value,
            previous,
        } => match previous {
            Some(was) => format!(
                "Fact corrected: {} is {value} (was {was})",
                key.replace('_', " ")
            ),
            None => format!("Fact supplied: {} is {value}", key.replace('_', " ")),
        },
        EventBody::Rated {
            score,
            would_recommend,
            ..
        } => format!(
            "Rated {score}/5 by the customer{}",
            if *would_recommend {
                ", would recommend us"
            } else {
                ""
            }
        ),
    }
}

fn event_text(body: &EventBody) -> Option<String> {
    match body {
        EventBody::Opened { body, .. }
        | EventBody::MessageSent { body, .. }
        | EventBody::NoteAdded { body, .. }
        | EventBody::CustomerReplied { body, .. }
        | EventBody::AutomaticReceived { body, .. } => Some(body.clone()),
        EventBody::Solved {
            resolution,
            learned,
            ..
        } => Some(format!("{resolution}\n\nWhat we learned: {learned}")),
        EventBody::Rated { delighted_by, .. } if !delighted_by.is_empty() => {
            Some(format!("What delighted them: {delighted_by}"))
        }
        _ => None,
    }
    .filter(|t| !t.trim().is_empty())
}

/// What the person had typed into the case page's forms, shown again after a refusal so
/// nothing is lost, with the field the refusal is about.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub(crate) struct Typed {
    /// The form the refusal is about (`reply`, `solve`, …) and its field.
    pub form: String,
    pub field: String,
    pub body: String,
    pub resolution: String,
    pub learned: String,
    pub road: String,
    pub reason: String,
    pub key: String,
    pub value: String,
}

/// The case page, with a message at the top: a problem when an action was refused (its
/// status an error), or what was done (200).
async fn case_page(
    state: &AppState,
    me: &SignedIn,
    stored: &StoredCase,
    case: &Case,
    problem: Option<(StatusCode, String)>,
    typed: Typed,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let name = |id: i64| snapshot.person_name(id);
    let id = stored.head.id;
    let actor_name = |a: &Actor| match a {
        Actor::Person { id } => name(*id),
        Actor::Customer => "Customer".into(),
        Actor::System => "Roadone".into(),
    };
    let timeline: Vec<view::Entry> = stored
        .events
        .iter()
        .map(|e| view::Entry {
            at: me.zone.when(e.at),
            actor: actor_name(&e.actor),
            line: event_line(&e.body, &name),
            text: event_text(&e.body),
            files: e
                .body
                .attachments()
                .iter()
                .map(|f| view::File {
                    name: f.name.clone(),
                    size: size(f.size),
                    href: format!("/staff/cases/{id}/attachments/{}", f.sha256),
                })
                .collect(),
            customer: matches!(e.actor, Actor::Customer),
            note: matches!(e.body, EventBody::NoteAdded { .. }),
        })
        .collect();
    let category = snapshot.categories.get(&case.category);
    let label = |key: &str| {
        category
            .and_then(|c| c.checklist.iter().find(|i| i.key == key))
            .map(|i| i.label.clone())
            .unwrap_or_else(|| key.to_string())
    };
    // The facts as they stand now: given at intake, supplied or corrected since.
    let facts: Vec<view::Fact> = case
        .facts
        .iter()
        .map(|(k, v)| view::Fact {
            label: label(k),
            value: v.clone(),
        })
        .collect();
    let missing: Vec<String> = case.missing_facts.iter().map(|k| label(k)).collect();
    let checklist: Vec<view::ChecklistItem> = category
        .map(|c| {
            c.checklist
                .iter()
                .map(|i| view::ChecklistItem {
                    key: i.key.clone(),
                    label: i.label.clone(),
                    missing: case.missing_facts.contains(&i.key),
                })
                .collect()
        })
        .unwrap_or_default();
    // The canned replies for this case's category (or every category).
    let canned: Vec<view::Canned> = state
        .canned_replies(&me.person)
        .await?
        .into_iter()
        .filter(|r| r.category.as_deref().is_none_or(|c| c == case.category))
        .map(|r| view::Canned {
            id: r.id,
            title: r.title,
            shared: r.owner.is_none(),
        })
        .collect();
    let realtime = match stored.events.first().map(|e| &e.body) {
        Some(EventBody::Opened { realtime, .. }) if realtime.offered => {
            Some(realtime.reason.clone().unwrap_or_default())
        }
        _ => None,
    };
    // Who an upgrade would go to: the category's manager.
    let upgrade_to = category.map(|c| name(c.manager));
    let earlier: Vec<_> = state
        .list_cases(CaseFilter {
            customer_id: Some(stored.head.customer_id),
            limit: 50,
            ..CaseFilter::default()
        })
        .await?
        .into_iter()
        .filter(|h| h.id != id)
        .map(case_link)
        .collect();
    let actor = Actor::Person { id: me.person.id };
    let may = state.available_actions(case, actor)?;
    let above: Vec<_> = snapshot
        .hierarchy
        .chain_above(case.owner)
        .into_iter()
        .filter_map(|p| snapshot.person(p))
        .filter(|p| p.active)
        .map(crate::web::staff::person_choice)
        .collect();
    let (previous_case, next_case) = queue_neighbours(state, me.person.id, id).await?;
    let now = state.clock.now();
    // Their clock, where we know their zone: whether it is a good time to call.
    let customer_now = state
        .customer_zone(stored.head.customer_id)
        .await?
        .map(|z| format!("{} ({})", z.clock(now), z.name()));
    let (left, overdue) = time_left(now, case.escalates_at);
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let escalated_ago = case
        .escalated
        .then(|| {
            stored
                .events
                .iter()
                .rev()
                .find(|e| matches!(e.body, EventBody::Escalated { .. }))
                .map(|e| format!("{} ago", crate::web::staff::cases::span(e.at, now)))
        })
        .flatten();
    let roads = roadone_domain::Road::ALL
        .iter()
        .map(|r| view::RoadChoice {
            n: u8::from(*r),
            label: r.label(),
            line: r.meaning(),
        })
        .collect();
    let said = |success: bool| {
        problem
            .as_ref()
            .filter(|(s, _)| s.is_success() == success)
            .map(|(_, m)| m.clone())
    };
    let page = html(&view::CasePage {
        me: me.me(),
        csrf: me.csrf.clone(),
        id,
        version: stored.events.last().map(|e| e.seq).unwrap_or(0),
        reference: stored.head.reference.clone(),
        subject: case.subject.clone(),
        open: case.status == CaseStatus::Open,
        junk: case.junk_mark.as_ref().map(|m| view::Junk {
            by: m.by.map(name).unwrap_or_else(|| "Roadone".into()),
            at: me.zone.when(m.at),
            reason: m.reason.clone(),
        }),
        owner: name(case.owner),
        mine: case.owner == me.person.id,
        category: category
            .map(|c| c.name.clone())
            .unwrap_or_else(|| case.category.clone()),
        left,
        overdue,
        escalates_at: me.zone.when(case.escalates_at),
        promised_by: me.zone.when(case.promised_by),
        escalated: case.escalated,
        customer: view::Customer {
            id: stored.head.customer_id,
            name: case.customer.name.clone().unwrap_or_default(),
            email: case.customer.email.clone().unwrap_or_default(),
            phone: case.customer.phone.clone().unwrap_or_default(),
        },
        earlier,
        calls: crate::web::staff::call_rows::call_rows(
            &state
                .case_calls(id, stored.head.customer_id, stored.head.opened_at)
                .await?,
            me.zone,
            &state.directory.snapshot(),
        ),
        customer_now,
        facts,
        missing,
        checklist,
        can_supply_fact: may.supply_fact,
        realtime,
        upgrade_to,
        escalated_ago,
        timeline,
        can_solve: may.solve,
        can_pass_up: may.pass_up,
        can_take: may.take,
        can_upgrade: may.upgrade,
        can_reply: may.send_message,
        can_note: may.add_note,
        can_mark_junk: may.mark_junk,
        can_undo_junk: may.undo_junk,
        above,
        roads,
        typed,
        canned,
        previous_case,
        next_case,
        problem: said(false),
        notice: said(true),
    })?;
    Ok((status, page).into_response())
}

/// How far down my queue "next case" looks; a queue is worked from its top.
const QUEUE_LOOKS: u32 = 200;

/// The cases before and after `id` in my open cases, most urgent first (as "My cases"
/// lists them), so that I can work through them one after another. From a case not in
/// my queue, "next" is the top of it.
async fn queue_neighbours(
    state: &AppState,
    me: roadone_domain::PersonId,
    id: roadone_domain::CaseId,
) -> WebResult<(Option<String>, Option<String>)> {
    let queue: Vec<i64> = state
        .list_cases(CaseFilter {
            owner: Some(me),
            status: Some(CaseStatus::Open),
            sort: roadone_store::CaseSort::Urgency,
            limit: QUEUE_LOOKS,
            ..CaseFilter::default()
        })
        .await?
        .into_iter()
        .map(|h| h.id)
        .collect();
    let href = |i: Option<&i64>| i.map(|c| format!("/staff/cases/{c}"));
    Ok(match queue.iter().position(|c| *c == id) {
        Some(at) => (
            href(at.checked_sub(1).and_then(|p| queue.get(p))),
            href(queue.get(at + 1)),
        ),
        None => (None, href(queue.first())),
    })
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    /// A canned reply to start the reply with.
    canned: Option<String>,
}

/// The case page; with `?canned=ID`, the reply starts with that canned reply filled in
/// (so it works without JavaScript).
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> WebResult<Response> {
    let (stored, case) = load(&state, &id).await?;
    let mut typed = Typed::default();
    if let Some(chosen) = q.canned.as_deref().and_then(|c| c.parse::<i64>().ok()) {
        let reply = state
            .canned_replies(&me.person)
            .await?
            .into_iter()
            .find(|r| r.id == chosen)
            .ok_or_else(|| WebError(AppError::NotFound(format!("canned reply {chosen}"))))?;
        let category = state.directory.snapshot().category_name(&case.category);
        typed.form = "reply".into();
        typed.body = crate::canned_replies::fill(
            &reply,
            &case,
            &stored.head.reference,
            &category,
            &me.person,
            state.zone_for_customer(stored.head.customer_id).await?,
        );
    }
    case_page(&state, &me, &stored, &case, None, typed).await
}

/// One action on the case, from its form. A refused action shows the case again with
/// the reason, and changes nothing.
pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, action)): Path<(String, String)>,
    request: Request,
) -> WebResult<Response> {
    let (stored, case) = load(&state, &id).await?;
    let mut form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let files = std::mem::take(&mut form.files);
    let text = |name: &str| form.given(name).unwrap_or_default();
    if action == "send-link" {
        let message =
            match crate::mail::case_link::send_case_link(&state, &stored, &case, &me.person.name)
                .await
            {
                Ok(email) => (
                    StatusCode::OK,
                    format!("The link to this case was mailed to {email}."),
                ),
                Err(e @ (AppError::Invalid { .. } | AppError::Unavailable(_))) => {
                    let (status, _, message, _) = e.parts();
                    (status, message)
                }
                Err(e) => return Err(e.into()),
            };
        return case_page(&state, &me, &stored, &case, Some(message), Typed::default()).await;
    }
    let command = match action.as_str() {
        "solve" => {
            let road = match form.given("road").map(|r| r.parse::<i64>()) {
                Some(Ok(n)) => n,
                _ => 0,
            };
            Command::Solve {
                resolution: text("resolution"),
                road,
                learned: text("learned"),
            }
        }
        "pass-up" => {
            let to = match form.given("to").map(|t| t.parse::<i64>()) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => {
                    let problem = "Choose a person from the list.".to_string();
                    return case_page(
                        &state,
                        &me,
                        &stored,
                        &case,
                        Some((StatusCode::UNPROCESSABLE_ENTITY, problem)),
                        Typed {
                            form: "pass-up".into(),
                            field: "to".into(),
                            reason: text("reason"),
                            ..Typed::default()
                        },
                    )
                    .await;
                }
            };
            Command::PassUp {
                to,
                reason: text("reason"),
            }
        }
        "take" => Command::Take,
        "junk" => Command::MarkJunk {
            reason: text("reason"),
        },
        "undo-junk" => Command::UndoJunk,
        "fact" => Command::SupplyFact {
            key: text("key"),
            value: text("value"),
        },
        // The rules refuse one with neither text nor files, naming `body`.
        "note" => Command::AddNote {
            body: text("body"),
            attachments: Vec::new(),
        },
        "upgrade" => Command::Upgrade {
            reason: text("reason"),
        },
        // The rules refuse one with neither text nor files, naming `body`.
        "reply" => Command::SendMessage {
            body: text("body"),
            attachments: Vec::new(),
        },
        other => {
            return Err(WebError(AppError::NotFound(format!(
                "the action {other:?}"
            ))))
        }
    };
    let actor = Actor::Person { id: me.person.id };
    // Files belong to replies and notes only; they are stored once the rules accept them.
    let files = if matches!(
        command,
        Command::SendMessage { .. } | Command::AddNote { .. }
    ) {
        files
    } else {
        Vec::new()
    };
    let with_files = |attachments: Vec<roadone_domain::AttachmentRef>| match &command {
        Command::SendMessage { body, .. } => Command::SendMessage {
            body: body.clone(),
            attachments,
        },
        Command::AddNote { body, .. } => Command::AddNote {
            body: body.clone(),
            attachments,
        },
        other => other.clone(),
    };
    match state
        .act_with_files(stored.head.id, actor, files, with_files)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/cases/{}#latest", stored.head.id)).into_response())
        }
        Err(e @ (AppError::Domain(_) | AppError::Invalid { .. })) => {
            let (status, ..) = e.parts();
            let snapshot = state.directory.snapshot();
            let said = crate::web::words::refusal(&e, &|id| snapshot.person_name(id));
            let typed = Typed {
                form: action.clone(),
                field: said.field.unwrap_or_default(),
                body: text("body"),
                resolution: text("resolution"),
                learned: text("learned"),
                road: text("road"),
                reason: text("reason"),
                key: text("key"),
                value: text("value"),
            };
            case_page(
                &state,
                &me,
                &stored,
                &case,
                Some((status, said.sentence)),
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A file of the case, for anyone signed in to the staff pages.
pub async fn download(
    State(state): State<AppState>,
    _me: SignedIn,
    Path((id, sha)): Path<(String, String)>,
) -> WebResult<Response> {
    let (stored, _) = load(&state, &id).await?;
    let attachment = stored
        .events
        .iter()
        .flat_map(|e| e.body.attachments())
        .find(|a| a.sha256 == sha)
        .cloned()
        .ok_or_else(|| WebError(AppError::NotFound("this file".into())))?;
    Ok(crate::http::download::file_response(&state, attachment).await?)
}
