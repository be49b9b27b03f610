//! Form routes of the marking page, for browsers without JavaScript: each
//! saves, then redirects back to the same filters and page, scrolled to the
//! row just changed (`/mark?…&saved=ID#student-ID`).

use crate::connections::{marking, parse_choice, MarkFilters};
use crate::state::AppState;
use crate::AppError;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Form;
use axum::Router;
use serde::Deserialize;

use crate::http::Staff;

#[derive(Deserialize)]
pub struct MarkForm {
    student_id: i64,
    level: String,
    #[serde(default)]
    back: String,
}

#[derive(Deserialize)]
pub struct ConcernForm {
    student_id: i64,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// The marking page with the filters the form came from. The filters are
/// read and written again, so `back` can only ever lead to `/mark`.
fn back_to_row(back: &str, student_id: i64) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(back).unwrap_or_default();
    let filters =
        MarkFilters::from_pairs(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
    let query = filters.to_query();
    let separator = if query.is_empty() { "" } else { "&" };
    Redirect::to(&format!(
        "/mark?{query}{separator}saved={student_id}#student-{student_id}"
    ))
    .into_response()
}

fn today() -> String {
    crate::clock::day_to_string(crate::clock::today())
}

pub async fn mark(
    Staff(member): Staff,
    State(state): State<AppState>,
    Form(form): Form<MarkForm>,
) -> Response {
    let Some(level) = parse_choice(&form.level) else {
        return AppError::Invalid("A mark is strong, knows or none.".into()).into_response();
    };
    let now = crate::clock::now();
    match marking::mark(&state.db, &member, form.student_id, level, now, &today()).await {
        Ok(_) => back_to_row(&form.back, form.student_id),
        Err(error) => error.into_response(),
    }
}

pub async fn concern(
    Staff(member): Staff,
    State(state): State<AppState>,
    Form(form): Form<ConcernForm>,
) -> Response {
    let raise = form.action != "withdraw";
    let now = crate::clock::now();
    let outcome = marking::concern(
        &state.db,
        &member,
        form.student_id,
        raise,
        &form.reason,
        now,
        &today(),
    )
    .await;
    match outcome {
        Ok(_) => back_to_row(&form.back, form.student_id),
        Err(error) => error.into_response(),
    }
}

/// The marking page's forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(super::MARK_PATH, post(mark))
        .route(super::CONCERN_PATH, post(concern))
}
