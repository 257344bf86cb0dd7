//! The case stories: each plan run through the rules and the simulated scheduler into the store.

use super::categories::CATEGORIES;
use super::people::Persona;
use super::plan::{Act, Plan, Who};
use super::texts::{GENERIC_DELIGHT, GOOD_REMARKS};
use super::{MAX_IDLE_TICKLES_IN_A_ROW, MAX_IDLE_TICKLES_PER_CASE};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::notification::notifications_for;
use roadone_domain::{
    decide, open, timers_for, Actor, Case, CaseId, Category, Command, Context, Event, PersonId,
    TimerKind,
};
use roadone_server::directory::Snapshot;
use roadone_server::{tokens, AppState};
use roadone_store::{Append, NewCase};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) struct Shared {
    pub(super) state: AppState,
    pub(super) snapshot: Arc<Snapshot>,
    pub(super) now: DateTime<Utc>,
    pub(super) personas: Arc<HashMap<PersonId, Persona>>,
}

#[derive(Debug, Default)]
pub(super) struct StoryOutcome {
    pub(super) open: bool,
    pub(super) refused: usize,
    pub(super) events: HashMap<&'static str, usize>,
}

/// One case as it is being written: the state after its last stored event.
struct Running<'a> {
    shared: &'a Shared,
    category: &'a Category,
    id: CaseId,
    case: Case,
    /// Idle reminders since the last other event, and in all.
    idle_tickles: u32,
    all_idle_tickles: u32,
    outcome: StoryOutcome,
}

pub(super) async fn run_story(shared: &Shared, plan: Plan) -> Result<StoryOutcome> {
    let category = shared
        .snapshot
        .categories
        .get(&plan.intake.category)
        .with_context(|| format!("demo category {} is missing", plan.intake.category))?;
    let rules = &shared.state.rules();
    let ctx = Context {
        hierarchy: &shared.snapshot.hierarchy,
        category,
        rules,
        now: plan.opened_at,
    };
    let opened = open(&plan.intake, plan.by, ctx)
        .with_context(|| format!("demo intake refused: {:?}", plan.intake))?;
    let case = Case::opened(&opened)?;
    let timers = timers_for(&case, rules);
    let outbox = notifications_for(&opened, &case);
    let head = shared
        .state
        .store
        .open_case(NewCase {
            opened,
            case: case.clone(),
            customer: plan.intake.customer.clone(),
            customer_token: tokens::new_case_token(),
            idempotency: None,
            timers,
            outbox,
        })
        .await?;
    let mut story = Running {
        shared,
        category,
        id: head.head().id,
        case,
        idle_tickles: 0,
        all_idle_tickles: 0,
        outcome: StoryOutcome::default(),
    };
    story.outcome.events.insert("opened", 1);
    let mut rng = StdRng::seed_from_u64(plan.seed);
    for step in &plan.steps {
        if step.at > shared.now {
            break;
        }
        story.fire_timers_until(step.at).await?;
        let (actor, command) = match &step.act {
            Act::Do(who, command) => {
                let actor = match who {
                    Who::Owner => Actor::Person {
                        id: story.case.owner,
                    },
                    Who::Customer => Actor::Customer,
                    Who::Person(id) => Actor::Person { id: *id },
                };
                (actor, command.clone())
            }
            Act::Rate => (
                Actor::Customer,
                rating(&mut rng, &story.case, &shared.personas),
            ),
        };
        if !story.apply(step.at, actor, &command).await? {
            story.outcome.refused += 1;
        }
    }
    story.fire_timers_until(shared.now).await?;
    story.outcome.open = story.case.is_open();
    Ok(story.outcome)
}

