//! The router answers as a browser and a monitor expect, tested in-process.

use app::demo::{generate, DemoOptions};
use app::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;
use tower::ServiceExt;

async fn empty_pool() -> SqlitePool {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(app::db::connect_options("sqlite::memory:").unwrap())
        .await
        .unwrap();
    app::db::MIGRATOR.run(&pool).await.unwrap();
    pool
}

fn state(pool: SqlitePool) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder()
            .output_name("tether")
            .site_root("target/site")
            .build(),
        pool,
    }
}

async fn get(pool: &SqlitePool, path: &str) -> (StatusCode, String) {
    let response = server::routes::router(state(pool.clone()))
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        without_hydration_markers(&String::from_utf8_lossy(&body)),
    )
}

/// The page without the comments Leptos leaves for hydration (`<!>`,
/// `<!--…-->`), so tests can read the markup a person would see.
fn without_hydration_markers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|i| i + 3)
        } else if after.starts_with("<!>") {
            Some(3)
        } else {
            // <!DOCTYPE html> and the like are kept.
            out.push_str("<!");
            Some(2)
        };
        rest = &after[end.unwrap_or(after.len())..];
        if end.is_none() {
            break;
        }
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers() {
    let pool = empty_pool().await;
    assert_eq!(
        get(&pool, "/healthz").await,
        (StatusCode::OK, "ok\n".to_string())
    );
    pool.close().await;
    let (status, _) = get(&pool, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_home_page_shows_the_school_server_side() {
    let pool = empty_pool().await;
    let summary = generate(
        &pool,
        &DemoOptions {
            students: 120,
            staff: 10,
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap();
    let (status, html) = get(&pool, "/").await;
    assert_eq!(status, StatusCode::OK);
    let escaped_name = summary.school_name.replace('\'', "&#x27;");
    assert!(html.contains(&format!("<h1>{escaped_name}</h1>")), "{html}");
    assert!(html.contains("Active students"), "{html}");
    assert!(
        html.contains(&format!("<dd>{}</dd>", summary.students)),
        "{html}"
    );
    assert!(html.contains("Current term"));
    assert!(
        html.contains("<main id=\"main\""),
        "landmark for the content"
    );
    assert!(
        html.contains("<nav aria-label=\"Main\""),
        "landmark for navigation"
    );
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("<title>Home · Tether</title>"), "{html}");
}

#[tokio::test]
async fn an_empty_database_says_how_to_get_started() {
    let pool = empty_pool().await;
    let (status, html) = get(&pool, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No school has been set up"), "{html}");
    assert!(html.contains("tether serve --demo"), "{html}");
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let pool = empty_pool().await;
    let (status, html) = get(&pool, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("We couldn&#x27;t find that page")
            || html.contains("We couldn't find that page"),
        "{html}"
    );
    assert!(html.contains("href=\"/\""), "a way back home");
}

#[tokio::test]
async fn a_database_failure_shows_the_error_page_not_a_blank_screen() {
    let pool = empty_pool().await;
    pool.close().await;
    let (status, html) = get(&pool, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("Something went wrong"), "{html}");
    assert!(
        html.contains("couldn&#x27;t reach its database")
            || html.contains("couldn't reach its database"),
        "{html}"
    );
}
