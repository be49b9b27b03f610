//! Form routes of take-ons (volunteer, assign, check in, release, the
//! school's settings) and the unconnected list's CSV export. Each answers
//! with a redirect back to a page that shows the outcome once.

use crate::accounts::Member;
use crate::audit::db::{record, Event};
use crate::state::AppState;
use crate::takeons::{db, ListFilters, FLASH_KEY};
use crate::terms::Term;
use crate::AppError;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Form;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::http::{back_with_outcome, Admin, Counselor, Staff};

async fn open_term(state: &AppState, member: &Member) -> Result<Term, AppError> {
    let today = crate::clock::day_to_string(crate::clock::today());
    crate::terms::db::current(&state.db, member.school_id, &today)
        .await?
        .ok_or_else(|| AppError::Invalid("No term is current; an admin can add or pin one.".into()))
}

/// `staff_id` takes `student_id` on in the current term. Another school's
/// student is not found, whatever else is wrong.
async fn start(
    state: &AppState,
    member: &Member,
    student_id: i64,
    staff_id: i64,
) -> Result<db::Started, AppError> {
    crate::connections::marking::active_student(&state.db, member.school_id, student_id).await?;
    let term = open_term(state, member).await?;
    db::start(
        &state.db,
        member,
        &term,
        student_id,
        staff_id,
        crate::clock::now(),
    )
    .await
}

#[derive(Deserialize)]
pub struct VolunteerForm {
    student_id: i64,
    /// The unconnected list the form came from (its address), if any.
    #[serde(default)]
    back: String,
}

/// Only addresses of the unconnected list are followed back.
fn list_address(back: &str) -> Option<String> {
    let query = back.strip_prefix("/unconnected")?;
    let query = query.strip_prefix('?').unwrap_or(query);
    if !query.is_empty() && back.len() == "/unconnected".len() + query.len() {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    let filters =
        ListFilters::from_pairs(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
    Some(filters.href())
}

pub async fn volunteer(
    Staff(member): Staff,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<VolunteerForm>,
) -> Response {
    let started = start(&state, &member, form.student_id, member.user_id).await;
    let to = match (list_address(&form.back), &started) {
        (Some(list), _) => format!("{list}#student-{}", form.student_id),
        (None, Ok(started)) => format!("/take-ons/{}", started.id),
        (None, Err(_)) => "/".to_string(),
    };
    back_with_outcome(&session, FLASH_KEY, &to, started.map(|s| s.message(true))).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    student_id: i64,
    staff_id: i64,
}

pub async fn assign(
    Counselor(member): Counselor,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<AssignForm>,
) -> Response {
    let outcome = start(&state, &member, form.student_id, form.staff_id)
        .await
        .map(|s| s.message(false));
    back_with_outcome(&session, FLASH_KEY, "/unconnected", outcome).await
}

#[derive(Deserialize)]
pub struct CheckInForm {
    checked_on: String,
    #[serde(default)]
    note: String,
}

pub async fn check_in(
    Staff(member): Staff,
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CheckInForm>,
) -> Response {
    let outcome = db::check_in(
        &state.db,
        &member,
        id,
        &form.checked_on,
        &form.note,
        crate::clock::today(),
        crate::clock::now(),
    )
    .await
    .map(|t| {
        format!(
            "Check-in logged for {} (day {} of 10).",
            t.student_name, t.check_in_days
        )
    });
    back_with_outcome(&session, FLASH_KEY, &format!("/take-ons/{id}"), outcome).await
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    reason: String,
}

pub async fn release(
    Staff(member): Staff,
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ReleaseForm>,
) -> Response {
    let outcome = db::release(
        &state.db,
        &member,
        id,
        &form.reason,
        crate::clock::today(),
        crate::clock::now(),
    )
    .await
    .map(|t| {
        format!(
            "Released {}. A counselor will find someone else.",
            t.student_name
        )
    });
    back_with_outcome(&session, FLASH_KEY, &format!("/take-ons/{id}"), outcome).await
}

#[derive(Deserialize)]
pub struct SettingsForm {
    take_on_cap: String,
    #[serde(default)]
    meeting_names: Option<String>,
}

pub async fn settings(
    Admin(member): Admin,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SettingsForm>,
) -> Response {
    let outcome = match form.take_on_cap.trim().parse::<i64>() {
        Ok(cap) => db::set_settings(
            &state.db,
            &member,
            db::Settings {
                take_on_cap: cap,
                meeting_names: form.meeting_names.is_some(),
            },
            crate::clock::now(),
        )
        .await
        .map(|_| "Settings saved.".to_string()),
        Err(_) => Err(AppError::Invalid(
            "The limit must be a whole number between 1 and 50.".into(),
        )),
    };
    back_with_outcome(&session, FLASH_KEY, "/take-ons", outcome).await
}

/// The unconnected list, every page, with the filters of the address.
pub async fn export(
    Counselor(member): Counselor,
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let filters =
        ListFilters::from_pairs(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
    let today = crate::clock::day_to_string(crate::clock::today());
    let term = match crate::terms::db::current(&state.db, member.school_id, &today).await {
        Ok(term) => term,
        Err(error) => return error.into_response(),
    };
    // Without a current term nobody is marked: the header alone.
    let csv = match &term {
        Some(term) => db::unconnected_csv(&state.db, member.school_id, term, &filters).await,
        None => Ok(db::CSV_HEADER.to_string()),
    };
    let csv = match csv {
        Ok(csv) => csv,
        Err(error) => return error.into_response(),
    };
    let now = crate::clock::now();
    let event = Event {
        detail: Some(format!(
            "{}: {}",
            term.map(|t| t.name).unwrap_or_default(),
            filters.to_query()
        )),
        ..Event::by(
            &member,
            "unconnected.exported",
            Some("unconnected:list".into()),
        )
    };
    if let Err(error) = record(&state.db, event, now).await {
        return error.into_response();
    }
    let file_name = format!(
        "tether-unconnected-{}.csv",
        crate::clock::day_to_string(crate::clock::today())
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

/// The unconnected list's export and the take-on forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/unconnected/export.csv", get(export))
        .route("/take-ons/volunteer", post(volunteer))
        .route("/take-ons/assign", post(assign))
        .route("/take-ons/settings", post(settings))
        .route("/take-ons/{id}/check-in", post(check_in))
        .route("/take-ons/{id}/release", post(release))
}
