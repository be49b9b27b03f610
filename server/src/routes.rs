//! The HTTP router: Leptos pages and server functions, static files, each
//! feature's form routes, the health check, and the layers every request
//! passes through.

use app::app::{shell, App};
use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Idle time after which a session ends.
pub const IDLE_EXPIRY: time::Duration = time::Duration::hours(8);
/// Largest request body accepted (forms and server functions; roster
/// uploads will get their own, larger limit).
const BODY_LIMIT: usize = 256 * 1024;

/// The app's routes, found once per process. Finding them runs the app
/// with resource loading switched off process-wide (a global flag in
/// leptos_server), so a page rendering on another thread at that moment
/// would wait forever: it must never happen while pages are served, as it
/// did when each test built its own router.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as one axum router, ready to serve or to test with
/// `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let db = state.db.clone();
        let throttle = state.throttle.clone();
        move || {
            provide_context(db.clone());
            provide_context(throttle.clone());
        }
    };
    let options = state.leptos_options.clone();
    let sessions = SessionManagerLayer::new(app::db::cached_session_store(&state.db))
        .with_name("tether_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(IDLE_EXPIRY));
    // Roster files are large: their route has its own body limit.
    let uploads = app::roster::routes::uploads().layer(
        tower_http::limit::RequestBodyLimitLayer::new(app::roster::routes::UPLOAD_LIMIT),
    );
    // Each feature's form routes (`app/src/<feature>/routes.rs`).
    let features = Router::new()
        .merge(app::accounts::routes::routes())
        .merge(app::staff::routes::routes())
        .merge(app::roster::routes::routes())
        .merge(app::connections::routes::routes())
        .merge(app::coverage::routes::routes())
        .merge(app::takeons::routes::routes())
        .merge(app::terms::routes::routes());
    Router::new()
        .route("/healthz", get(healthz))
        .merge(features)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(uploads)
        .layer(middleware::from_fn(
            crate::security::require_sign_in_for_pages,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::same_origin_only,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::headers,
        ))
        .with_state(state)
}

/// 200 when the database answers a query, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if app::db::is_healthy(&state.db).await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}
