//! The one error type of the app.
//!
//! Server functions return `Result<T, AppError>`; the error crosses the wire
//! as JSON, so the browser shows the same message the server chose. Messages
//! are written for the person in front of the screen: they say what happened
//! and what to do next, never an internal detail.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The thing asked for does not exist in this school (or not at all):
    /// the two are indistinguishable on purpose, so ids of other schools
    /// leak nothing.
    #[error("We couldn't find that page or record. It may have been removed, or the link may be mistyped.")]
    NotFound,

    /// Nobody is signed in (or the session ended): the person should sign in.
    #[error("Please sign in to continue.")]
    Unauthorized,

    /// Signed in, but the role at this school does not allow this.
    #[error("Your role at this school doesn't include this page or action. If you need it, ask your school's Tether admin.")]
    Forbidden,

    /// The request is understood but its content is wrong; the message says
    /// which field and how to fix it.
    #[error("{0}")]
    Invalid(String),

    /// The database could not be reached or failed. Details go to the server
    /// log, not to the user.
    #[error("Tether couldn't reach its database just now. Please try again in a moment; if this keeps happening, tell your school's IT contact.")]
    Database,

    /// The browser could not reach the server (network down, server
    /// restarting). Produced on the client side of a server function.
    #[error("Tether can't reach the server. Check your connection; your page will work again once it's back.")]
    Unreachable,

    /// Anything else unexpected. Details go to the server log.
    #[error("Something went wrong on our side. Please try again; if this keeps happening, tell your school's IT contact.")]
    Internal,
}

impl AppError {
    /// The HTTP status a plain (non-server-function) route answers with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Invalid(_) => 422,
            AppError::Database | AppError::Unreachable => 503,
            AppError::Internal => 500,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Gives the response being rendered (a page or a server function)
    /// this error's status code.
    pub fn set_response_status(&self) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(self.status_code()) {
                response.set_status(status);
            }
        }
    }
}

/// Said when a server function's arguments cannot be read.
const MALFORMED: &str =
    "The form was incomplete or malformed. Please reload the page and try again.";

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                malformed_request(&detail)
            }
            // On the server: a request body that cannot be read as text. In
            // the browser it is an answer that cannot be read: `Internal`.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => malformed_request(&detail),
            _ => AppError::Internal,
        }
    }
}

/// Arguments that cannot be read are the sender's mistake: the answer is
/// 400, not the 500 server_fn gives every error, and serde's text (which
/// names the app's types and fields) goes to the log only. Server_fn reads
/// the arguments inside the request's reactive owner, so the response
/// options are at hand, and leptos_axum applies their status last.
#[cfg(feature = "ssr")]
fn malformed_request(detail: &str) -> AppError {
    tracing::info!(%detail, "malformed server function arguments");
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::BAD_REQUEST);
    }
    AppError::Invalid(MALFORMED.into())
}

/// In the browser there is no response to give a status.
#[cfg(not(feature = "ssr"))]
fn malformed_request(_detail: &str) -> AppError {
    AppError::Invalid(MALFORMED.into())
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Database
            }
        }
    }
}
