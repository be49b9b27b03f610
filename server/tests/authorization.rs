//! The authorization matrix: every server function and route, for every
//! kind of visitor, allowed or denied. Generated from one table; a server
//! function without a row fails the test.

mod support;

use std::collections::BTreeSet;

use app::accounts::{Role, DEMO_ACCOUNTS};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use support::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Visitor {
    Anonymous,
    Staff,
    Counselor,
    Admin,
    /// An admin, but of another school: may use the same endpoints, and
    /// must only ever see their own school.
    OtherSchoolAdmin,
}

const VISITORS: [Visitor; 5] = [
    Visitor::Anonymous,
    Visitor::Staff,
    Visitor::Counselor,
    Visitor::Admin,
    Visitor::OtherSchoolAdmin,
];

/// Who may call what: `None` = anyone, `Some(role)` = signed in with at
/// least that role at the school the session acts for.
/// Each server function with valid arguments (`{token}`: a live sign-in
/// link of the demo school).
const SERVER_FUNCTIONS: &[(&str, &str, Option<Role>)] = &[
    ("get_me", "", None),
    // About the asker only: empty for anyone not signed in.
    ("get_my_schools", "", None),
    ("get_sign_in_info", "", None),
    ("get_link_holder", "token={token}", None),
    ("get_home_summary", "", Some(Role::Staff)),
    ("get_staff", "search=", Some(Role::Admin)),
    ("get_staff_import", "", Some(Role::Admin)),
    ("get_audit_log", "person=&action=&page=0", Some(Role::Admin)),
    ("get_terms", "", Some(Role::Admin)),
    ("get_imports", "", Some(Role::Admin)),
    ("get_import_preview", "", Some(Role::Admin)),
    ("mark_setup", "", Some(Role::Staff)),
    ("get_coverage", "", Some(Role::Counselor)),
    (
        "get_unconnected",
        "filters[view]=None&filters[homeroom]=&filters[group]=&filters[sort]=Name&filters[page]=1",
        Some(Role::Counselor),
    ),
    ("get_assign", "student_id={student}", Some(Role::Counselor)),
    ("get_take_on", "id={takeon}", Some(Role::Staff)),
    ("get_my_take_ons", "", Some(Role::Staff)),
    ("get_follow_up", "", Some(Role::Counselor)),
    ("get_meeting_board", "", Some(Role::Staff)),
    ("get_coverage_report", "", Some(Role::Counselor)),
    (
        "mark_list",
        "filters[q]=&filters[homeroom]=&filters[show]=NoStrong&filters[page]=1",
        Some(Role::Staff),
    ),
    (
        "mark",
        "student_id={student}&level=knows",
        Some(Role::Staff),
    ),
    (
        "concern",
        "student_id={student}&raise=true&reason=",
        Some(Role::Staff),
    ),
];

