//! Staff management and one-time sign-in links, on the database.
#![cfg(feature = "ssr")]

use app::accounts::throttle::Throttle;
use app::accounts::{authenticate, Role, SignInFailure, DEMO_ACCOUNTS};
use app::demo::{generate, DemoOptions};
use app::staff::db;
use sqlx::SqlitePool;

async fn demo(pool: &SqlitePool) -> i64 {
    app::db::prepare(pool).await.unwrap();
    generate(
        pool,
        &DemoOptions {
            students: 60,
            staff: 8,
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap()
    .school_id
}

async fn user_id(pool: &SqlitePool, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_sign_in_link_works_once_and_only_before_it_expires(pool: SqlitePool) {
    let school = demo(&pool).await;
    let admin = user_id(&pool, DEMO_ACCOUNTS[0].0).await;
    let staff = user_id(&pool, DEMO_ACCOUNTS[2].0).await;
    let now = 1_800_000_000;
    let token = db::issue_link(&pool, school, staff, Some(admin), now)
        .await
        .unwrap();
    assert!(token.len() >= 40, "a long random token");
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM sign_in_links")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, token, "only a hash is stored");

    let holder = db::link_holder(&pool, &token, now + 60).await.unwrap();
    assert_eq!(holder.user_id, staff);
    db::redeem_link(&pool, &token, Some("new-hash"), None, now + 60)
        .await
        .unwrap();
    assert!(
        db::redeem_link(&pool, &token, Some("again"), None, now + 61)
            .await
            .is_err(),
        "single use"
    );
    assert!(db::link_holder(&pool, &token, now + 61).await.is_err());

    let late = db::issue_link(&pool, school, staff, Some(admin), now)
        .await
        .unwrap();
    let expired = now + app::staff::LINK_LIFETIME_SECS + 1;
    assert!(
        db::link_holder(&pool, &late, expired).await.is_err(),
        "expires after 72 h"
    );
    assert!(db::redeem_link(&pool, &late, Some("hash"), None, expired)
        .await
        .is_err());
    assert!(
        db::redeem_link(&pool, "made-up-token", Some("hash"), None, now)
            .await
            .is_err()
    );
}

#[sqlx::test(migrations = false)]
async fn admins_change_only_their_own_school(pool: SqlitePool) {
    let school = demo(&pool).await;
    let other = app::schools::db::create(&pool, "Fox Run Middle School", 0)
        .await
        .unwrap();
    let outsider = app::accounts::db::upsert_member(
        &pool,
        "kim@foxrun.example",
        "Kim Ito",
        None,
        other.id,
        Role::Staff,
        0,
    )
    .await
    .unwrap();
    assert!(db::set_role(&pool, school, outsider, Role::Admin)
        .await
        .is_err());
    assert!(db::set_active(&pool, school, outsider, false)
        .await
        .is_err());
    assert!(db::issue_link(&pool, school, outsider, Some(1), 0)
        .await
        .is_err());
    let names: Vec<String> = db::list(&pool, school, "")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(!names.contains(&"Kim Ito".to_string()));
    assert_eq!(
        db::list(&pool, other.id, "kim").await.unwrap().len(),
        1,
        "search by name"
    );
}

#[sqlx::test(migrations = false)]
async fn a_deactivated_person_cannot_sign_in_and_keeps_their_marks(pool: SqlitePool) {
    let school = demo(&pool).await;
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let staff = user_id(&pool, email).await;
    let marks_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE staff_id = $1")
            .bind(staff)
            .fetch_one(&pool)
            .await
            .unwrap();
    let throttle = Throttle::new();
    assert!(
        authenticate(&pool, &throttle, email, password, Default::default())
            .await
            .unwrap()
            .is_ok()
    );
    db::set_active(&pool, school, staff, false).await.unwrap();
    assert_eq!(
        authenticate(&pool, &throttle, email, password, Default::default())
            .await
            .unwrap()
            .unwrap_err(),
        SignInFailure::Invalid
    );
    assert!(
        app::accounts::db::member(&pool, staff, school)
            .await
            .unwrap()
            .is_none(),
        "sessions stop working"
    );
    let marks_after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE staff_id = $1")
            .bind(staff)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(marks_before, marks_after);
    db::set_active(&pool, school, staff, true).await.unwrap();
    assert!(
        authenticate(&pool, &throttle, email, password, Default::default())
            .await
            .unwrap()
            .is_ok()
    );
}

#[test]
fn typos_in_email_addresses_are_caught() {
    assert_eq!(
        db::check_email(" Pat@School.Example ").unwrap(),
        "pat@school.example"
    );
    for bad in [
        "pat",
        "pat@",
        "@school.example",
        "pat@school",
        "pat @school.example",
    ] {
        assert!(db::check_email(bad).is_err(), "{bad}");
    }
}
