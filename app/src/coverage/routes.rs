//! CSV exports of the coverage dashboard (counselors and admins; the staff
//! table for admins only). Every export is recorded in the audit log.

use crate::accounts::Role;
use crate::audit::db::{record, Event};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::http::Counselor;

pub async fn export(
    Counselor(member): Counselor,
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Response {
    let Some(name) = file
        .strip_suffix(".csv")
        .filter(|name| crate::coverage::EXPORTS.iter().any(|(n, _)| n == name))
    else {
        return AppError::NotFound.into_response();
    };
    if name == "staff" && !member.can(Role::Admin) {
        return AppError::Forbidden.into_response();
    }
    let now = crate::clock::now();
    let today = crate::clock::today();
    let dashboard = match crate::coverage::figures::dashboard(&state.db, &member, today, now).await
    {
        Ok(dashboard) => dashboard,
        Err(error) => return error.into_response(),
    };
    let Some(csv) = dashboard.csv(name) else {
        return AppError::NotFound.into_response();
    };
    let event = Event {
        detail: dashboard.term.as_ref().map(|t| t.name.clone()),
        ..Event::by(
            &member,
            "coverage.exported",
            Some(format!("coverage:{name}")),
        )
    };
    if let Err(error) = record(&state.db, event, now).await {
        return error.into_response();
    }
    let file_name = format!(
        "tether-coverage-{name}-{}.csv",
        crate::clock::day_to_string(today)
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response()
}

/// The dashboard's CSV exports.
pub fn routes() -> Router<AppState> {
    Router::new().route("/coverage/export/{file}", get(export))
}
