//! What every request handler can reach: the Leptos options and the one
//! database handle.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
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

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// The database inside a server function. The server provides it as
/// context on every request; its absence is a wiring bug, reported as an
/// internal error.
pub fn db() -> Result<Db, crate::AppError> {
    leptos::prelude::use_context::<Db>().ok_or_else(|| {
        tracing::error!("no database in context");
        crate::AppError::Internal
    })
}
