//! What every feature's form routes share (`<feature>/routes.rs`): the
//! role extractors that run the one authorization gate, errors that answer
//! HTTP themselves (as the app's own page), and the redirect back to a page
//! with its outcome shown once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::accounts::{gate, Member, Role};
use crate::state::AppState;
use crate::terms::Flash;
use crate::AppError;

/// An error as a plain route's answer: its status and the app's error page
/// with the message written for the person.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            error_page(&self),
        )
            .into_response()
    }
}

/// The error page of a plain route: the app's stylesheet and the same
/// message page the app shows, with a way back.
fn error_page(error: &AppError) -> String {
    let title = match error {
        AppError::NotFound => "Not found",
        AppError::Unauthorized => "Please sign in",
        AppError::Forbidden => "Not part of your role",
        AppError::Invalid(_) => "That couldn't be saved",
        AppError::Database | AppError::Unreachable | AppError::Internal => "Something went wrong",
    };
    let (href, back) = match error {
        AppError::Unauthorized => ("/login", "Sign in"),
        _ => ("/", "Go to the home page"),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Tether</title><link rel=\"stylesheet\" href=\"/pkg/tether.css\"></head>\
         <body><main id=\"main\"><section class=\"message-page\" aria-labelledby=\"error-title\">\
         <h1 id=\"error-title\">{title}</h1><p>{message}</p><p><a href=\"{href}\">{back}</a></p>\
         </section></main></body></html>\n",
        message = escape(&error.to_string()),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The gate for plain routes: the signed-in member with at least `role`,
/// or the answer to send instead (sign in again, or 403).
async fn member_with(parts: &mut Parts, state: &AppState, role: Role) -> Result<Member, Response> {
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    match gate::member_from_session(&session, &state.db, crate::clock::now()).await {
        Ok(member) if member.can(role) => Ok(member),
        Ok(_) => Err(AppError::Forbidden.into_response()),
        Err(AppError::Unauthorized) => Err(Redirect::to("/login?error=expired").into_response()),
        Err(error) => Err(error.into_response()),
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        pub struct $name(pub Member);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Response;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Response> {
                member_with(parts, state, $role).await.map($name)
            }
        }
    };
}

role_extractor!(
    /// A signed-in member of any role (staff and up).
    Staff,
    Role::Staff
);
role_extractor!(
    /// A signed-in counselor or admin.
    Counselor,
    Role::Counselor
);
role_extractor!(
    /// A signed-in admin.
    Admin,
    Role::Admin
);

/// Back to the page `to`, with `flash` shown there once (kept in the session
/// under the page's `key`).
pub async fn back_with_flash(session: &Session, key: &str, to: &str, flash: Flash) -> Response {
    if session.insert(key, flash).await.is_err() {
        return AppError::Database.into_response();
    }
    Redirect::to(to).into_response()
}

/// Back to the page `to` with the outcome of a form shown once: done, or a
/// problem the person can fix there; anything else gets its error page.
pub async fn back_with_outcome(
    session: &Session,
    key: &str,
    to: &str,
    outcome: Result<String, AppError>,
) -> Response {
    let flash = match outcome {
        Ok(text) => Flash::Done(text),
        Err(AppError::Invalid(text)) => Flash::Problem(text),
        Err(error) => return error.into_response(),
    };
    back_with_flash(session, key, to, flash).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_page_escapes_its_message() {
        let page = error_page(&AppError::Invalid(
            "<script>alert(1)</script> & more".into(),
        ));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!page.contains("<script>"));
    }
}
