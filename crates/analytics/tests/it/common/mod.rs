//! Building cases' events by hand for the fixtures worked out on paper.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use roadone_domain::{
    Actor, CaseId, Channel, Customer, Event, EventBody, PersonId, Realtime, Road,
};
use std::collections::BTreeMap;

pub fn at(month: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, min, 0).unwrap()
}

/// Builds one case's events, numbering them.
pub struct Case {
    pub id: CaseId,
    pub events: Vec<Event>,
}

impl Case {
    pub fn opened(id: CaseId, by: PersonId, when: DateTime<Utc>) -> Case {
        Case::opened_in(id, by, when, "billing")
    }
    pub fn opened_in(id: CaseId, by: PersonId, when: DateTime<Utc>, category: &str) -> Case {
        let mut c = Case { id, events: vec![] };
        c.push(
            when,
            Actor::Person { id: by },
            EventBody::Opened {
                customer: Customer::default(),
                category: category.into(),
                subject: format!("case {id}"),
                body: String::new(),
                channel: Channel::Phone,
                facts: BTreeMap::new(),
                missing_facts: vec![],
                realtime: Realtime::default(),
                attachments: vec![],
                owner: by,
                escalates_at: when + chrono::Duration::hours(20),
                promised_by: when + chrono::Duration::hours(24),
                call_back_by: None,
            },
        );
        c
    }
    pub fn push(&mut self, when: DateTime<Utc>, actor: Actor, body: EventBody) -> &mut Self {
        self.events.push(Event {
            seq: self.events.len() as u32 + 1,
            at: when,
            actor,
            body,
        });
        self
    }
    pub fn pass(&mut self, when: DateTime<Utc>, from: PersonId, to: PersonId) -> &mut Self {
        let body = EventBody::PassedUp {
            from,
            to,
            reason: "r".into(),
        };
        self.push(when, Actor::Person { id: from }, body)
    }
    pub fn system_pass(&mut self, when: DateTime<Utc>, from: PersonId, to: PersonId) -> &mut Self {
        let body = EventBody::PassedUp {
            from,
            to,
            reason: "deactivated".into(),
        };
        self.push(when, Actor::System, body)
    }
    pub fn take(&mut self, when: DateTime<Utc>, from: PersonId, to: PersonId) -> &mut Self {
        self.push(
            when,
            Actor::Person { id: to },
            EventBody::Taken { from, to },
        )
    }
    pub fn upgrade(&mut self, when: DateTime<Utc>, from: PersonId, to: PersonId) -> &mut Self {
        let body = EventBody::Upgraded {
            from,
            to,
            reason: "learn".into(),
        };
        self.push(when, Actor::Person { id: from }, body)
    }
    pub fn escalate(&mut self, when: DateTime<Utc>, from: PersonId, to: PersonId) -> &mut Self {
        self.push(when, Actor::System, EventBody::Escalated { from, to })
    }
    pub fn reply(&mut self, when: DateTime<Utc>) -> &mut Self {
        let body = EventBody::CustomerReplied {
            body: "any news?".into(),
            attachments: vec![],
        };
        self.push(when, Actor::Customer, body)
    }
    pub fn mark_junk(&mut self, when: DateTime<Utc>, by: PersonId, owner: PersonId) -> &mut Self {
        let body = EventBody::MarkedJunk {
            owner,
            reason: "spam".into(),
        };
        self.push(when, Actor::Person { id: by }, body)
    }
    pub fn undo_junk(&mut self, when: DateTime<Utc>, by: PersonId, owner: PersonId) -> &mut Self {
        self.push(
            when,
            Actor::Person { id: by },
            EventBody::JunkUndone { owner },
        )
    }
    /// The customer writes to a closed case, which reopens to `owner`.
    pub fn reopen(&mut self, when: DateTime<Utc>, owner: PersonId) -> &mut Self {
        self.reply(when);
        let body = EventBody::Reopened {
            owner,
            escalates_at: when + chrono::Duration::hours(20),
        };
        self.push(when, Actor::Customer, body)
    }
    pub fn solve(&mut self, when: DateTime<Utc>, by: PersonId) -> &mut Self {
        self.solve_on(when, by, Road::Teach, "x")
    }
    pub fn solve_on(
        &mut self,
        when: DateTime<Utc>,
        by: PersonId,
        road: Road,
        learned: &str,
    ) -> &mut Self {
        let body = EventBody::Solved {
            resolution: "done".into(),
            road,
            learned: learned.into(),
        };
        self.push(when, Actor::Person { id: by }, body)
    }
    pub fn rate(
        &mut self,
        when: DateTime<Utc>,
        score: u8,
        delighted_by: &str,
        recommend: bool,
    ) -> &mut Self {
        let body = EventBody::Rated {
            score,
            delighted_by: delighted_by.into(),
            would_recommend: recommend,
        };
        self.push(when, Actor::Customer, body)
    }
}

/// Every case's events, by case then seq, as the store gives them.
pub fn log(cases: Vec<Case>) -> Vec<(CaseId, Event)> {
    cases
        .into_iter()
        .flat_map(|c| c.events.into_iter().map(move |e| (c.id, e)))
        .collect()
}