/// Plain routes and pages: (method, path, form, who may use it).
/// Pages answer 200 when allowed; form routes answer with a redirect back
/// to their page (not to an error) when allowed. `{target}` is a staff
/// member of the demo school who is none of the visitors, `{student}` an
/// active student and `{term}` an upcoming term of the demo school: another
/// school's admin may use the same routes, but never on these.
const ROUTES: &[(&str, &str, &str, Option<Role>)] = &[
    ("GET", "/healthz", "", None),
    ("GET", "/login", "", None),
    ("GET", "/", "", Some(Role::Staff)),
    ("GET", "/account/password", "", Some(Role::Staff)),
    ("GET", "/admin/staff", "", Some(Role::Admin)),
    ("GET", "/admin/audit", "", Some(Role::Admin)),
    ("GET", "/admin/terms", "", Some(Role::Admin)),
    ("GET", "/admin/import", "", Some(Role::Admin)),
    ("GET", "/admin/import/preview", "", Some(Role::Admin)),
    ("GET", "/admin/import/template.csv", "", Some(Role::Staff)),
    ("POST", "/admin/import/cancel", "", Some(Role::Admin)),
    ("POST", "/admin/import/confirm", "", Some(Role::Admin)),
    (
        "POST",
        "/admin/import/mapping",
        "student_id=",
        Some(Role::Admin),
    ),
    ("GET", "/mark", "", Some(Role::Staff)),
    ("GET", "/unconnected", "", Some(Role::Counselor)),
    (
        "GET",
        "/unconnected/{student}/assign",
        "",
        Some(Role::Counselor),
    ),
    ("GET", "/unconnected/export.csv", "", Some(Role::Counselor)),
    ("GET", "/take-ons", "", Some(Role::Counselor)),
    ("GET", "/take-ons/{takeon}", "", Some(Role::Staff)),
    ("GET", "/meeting", "", Some(Role::Staff)),
    (
        "POST",
        "/take-ons/volunteer",
        "student_id={student}&back=%2Funconnected",
        Some(Role::Staff),
    ),
    (
        "POST",
        "/take-ons/assign",
        "student_id={student}&staff_id={target}",
        Some(Role::Counselor),
    ),
    (
        "POST",
        "/take-ons/settings",
        "take_on_cap=5",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/take-ons/{takeon}/release",
        "reason=moved+classes",
        Some(Role::Staff),
    ),
    ("GET", "/coverage", "", Some(Role::Counselor)),
    ("GET", "/coverage/report", "", Some(Role::Counselor)),
    (
        "GET",
        "/coverage/export/grade.csv",
        "",
        Some(Role::Counselor),
    ),
    (
        "GET",
        "/coverage/export/over-the-term.csv",
        "",
        Some(Role::Counselor),
    ),
    ("GET", "/coverage/export/staff.csv", "", Some(Role::Admin)),
    (
        "POST",
        "/mark",
        "student_id={student}&level=strong&back=show%3Dmarked",
        Some(Role::Staff),
    ),
    (
        "POST",
        "/mark/concern",
        "student_id={student}&action=withdraw&back=",
        Some(Role::Staff),
    ),
    (
        "POST",
        "/admin/terms",
        "name=Summer+2031&starts_on=2031-06-20&ends_on=2031-08-10",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/admin/terms/{term}",
        "name=Renamed&starts_on=2031-09-01&ends_on=2031-12-20",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/admin/terms/{term}/pin",
        "pinned=1",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/admin/staff/add",
        "name=Sam+Lee&email=sam.lee%40demo.example&role=staff",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/admin/staff/{target}/role",
        "role=staff",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/admin/staff/{target}/active",
        "active=1",
        Some(Role::Admin),
    ),
    ("POST", "/admin/staff/{target}/link", "", Some(Role::Admin)),
    ("POST", "/admin/staff/import/cancel", "", Some(Role::Admin)),
];

/// Routes only one person may use: (method, path, form, who). `{takeon}`
/// is a take-on of the demo school whose adult is the staff visitor.
const OWNER_ROUTES: &[(&str, &str, &str, Visitor)] = &[(
    "POST",
    "/take-ons/{takeon}/check-in",
    "checked_on=2020-01-01&note=",
    Visitor::Staff,
)];

async fn browser_for(visitor: Visitor, router: &axum::Router) -> Browser {
    let mut browser = Browser::new(router.clone());
    let login = match visitor {
        Visitor::Anonymous => None,
        Visitor::Staff => Some((DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1)),
        Visitor::Counselor => Some((DEMO_ACCOUNTS[1].0, DEMO_ACCOUNTS[1].1)),
        Visitor::Admin => Some((DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1)),
        Visitor::OtherSchoolAdmin => Some(OTHER_ADMIN),
    };
    if let Some((email, password)) = login {
        let reply = browser.sign_in(email, password).await;
        assert_eq!(reply.location(), "/", "{visitor:?} signs in");
    }
    browser
}

/// A denial is 401 or 403, or 404 for another school's record.
fn denied_politely(status: StatusCode, elsewhere: bool) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        || (elsewhere && status == StatusCode::NOT_FOUND)
}

fn allowed(visitor: Visitor, rule: Option<Role>) -> bool {
    let role = match visitor {
        Visitor::Anonymous => return rule.is_none(),
        Visitor::Staff => Role::Staff,
        Visitor::Counselor => Role::Counselor,
        Visitor::Admin | Visitor::OtherSchoolAdmin => Role::Admin,
    };
    rule.is_none_or(|needed| role >= needed)
}

