//! Checks of the links that let staff set a password: invitations and resets.

use crate::{hours, minutes, race, t0, Fixture};
use roadone_domain::PersonId;
use roadone_store::records::*;
use roadone_store::Store;
use std::sync::Arc;

fn link(
    hash: u8,
    person: PersonId,
    purpose: PasswordLinkPurpose,
    hours_valid: i64,
) -> PasswordLink {
    PasswordLink {
        hash: vec![hash; 32],
        person,
        purpose,
        created_by: None,
        created_at: t0(),
        expires_at: t0() + hours(hours_valid),
    }
}

/// A link is good until used, expired or replaced by a newer one of its kind; using it
/// sets the password, ends the person's sessions and spends every other link of theirs.
pub async fn password_links<S: Store>(store: S) {
    const CHECK: &str = "password_links";
    let fx = Fixture::seed(&store).await;
    let staff = fx.staff.id;
    let add = |l: PasswordLink| {
        let store = &store;
        async move {
            store
                .add_password_link(l)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: add_password_link failed: {e}"))
        }
    };
    let state = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .password_link(&[hash; 32], at)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: password_link failed: {e}"))
        }
    };
    let account = |at| {
        let store = &store;
        async move {
            store
                .accounts(at)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: accounts failed: {e}"))
                .into_iter()
                .find(|a| a.person == staff)
                .unwrap_or_else(|| panic!("{CHECK}: accounts lists everyone"))
        }
    };

    let fresh = account(t0()).await;
    assert!(
        !fresh.has_password && fresh.invite_expires_at.is_none(),
        "{CHECK}: a new person has neither a password nor an invitation: {fresh:?}"
    );
    add(link(1, staff, PasswordLinkPurpose::Invite, 24)).await;
    assert_eq!(
        state(1, t0() + hours(1)).await,
        Some((staff, PasswordLinkPurpose::Invite)),
        "{CHECK}: a new invitation is good"
    );
    assert_eq!(
        account(t0()).await.invite_expires_at,
        Some(t0() + hours(24)),
        "{CHECK}: the waiting invitation is listed with its end"
    );
    assert_eq!(
        state(1, t0() + hours(25)).await,
        None,
        "{CHECK}: an invitation past its end is no good"
    );
    add(link(2, staff, PasswordLinkPurpose::Invite, 48)).await;
    assert_eq!(
        state(1, t0() + hours(1)).await,
        None,
        "{CHECK}: a resent invitation spends the first"
    );
    add(link(3, staff, PasswordLinkPurpose::Reset, 1)).await;
    assert!(
        state(2, t0()).await.is_some(),
        "{CHECK}: a reset does not spend a waiting invitation"
    );
    assert!(
        store
            .add_password_link(link(4, staff + 1000, PasswordLinkPurpose::Reset, 1))
            .await
            .is_err(),
        "{CHECK}: no link for a person who does not exist"
    );
    store
        .add_staff_session(
            staff,
            NewSession {
                hash: vec![9; 32],
                created_at: t0(),
                expires_at: t0() + hours(12),
            },
        )
        .await
        .expect("add_staff_session");

    let now = t0() + minutes(30);
    let redeem = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .redeem_password_link(&[hash; 32], at, "$argon2id$new")
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: redeem_password_link failed: {e}"))
        }
    };
    assert_eq!(
        redeem(3, t0() + hours(2)).await,
        None,
        "{CHECK}: an expired reset sets nothing"
    );
    assert_eq!(
        redeem(7, now).await,
        None,
        "{CHECK}: an unknown link sets nothing"
    );
    assert_eq!(
        store
            .password_hash(&fx.staff.email)
            .await
            .expect("password_hash"),
        Some((staff, None)),
        "{CHECK}: refused redemptions leave the password unset"
    );
    assert_eq!(
        redeem(3, now).await,
        Some(staff),
        "{CHECK}: a good reset works"
    );
    assert_eq!(
        store
            .password_hash(&fx.staff.email)
            .await
            .expect("password_hash"),
        Some((staff, Some("$argon2id$new".into()))),
        "{CHECK}: the redemption sets the password"
    );
    assert_eq!(
        store
            .staff_session(&[9; 32], now)
            .await
            .expect("staff_session"),
        None,
        "{CHECK}: a new password ends the person's sessions"
    );
    assert_eq!(redeem(3, now).await, None, "{CHECK}: a link works once");
    assert_eq!(
        state(2, now).await,
        None,
        "{CHECK}: setting a password spends the waiting invitation too"
    );
    let after = account(now).await;
    assert!(
        after.has_password && after.invite_expires_at.is_none(),
        "{CHECK}: the person now has a password and no invitation waits: {after:?}"
    );

    add(link(5, fx.frontline2.id, PasswordLinkPurpose::Invite, 24)).await;
    store
        .update_person(
            fx.frontline2.id,
            PersonUpdate {
                active: Some(false),
                ..PersonUpdate::default()
            },
        )
        .await
        .expect("deactivating");
    assert_eq!(
        state(5, t0()).await,
        None,
        "{CHECK}: a deactivated person's link is no good"
    );
    assert_eq!(
        redeem(5, t0()).await,
        None,
        "{CHECK}: a deactivated person cannot set a password with a link"
    );
}

/// Many racers redeem each link at once: each link sets a password exactly once.
pub async fn concurrent_password_redemptions<S: Store>(store: S) {
    const CHECK: &str = "concurrent_password_redemptions";
    const RACERS: usize = 12;
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let people = [fx.staff.id, fx.frontline.id, fx.manager.id];
    for (i, person) in people.iter().enumerate() {
        store
            .add_password_link(link(
                0x40 + i as u8,
                *person,
                PasswordLinkPurpose::Invite,
                24,
            ))
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: add_password_link failed: {e}"));
    }
    let now = t0() + minutes(5);
    let results = race(CHECK, people.len() * RACERS, |i| {
        let store = store.clone();
        let which = i % people.len();
        async move {
            let hash = format!("$argon2id$racer-{i}");
            let got = store
                .redeem_password_link(&[0x40 + which as u8; 32], now, &hash)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: redeem_password_link failed: {e}"));
            (which, hash, got)
        }
    })
    .await;
    for (which, person) in people.iter().enumerate() {
        let winners: Vec<&(usize, String, Option<PersonId>)> = results
            .iter()
            .filter(|(w, _, got)| *w == which && got.is_some())
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "{CHECK}: the link of person {person} set a password {} times: a link works exactly once",
            winners.len()
        );
        let email = &[&fx.staff, &fx.frontline, &fx.manager][which].email;
        let stored = store.password_hash(email).await.expect("password_hash");
        assert_eq!(
            stored,
            Some((*person, Some(winners[0].1.clone()))),
            "{CHECK}: the password kept is the winner's"
        );
    }
}
