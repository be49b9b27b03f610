//! Server functions of the staff pages. Changes go through plain form
//! routes (`server/src/staff.rs`) so they work without JavaScript.

use leptos::prelude::*;

use super::StaffOverview;
use crate::AppError;

/// The school's staff (admins only), with any sign-in locks, and a link
/// issued a moment ago, once.
#[server]
pub async fn get_staff(search: String) -> Result<StaffOverview, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::db()?;
    let mut staff = super::db::list(&pool, member.school_id, &search).await?;
    if let Some(throttle) = use_context::<std::sync::Arc<crate::accounts::throttle::Throttle>>() {
        let now = std::time::Instant::now();
        // An invitation gives this school no view of the account's sign-in.
        for person in staff.iter_mut().filter(|person| !person.pending) {
            person.locks = throttle
                .locks(&person.email, now)
                .into_iter()
                .map(|lock| {
                    let minutes = lock.remaining.as_secs().div_ceil(60);
                    match lock.address {
                        Some(address) => format!("from {address}, {minutes} more minutes"),
                        None => format!("{minutes} more minutes"),
                    }
                })
                .collect();
        }
    }
    let headers: axum::http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    // Only a link to this site's own welcome page is shown: a cookie could
    // have been planted by someone else (a sibling host, a plain-http hop).
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let issued_link = super::issued_link_from(&headers).filter(|link| {
        link.path
            .split_once("://")
            .and_then(|(_, rest)| rest.strip_prefix(host)?.strip_prefix("/welcome/"))
            .is_some_and(|token| {
                !token.is_empty()
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
    });
    if issued_link.is_some() {
        // Shown once: the cookie that carried it is cleared.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let clear = format!(
                "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                super::ISSUED_LINK_COOKIE
            );
            if let Ok(clear) = axum::http::HeaderValue::from_str(&clear) {
                response.append_header(axum::http::header::SET_COOKIE, clear);
            }
        }
    }
    Ok(StaffOverview {
        staff,
        issued_link,
        me: member.user_id,
    })
}

/// The session key under which a parsed staff file waits for confirmation.
pub const IMPORT_KEY: &str = "staff_import";

/// The staff file being previewed (admins only), if any.
#[server]
pub async fn get_staff_import() -> Result<Option<super::import::StaffImport>, AppError> {
    use crate::accounts::{gate, Role};
    gate::require(Role::Admin).await?;
    let session = gate::current_session().await?;
    session
        .get::<super::import::StaffImport>(IMPORT_KEY)
        .await
        .map_err(|_| AppError::Database)
}

/// Whom a sign-in link is for and what it does (anyone holding the link
/// may ask).
#[server]
pub async fn get_link_holder(token: String) -> Result<super::LinkView, AppError> {
    let pool = crate::state::db()?;
    let holder = super::db::link_holder(&pool, &token, crate::clock::now()).await?;
    Ok(super::LinkView {
        name: holder.name,
        email: holder.email,
        joins: (holder.purpose == "join").then_some(holder.school_name),
        has_password: holder.has_password,
    })
}