#[tokio::test]
async fn every_endpoint_allows_exactly_the_roles_in_the_table() {
    let (pool, demo) = demo_pool().await;
    other_school(&pool).await;
    let router = router(&pool, false);
    let token = app::staff::db::issue_link(&pool, demo.school_id, 1, Some(1), app::clock::now())
        .await
        .unwrap();
    let target: i64 = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE school_id = $1 AND user_id NOT IN
           (SELECT id FROM users WHERE email LIKE '%@demo.example' AND email NOT LIKE '%.%@demo.example')
         ORDER BY user_id LIMIT 1",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let student: i64 = sqlx::query_scalar(
        "SELECT id FROM students WHERE school_id = $1 AND is_active = 1 ORDER BY id LIMIT 1",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let term = app::terms::db::create(
        &pool,
        demo.school_id,
        &app::terms::db::Draft {
            name: "Fall 2031".into(),
            starts_on: "2031-09-01".into(),
            ends_on: "2031-12-20".into(),
        },
        0,
    )
    .await
    .unwrap();
    let staff_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(DEMO_ACCOUNTS[2].0)
        .fetch_one(&pool)
        .await
        .unwrap();
    let current_term: i64 = sqlx::query_scalar(
        "SELECT id FROM terms WHERE school_id = $1 AND starts_on <= date('now') AND ends_on >= date('now')",
    )
    .bind(demo.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let takeon: i64 = sqlx::query_scalar(
        "INSERT INTO take_ons (school_id, term_id, student_id, staff_id, started_at)
         VALUES ($1, $2, (SELECT MAX(id) FROM students WHERE school_id = $1 AND is_active = 1), $3, 0)
         RETURNING id",
    )
    .bind(demo.school_id)
    .bind(current_term)
    .bind(staff_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let fill = |template: &str| {
        template
            .replace("{token}", &token)
            .replace("{takeon}", &takeon.to_string())
            .replace("{target}", &target.to_string())
            .replace("{student}", &student.to_string())
            .replace("{term}", &term.to_string())
    };
    // Whether a row acts on the demo school's own people or terms.
    let of_demo_school = |template: &str| {
        ["{target}", "{student}", "{term}", "{takeon}"]
            .iter()
            .any(|placeholder| template.contains(placeholder))
    };

    // Every registered server function has a row, and every row a function.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let name_of = |path: &str| -> String {
        SERVER_FUNCTIONS
            .iter()
            // `/api/get_staff123…`: the function's name, then a hash.
            .find(|(name, _, _)| {
                path.trim_start_matches("/api/")
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    == *name
            })
            .map(|(name, _, _)| name.to_string())
            .unwrap_or_else(|| {
                panic!("server function {path} has no row in the authorization table")
            })
    };
    let covered: BTreeSet<String> = registered.iter().map(|path| name_of(path)).collect();
    assert_eq!(
        covered.len(),
        SERVER_FUNCTIONS.len(),
        "rows without a server function: {covered:?}"
    );

    let mut failures = Vec::new();
    for visitor in VISITORS {
        let mut browser = browser_for(visitor, &router).await;
        for path in &registered {
            let (_, args, rule) = *SERVER_FUNCTIONS
                .iter()
                .find(|(name, _, _)| *name == name_of(path))
                .unwrap();
            let elsewhere = visitor == Visitor::OtherSchoolAdmin && of_demo_school(args);
            let args = fill(args);
            let request = Request::builder()
                .method(Method::POST)
                .uri(path.as_str())
                .header("origin", ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(Body::from(args))
                .unwrap();
            let reply = browser.send(request).await;
            let expected = allowed(visitor, rule) && !elsewhere;
            let ok = reply.status == StatusCode::OK;
            if ok != expected {
                failures.push(format!(
                    "{visitor:?} {path}: {} (expected {})",
                    reply.status,
                    if expected { "allowed" } else { "denied" }
                ));
            } else if !ok && !denied_politely(reply.status, elsewhere) {
                failures.push(format!(
                    "{visitor:?} {path}: denied with {} instead of 401/403",
                    reply.status
                ));
            }
            if visitor == Visitor::OtherSchoolAdmin && reply.body.contains(&demo.school_name) {
                failures.push(format!(
                    "{path} showed another school's data to {visitor:?}"
                ));
            }
        }
        for (method, path, form, rule) in ROUTES {
            let elsewhere = visitor == Visitor::OtherSchoolAdmin
                && (of_demo_school(path) || of_demo_school(form));
            let path = fill(path);
            let request = Request::builder()
                .method(*method)
                .uri(path.as_str())
                .header("origin", ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(fill(form)))
                .unwrap();
            let reply = browser.send(request).await;
            // Another school's admin may use the routes, but never on this
            // school's people.
            let expected = allowed(visitor, *rule) && !elsewhere;
            let succeeded = if *method == "GET" {
                reply.status == StatusCode::OK
            } else {
                let back = reply.location();
                reply.status == StatusCode::SEE_OTHER
                    && (back.contains("notice=")
                        || back.contains("saved=")
                        || back.starts_with("/take-ons")
                        || back.starts_with("/unconnected")
                        || back == "/admin/terms"
                        || back == "/admin/import"
                        || back == "/admin/import/preview")
            };
            if succeeded != expected {
                failures.push(format!(
                    "{visitor:?} {method} {path}: {} {}",
                    reply.status,
                    reply.location()
                ));
            }
            if visitor == Visitor::OtherSchoolAdmin && reply.body.contains(&demo.school_name) {
                failures.push(format!(
                    "{path} showed another school's data to {visitor:?}"
                ));
            }
        }
        for (method, path, form, owner) in OWNER_ROUTES {
            let path = fill(path);
            let request = Request::builder()
                .method(*method)
                .uri(path.as_str())
                .header("origin", ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(fill(form)))
                .unwrap();
            let reply = browser.send(request).await;
            let succeeded =
                reply.status == StatusCode::SEE_OTHER && reply.location().starts_with("/take-ons");
            if succeeded != (visitor == *owner) {
                failures.push(format!(
                    "{visitor:?} {method} {path}: {} {}",
                    reply.status,
                    reply.location()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}

/// Another principal of the matrix: the admin of another school acting on
/// an account that belongs to both schools. Every staff route is open to
/// them for their own school's membership of the person, but none gives
/// them power over the account itself (its name, its password, a link
/// that sets one) or over the person's membership at the other school.
#[tokio::test]
async fn an_admin_of_another_school_has_no_power_over_a_shared_account() {
    let (pool, demo) = demo_pool().await;
    let other = other_school(&pool).await;
    // The demo school's counselor also works at Cedar Hollow.
    let (email, password, _) = DEMO_ACCOUNTS[1];
    let shared = app::accounts::db::upsert_member(&pool, email, "-", None, other, Role::Staff, 0)
        .await
        .unwrap();
    let account = || async {
        sqlx::query_as::<_, (String, Option<String>, String, bool)>(
            "SELECT u.name, u.password_hash, m.role, m.is_active FROM users u
             JOIN memberships m ON m.user_id = u.id AND m.school_id = $2 WHERE u.id = $1",
        )
        .bind(shared)
        .bind(demo.school_id)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = account().await;
    let router = router(&pool, false);
    let mut admin = browser_for(Visitor::OtherSchoolAdmin, &router).await;
    let target = shared.to_string();
    let attempts: &[(&str, &[(&str, &str)])] = &[
        (
            "/admin/staff/add",
            &[("name", "Mallory"), ("email", email), ("role", "admin")],
        ),
        ("/admin/staff/{target}/link", &[]),
        ("/admin/staff/{target}/role", &[("role", "admin")]),
        ("/admin/staff/{target}/active", &[("active", "0")]),
        ("/admin/staff/{target}/active", &[("active", "1")]),
        ("/admin/staff/{target}/unlock", &[]),
    ];
    for (path, form) in attempts {
        let path = path.replace("{target}", &target);
        let reply = admin.post_form(&path, form).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(account().await, before, "{path} changed the shared account");
    }
    let password_links: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sign_in_links WHERE user_id = $1 AND purpose <> 'join'",
    )
    .bind(shared)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(password_links, 0, "no link that sets a password");
    let mut owner = Browser::new(router);
    assert_eq!(owner.sign_in(email, password).await.location(), "/");
    let school = demo.school_id.to_string();
    owner.post_form("/school", &[("school_id", &school)]).await;
    assert_eq!(
        owner.get("/unconnected").await.status,
        StatusCode::OK,
        "still the demo school's counselor"
    );
}
