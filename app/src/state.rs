//! What every request handler can reach: the Leptos options and the one
//! database pool.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: SqlitePool,
    /// Failed sign-ins, shared by every request.
    pub throttle: Arc<crate::accounts::throttle::Throttle>,
    /// Whether cookies carry `Secure` (off only for plain-http local use).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client; from
    /// anyone else the header is ignored (it could be forged).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for SqlitePool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// The pool inside a server function. The server provides it as context on
/// every request; its absence is a wiring bug, reported as an internal error.
pub fn pool() -> Result<SqlitePool, crate::AppError> {
    leptos::prelude::use_context::<SqlitePool>().ok_or_else(|| {
        tracing::error!("no database pool in context");
        crate::AppError::Internal
    })
}