impl Running<'_> {
    /// Decides `command` at `at` and writes its events; `false` if the rules refused it.
    async fn apply(&mut self, at: DateTime<Utc>, actor: Actor, command: &Command) -> Result<bool> {
        let rules = &self.shared.state.rules();
        let ctx = Context {
            hierarchy: &self.shared.snapshot.hierarchy,
            category: self.category,
            rules,
            now: at,
        };
        let Ok(events) = decide(&self.case, command, actor, ctx) else {
            return Ok(false);
        };
        let mut after = self.case.clone();
        let mut outbox = Vec::new();
        for event in &events {
            after.apply(event)?;
            outbox.extend(notifications_for(event, &after));
        }
        self.count(&events, command);
        self.shared
            .state
            .store
            .append(Append {
                case_id: self.id,
                expected_version: self.case.version,
                events,
                timers: timers_for(&after, rules),
                case: after.clone(),
                outbox,
            })
            .await?;
        self.case = after;
        Ok(true)
    }

    fn count(&mut self, events: &[Event], command: &Command) {
        for event in events {
            *self.outcome.events.entry(event.body.kind()).or_default() += 1;
        }
        if matches!(
            command,
            Command::Tickle {
                reason: roadone_domain::TickleReason::Idle
            }
        ) {
            self.idle_tickles += 1;
            self.all_idle_tickles += 1;
        } else {
            self.idle_tickles = 0;
        }
    }

    /// The scheduler's part: fires every timer of the case due by `until`, in order, at
    /// its due time.
    async fn fire_timers_until(&mut self, until: DateTime<Utc>) -> Result<()> {
        loop {
            let next = timers_for(&self.case, &self.shared.state.rules())
                .into_iter()
                .filter(|t| {
                    t.kind != TimerKind::TickleIdle
                        || (self.idle_tickles < MAX_IDLE_TICKLES_IN_A_ROW
                            && self.all_idle_tickles < MAX_IDLE_TICKLES_PER_CASE)
                })
                .min_by_key(|t| t.due_at);
            let Some(timer) = next.filter(|t| t.due_at <= until) else {
                return Ok(());
            };
            if !self
                .apply(timer.due_at, Actor::System, &timer.kind.command())
                .await?
            {
                // Cannot happen for a timer derived from the state; never loop on it.
                self.outcome.refused += 1;
                return Ok(());
            }
        }
    }
}

/// The customer's rating: skewed positive, better for some people than others, worse
/// when the case was escalated, reopened, passed around or sent away.
fn rating(rng: &mut StdRng, case: &Case, personas: &HashMap<PersonId, Persona>) -> Command {
    let Some(solution) = &case.solution else {
        return Command::Rate {
            score: 3,
            delighted_by: String::new(),
            would_recommend: false,
        };
    };
    let mut q = personas.get(&solution.solved_by).map_or(0.0, |p| p.rating);
    q += match solution.road as u8 {
        1 => 0.35,
        2 => 0.15,
        3 => 0.0,
        _ => -1.5,
    };
    if case.escalated {
        q -= 0.5;
    }
    if case.reopenings > 0 {
        q -= 0.5;
    }
    q -= 0.2 * f64::from(case.pass_ups);
    let hours = (solution.solved_at - case.opened_at).num_minutes() as f64 / 60.0;
    if hours < 1.0 {
        q += 0.25;
    } else if hours > 24.0 {
        q -= 0.3;
    }
    let base = [0.06, 0.07, 0.13, 0.30, 0.44];
    let weights = base
        .iter()
        .enumerate()
        .map(|(i, b)| b * (0.9 * q * (i as f64 - 2.0)).exp());
    let score = WeightedIndex::new(weights).expect("weights").sample(rng) as i64 + 1;
    let cat = CATEGORIES.iter().find(|c| c.key == case.category);
    let delighted_by = match score {
        5 => {
            let pool: Vec<&str> = cat
                .map_or(&[][..], |c| c.delight)
                .iter()
                .chain(GENERIC_DELIGHT)
                .copied()
                .collect();
            pool.choose(rng).expect("texts").to_string()
        }
        4 => GOOD_REMARKS.choose(rng).expect("texts").to_string(),
        _ => String::new(),
    };
    let recommend = [0.03, 0.08, 0.35, 0.82, 0.95][score as usize - 1];
    Command::Rate {
        score,
        delighted_by,
        would_recommend: rng.gen_bool(recommend),
    }
}
