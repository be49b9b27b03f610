//! CSV exports of the coverage dashboard (counselors and admins; the staff
//! table for admins only). Every export is recorded in the audit log.

use app::accounts::Role;
use app::audit::db::{record, Event};
use app::state::AppState;
use app::AppError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::auth::{error_response, require_role};

pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(file): Path<String>,
) -> Response {
    let member = match require_role(&session, &state, Role::Counselor).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Some(name) = file
        .strip_suffix(".csv")
        .filter(|name| app::coverage::EXPORTS.iter().any(|(n, _)| n == name))
    else {
        return error_response(AppError::NotFound);
    };
    if name == "staff" && !member.can(Role::Admin) {
        return error_response(AppError::Forbidden);
    }
    let now = app::clock::now();
    let today = app::clock::today();
    let dashboard = match app::coverage::figures::dashboard(&state.db, &member, today, now).await {
        Ok(dashboard) => dashboard,
        Err(error) => return error_response(error),
    };
    let Some(csv) = dashboard.csv(name) else {
        return error_response(AppError::NotFound);
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
        return error_response(error);
    }
    let file_name = format!(
        "tether-coverage-{name}-{}.csv",
        app::clock::day_to_string(today)
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
