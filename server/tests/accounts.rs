//! Accounts attacked as another school's admin, a student at a shared
//! Chromebook or someone who knows a teacher's email would (issue 12).

mod support;

use std::sync::Arc;

use app::accounts::throttle::{Throttle, LOCK_AFTER};
use app::accounts::{Role, DEMO_ACCOUNTS};
use axum::http::StatusCode;
use sqlx::SqlitePool;
use support::*;

async fn user_id(pool: &SqlitePool, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn account(pool: &SqlitePool, email: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT name, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The link the staff page shows once, after an admin issued it.
async fn issued_token(admin: &mut Browser, user_id: i64) -> String {
    let reply = admin
        .post_form(&format!("/admin/staff/{user_id}/link"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=link");
    let page = admin.get("/admin/staff?notice=link").await;
    let start = page.body.find("/welcome/").expect("the link is shown") + "/welcome/".len();
    let token: String = page.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let again = admin.get("/admin/staff").await;
    assert!(!again.body.contains(&token), "shown once");
    token
}

#[tokio::test]
async fn another_schools_admin_cannot_take_over_an_account_by_adding_it() {
    let (pool, demo) = demo_pool().await;
    let other = other_school(&pool).await;
    let router = router(&pool, false);
    let (victim_email, victim_password, _) = DEMO_ACCOUNTS[0];
    let victim = user_id(&pool, victim_email).await;
    let before = account(&pool, victim_email).await;

    let mut attacker = Browser::new(router.clone());
    attacker.sign_in(OTHER_ADMIN.0, OTHER_ADMIN.1).await;
    let reply = attacker
        .post_form(
            "/admin/staff/add",
            &[
                ("name", "Mallory"),
                ("email", victim_email),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=invited");
    assert_eq!(account(&pool, victim_email).await, before, "not renamed");

    // The only link the attacker can get is a join link: it sets nothing.
    let token = issued_token(&mut attacker, victim).await;
    let page = attacker.get(&format!("/welcome/{token}")).await;
    assert!(
        page.body.contains("Sign in with its password"),
        "{}",
        page.body
    );
    let chosen = "attacker chosen words";
    let reply = attacker
        .post_form(
            "/welcome",
            &[("token", &token), ("password", chosen), ("confirm", chosen)],
        )
        .await;
    assert_eq!(reply.location(), format!("/welcome/{token}?error=password"));
    assert_eq!(
        account(&pool, victim_email).await,
        before,
        "no new password"
    );
    let mut thief = Browser::new(router.clone());
    assert_eq!(
        thief.sign_in(victim_email, chosen).await.location(),
        format!(
            "/login?error=invalid&email={}&next=%2F",
            victim_email.replace('@', "%40")
        )
    );

    // Until the person accepts, the invitation gives them nothing there.
    let mut owner = Browser::new(router.clone());
    owner.sign_in(victim_email, victim_password).await;
    let schools = owner.post_form("/api/get_my_schools", &[]).await.body;
    assert!(!schools.contains("Cedar Hollow"), "{schools}");

    // The owner accepts with their own password, and keeps it.
    let reply = owner
        .post_form(
            "/welcome",
            &[("token", &token), ("password", victim_password)],
        )
        .await;
    assert_eq!(reply.location(), "/");
    assert_eq!(account(&pool, victim_email).await, before);
    let accepted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'membership.accepted' AND school_id IN ($1, $2)",
    )
    .bind(demo.school_id)
    .bind(other)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(accepted, 2, "in the log of both schools of the account");

    // Now a shared account: no school's admin may issue it a password link.
    let reply = attacker
        .post_form(&format!("/admin/staff/{victim}/link"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?error=shared");
    let reply = attacker
        .post_form(
            "/admin/staff/add",
            &[
                ("name", "Mallory"),
                ("email", victim_email),
                ("role", "staff"),
            ],
        )
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=added");
    assert_eq!(
        account(&pool, victim_email).await,
        before,
        "still not renamed"
    );
}

#[tokio::test]
async fn a_staff_file_of_another_school_only_invites_existing_accounts() {
    let (pool, _) = demo_pool().await;
    let other = other_school(&pool).await;
    let router = router(&pool, false);
    let victim_email = DEMO_ACCOUNTS[0].0;
    let before = account(&pool, victim_email).await;
    let csv = format!("email,name,role\n{victim_email},Mallory,admin\nnew.person@cedar.example,New Person,staff\n");
    let boundary = "tetherboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let mut attacker = Browser::new(router);
    attacker.sign_in(OTHER_ADMIN.0, OTHER_ADMIN.1).await;
    attacker
        .send(
            axum::http::Request::post("/admin/staff/import")
                .header("origin", ORIGIN)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(axum::body::Body::from(body))
                .unwrap(),
        )
        .await;
    let reply = attacker.post_form("/admin/staff/import/confirm", &[]).await;
    assert_eq!(reply.location(), "/admin/staff?notice=imported_invited");
    assert_eq!(account(&pool, victim_email).await, before, "not renamed");
    let (pending, active): (bool, bool) = sqlx::query_as(
        "SELECT m.pending, m.is_active FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE u.email = $1 AND m.school_id = $2",
    )
    .bind(victim_email)
    .bind(other)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(pending && !active, "an invitation, not a membership");
    let link =
        app::staff::db::issue_link(&pool, other, user_id(&pool, victim_email).await, Some(1), 0)
            .await
            .unwrap();
    let holder = app::staff::db::link_holder(&pool, &link, 1).await.unwrap();
    assert_eq!(holder.purpose, "join");
}

#[tokio::test]
async fn a_reset_link_stops_working_once_the_account_joins_another_school() {
    let (pool, demo) = demo_pool().await;
    let other = other_school(&pool).await;
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let person = user_id(&pool, email).await;
    let now = app::clock::now();
    // Issued while the account was the demo school's alone, kept back.
    let kept = app::staff::db::issue_link(&pool, demo.school_id, person, Some(1), now)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    app::accounts::db::add_member_in(&mut tx, email, "Anyone", other, Role::Staff, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let join = app::staff::db::issue_link(&pool, other, person, Some(1), now)
        .await
        .unwrap();
    let router = router(&pool, false);
    let mut owner = Browser::new(router);
    let reply = owner
        .post_form("/welcome", &[("token", &join), ("password", password)])
        .await;
    assert_eq!(reply.location(), "/");
    assert!(
        app::staff::db::link_holder(&pool, &kept, now + 1)
            .await
            .is_err(),
        "a password link of one school no longer works on a shared account"
    );
    // The server's operator can still help someone who forgot it.
    let operator = app::staff::db::issue_link(&pool, demo.school_id, person, None, now)
        .await
        .unwrap();
    assert!(app::staff::db::link_holder(&pool, &operator, now + 1)
        .await
        .is_ok());
}

#[tokio::test]
async fn changing_a_password_ends_every_other_session_of_the_account() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let mut here = Browser::new(router.clone());
    let mut elsewhere = Browser::new(router.clone());
    here.sign_in(email, password).await;
    elsewhere.sign_in(email, password).await;
    let student: i64 =
        sqlx::query_scalar("SELECT id FROM students WHERE is_active = 1 ORDER BY id LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let student = student.to_string();
    let mark = [("student_id", student.as_str()), ("level", "knows")];
    assert_eq!(
        elsewhere.post_form("/api/mark", &mark).await.status,
        StatusCode::OK
    );

    let new = "quiet harbor window";
    let reply = here
        .post_form(
            "/account/password",
            &[("current", password), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(reply.location(), "/account/password?notice=changed");
    assert_eq!(
        here.get("/").await.status,
        StatusCode::OK,
        "this one goes on"
    );
    assert_eq!(
        elsewhere.post_form("/api/mark", &mark).await.status,
        StatusCode::UNAUTHORIZED,
        "the other one can no longer mark"
    );
    assert_eq!(elsewhere.get("/").await.status, StatusCode::SEE_OTHER);

    // A reset through a link ends them too.
    let mut third = Browser::new(router.clone());
    third.sign_in(email, new).await;
    let mut admin = Browser::new(router.clone());
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let token = issued_token(&mut admin, user_id(&pool, email).await).await;
    let newer = "lantern meadow river";
    let mut holder = Browser::new(router);
    let reply = holder
        .post_form(
            "/welcome",
            &[("token", &token), ("password", newer), ("confirm", newer)],
        )
        .await;
    assert_eq!(reply.location(), "/");
    assert_eq!(holder.get("/").await.status, StatusCode::OK);
    assert_ne!(third.get("/").await.status, StatusCode::OK);
    assert_ne!(here.get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_issued_link_never_sits_in_the_session_store() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let staff = user_id(&pool, DEMO_ACCOUNTS[2].0).await;
    let reply = admin
        .post_form(&format!("/admin/staff/{staff}/link"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=link");
    // Before the page has shown it: nowhere in the database but its hash.
    let sessions: Vec<Vec<u8>> = sqlx::query_scalar("SELECT data FROM tower_sessions")
        .fetch_all(&pool)
        .await
        .unwrap();
    let token = issued_token(&mut admin, staff).await;
    assert!(!token.is_empty());
    for data in sessions {
        let text = String::from_utf8_lossy(&data);
        assert!(!text.contains("/welcome/"), "a link in the session store");
    }
}

/// A router whose throttle counts and locks without making the test wait.
fn counting_router(pool: &SqlitePool) -> (axum::Router, Arc<Throttle>) {
    let throttle = Arc::new(Throttle::without_waiting());
    (
        router_with_throttle(pool, false, throttle.clone()),
        throttle,
    )
}

fn failed(reply: &Reply) -> &'static str {
    let location = reply.location();
    if location.contains("error=locked") {
        "locked"
    } else if location.contains("error=invalid") {
        "invalid"
    } else {
        "signed in"
    }
}

#[tokio::test]
async fn guessing_a_teachers_password_does_not_lock_the_teacher_out() {
    let (pool, demo) = demo_pool().await;
    let (router, _) = counting_router(&pool);
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let mut student = Browser::from_address(router.clone(), "10.0.0.66");
    let mut outcomes = Vec::new();
    for _ in 0..LOCK_AFTER + 2 {
        outcomes.push(failed(&student.sign_in(email, "just guessing").await));
    }
    assert_eq!(outcomes.last(), Some(&"locked"), "{outcomes:?}");
    // Even the right password is refused from the guesser's address…
    assert_eq!(failed(&student.sign_in(email, password).await), "locked");
    // …but the teacher, elsewhere, signs in.
    let mut teacher = Browser::from_address(router.clone(), "10.0.0.7");
    assert_eq!(failed(&teacher.sign_in(email, password).await), "signed in");

    // The failures are in the school's log, and an admin sees and lifts the lock.
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE school_id = $1 AND action IN ('sign_in.failure', 'sign_in.locked')",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(logged > i64::from(LOCK_AFTER), "{logged}");
    let mut admin = Browser::from_address(router.clone(), "10.0.0.8");
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let page = admin.get("/admin/staff").await;
    assert!(page.body.contains("from 10.0.0.66"), "{}", page.body);
    let teacher_id = user_id(&pool, email).await;
    let reply = admin
        .post_form(&format!("/admin/staff/{teacher_id}/unlock"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=unlocked");
    assert_eq!(failed(&student.sign_in(email, password).await), "signed in");
}

#[tokio::test]
async fn a_burst_of_guesses_is_counted_before_any_is_checked() {
    let (pool, _) = demo_pool().await;
    let (router, _) = counting_router(&pool);
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let guesses: Vec<_> = (0..20)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move {
                let mut browser = Browser::from_address(router, "10.0.0.66");
                failed(&browser.sign_in(email, "burst guess").await)
            })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        if guess.await.unwrap() == "invalid" {
            checked += 1;
        }
    }
    assert!(checked <= LOCK_AFTER, "{checked} guesses were checked");
    let mut teacher = Browser::from_address(router, "10.0.0.7");
    assert_eq!(failed(&teacher.sign_in(email, password).await), "signed in");
}

#[tokio::test]
async fn many_failures_from_a_schools_one_address_never_refuse_a_right_password() {
    let (pool, _) = demo_pool().await;
    let (router, throttle) = counting_router(&pool);
    let school_nat = "10.0.0.1";
    for index in 0..app::accounts::throttle::ADDRESS_SLOW_AFTER + 10 {
        let email = format!("made.up.{index}@demo.example");
        let client = app::accounts::throttle::Client {
            address: Some(school_nat),
            devices: &[],
        };
        match throttle.begin(&email, client, std::time::Instant::now()) {
            app::accounts::throttle::Verdict::Proceed { attempt, .. } => {
                throttle.failed(attempt, std::time::Instant::now())
            }
            refused => panic!("an address refused: {refused:?}"),
        }
    }
    let (email, password, _) = DEMO_ACCOUNTS[1];
    let mut counselor = Browser::from_address(router, school_nat);
    assert_eq!(
        failed(&counselor.sign_in(email, password).await),
        "signed in"
    );
}

#[tokio::test]
async fn an_invitation_shows_no_sign_in_details_and_lifts_no_lock() {
    let (pool, demo) = demo_pool().await;
    other_school(&pool).await;
    let (router, _) = counting_router(&pool);
    let (victim_email, _, _) = DEMO_ACCOUNTS[0];
    let victim = user_id(&pool, victim_email).await;
    let (victim_name, _) = account(&pool, victim_email).await;
    // The victim mistypes their password at home.
    let mut home = Browser::from_address(router.clone(), "192.0.2.44");
    for _ in 0..LOCK_AFTER {
        home.sign_in(victim_email, "my old password").await;
    }
    let mut attacker = Browser::from_address(router.clone(), "203.0.113.9");
    attacker.sign_in(OTHER_ADMIN.0, OTHER_ADMIN.1).await;
    attacker
        .post_form(
            "/admin/staff/add",
            &[("name", "x"), ("email", victim_email), ("role", "staff")],
        )
        .await;
    let page = attacker.get("/admin/staff").await;
    assert!(page.body.contains("Invited"), "{}", page.body);
    assert!(
        !page.body.contains("192.0.2.44"),
        "where the victim signs in"
    );
    assert!(!page.body.contains(&victim_name), "the victim's own name");
    let reply = attacker
        .post_form(&format!("/admin/staff/{victim}/unlock"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?error=notfound");
    let token = issued_token(&mut attacker, victim).await;
    let shown = attacker.get(&format!("/welcome/{token}")).await;
    assert!(!shown.body.contains(&victim_name), "the join page");
    assert_eq!(
        failed(&home.sign_in(victim_email, "still wrong").await),
        "locked"
    );

    // The victim's own school lifts it, and its log says so.
    let mut admin = Browser::from_address(router, "192.0.2.50");
    admin.sign_in(victim_email, DEMO_ACCOUNTS[0].1).await;
    let reply = admin
        .post_form(&format!("/admin/staff/{victim}/unlock"), &[])
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=unlocked");
    assert_eq!(
        failed(&home.sign_in(victim_email, DEMO_ACCOUNTS[0].1).await),
        "signed in"
    );
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE school_id = $1 AND action = 'sign_in.unlocked'",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn behind_the_schools_one_address_the_teachers_own_browser_still_gets_in() {
    let (pool, _) = demo_pool().await;
    let (router, _) = counting_router(&pool);
    let (email, password, _) = DEMO_ACCOUNTS[2];
    let school_nat = "10.0.0.1";
    let mut chromebook = Browser::from_address(router.clone(), school_nat);
    assert_eq!(
        failed(&chromebook.sign_in(email, password).await),
        "signed in"
    );
    chromebook.post_form("/logout", &[]).await;
    let mut student = Browser::from_address(router, school_nat);
    for _ in 0..LOCK_AFTER {
        student.sign_in(email, "a guess").await;
    }
    assert_eq!(failed(&student.sign_in(email, password).await), "locked");
    assert_eq!(
        failed(&chromebook.sign_in(email, password).await),
        "signed in",
        "the browser the teacher signed in with before"
    );
}

#[tokio::test]
async fn an_overlong_email_is_refused_and_stored_nowhere() {
    let (pool, _) = demo_pool().await;
    let (router, throttle) = counting_router(&pool);
    let mut visitor = Browser::from_address(router, "198.51.100.1");
    let email = format!("{}@x.example", "a".repeat(200_000));
    assert_eq!(failed(&visitor.sign_in(&email, "x").await), "invalid");
    let stored: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(length(detail)), 0) FROM audit_log WHERE action LIKE 'sign_in.%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(stored < 1_000, "{stored} bytes in the audit log");
    assert!(throttle.locks(&email, std::time::Instant::now()).is_empty());
}

#[tokio::test]
async fn wrong_current_passwords_are_limited_like_sign_ins() {
    let (pool, demo) = demo_pool().await;
    let (router, _) = counting_router(&pool);
    let (email, password, _) = DEMO_ACCOUNTS[2];
    // A teacher's session left open on a shared Chromebook.
    let mut chromebook = Browser::from_address(router, "10.0.0.1");
    chromebook.sign_in(email, password).await;
    let new = "student owns this now";
    let mut answers = Vec::new();
    for guess in 0..LOCK_AFTER + 1 {
        let guess = format!("guess {guess}");
        let reply = chromebook
            .post_form(
                "/account/password",
                &[("current", &guess), ("password", new), ("confirm", new)],
            )
            .await;
        answers.push(reply.location().to_string());
    }
    assert_eq!(
        answers.last().map(String::as_str),
        Some("/account/password?error=locked"),
        "{answers:?}"
    );
    let reply = chromebook
        .post_form(
            "/account/password",
            &[("current", password), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(reply.location(), "/account/password?error=locked");
    let failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE school_id = $1 AND action = 'sign_in.failure'",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(failures, i64::from(LOCK_AFTER), "each guess is in the log");
}

#[tokio::test]
async fn a_planted_link_cookie_shows_no_link_to_elsewhere() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let planted = app::staff::issued_link_cookie(
        &app::staff::IssuedLink {
            name: "A Newcomer".into(),
            path: "https://evil.example/welcome/abc".into(),
        },
        false,
    )
    .unwrap();
    admin
        .other_cookies
        .push(planted.split(';').next().unwrap().to_string());
    let page = admin.get("/admin/staff?notice=link").await;
    assert!(!page.body.contains("evil.example"), "{}", page.body);
}

#[tokio::test]
async fn a_very_long_staff_name_is_refused_with_a_message() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let name = "x".repeat(250_000);
    let reply = admin
        .post_form(
            "/admin/staff/add",
            &[
                ("name", &name),
                ("email", "long.name@demo.example"),
                ("role", "staff"),
            ],
        )
        .await;
    assert_eq!(reply.location(), "/admin/staff?error=long");
    let page = admin.get(reply.location()).await;
    assert!(
        page.body.contains("at most 100 characters"),
        "{}",
        page.body
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = 'long.name@demo.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
}
