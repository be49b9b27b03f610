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
const SERVER_FUNCTIONS: &[(&str, Option<Role>)] = &[
    ("get_me", None),
    ("get_sign_in_info", None),
    ("get_home_summary", Some(Role::Staff)),
];

/// Plain routes and pages: (method, path, who may use it).
const ROUTES: &[(&str, &str, Option<Role>)] = &[
    ("GET", "/healthz", None),
    ("GET", "/login", None),
    ("GET", "/", Some(Role::Staff)),
];

const OTHER_ADMIN: (&str, &str) = ("principal@cedar.example", "cedar hollow principal");

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
    let other = app::schools::db::create(&pool, "Cedar Hollow Middle School", 0)
        .await
        .unwrap();
    let hash = app::accounts::password::hash(OTHER_ADMIN.1.into())
        .await
        .unwrap();
    app::accounts::db::upsert_member(
        &pool,
        OTHER_ADMIN.0,
        "Robin Okafor",
        Some(&hash),
        other.id,
        Role::Admin,
        0,
    )
    .await
    .unwrap();
    let router = router(&pool, false);

    // Every registered server function has a row, and every row a function.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let name_of = |path: &str| -> String {
        SERVER_FUNCTIONS
            .iter()
            .find(|(name, _)| path.trim_start_matches("/api/").starts_with(name))
            .map(|(name, _)| name.to_string())
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
            let rule = SERVER_FUNCTIONS
                .iter()
                .find(|(name, _)| *name == name_of(path))
                .unwrap()
                .1;
            let request = Request::builder()
                .method(Method::POST)
                .uri(path.as_str())
                .header("origin", ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(Body::empty())
                .unwrap();
            let reply = browser.send(request).await;
            let expected = allowed(visitor, rule);
            let ok = reply.status == StatusCode::OK;
            if ok != expected {
                failures.push(format!(
                    "{visitor:?} {path}: {} (expected {})",
                    reply.status,
                    if expected { "allowed" } else { "denied" }
                ));
            } else if !ok
                && !matches!(
                    reply.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                )
            {
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
        for (method, path, rule) in ROUTES {
            let request = Request::builder()
                .method(*method)
                .uri(*path)
                .body(Body::empty())
                .unwrap();
            let reply = browser.send(request).await;
            let expected = allowed(visitor, *rule);
            if (reply.status == StatusCode::OK) != expected {
                failures.push(format!("{visitor:?} {method} {path}: {}", reply.status));
            }
            if visitor == Visitor::OtherSchoolAdmin && reply.body.contains(&demo.school_name) {
                failures.push(format!(
                    "{path} showed another school's data to {visitor:?}"
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
