//! Form routes of roster import (admins): upload a file, confirm or cancel
//! its preview, download the template. Each answers with a redirect, so the
//! pages work with and without JavaScript.

use crate::audit::db::{record, Event};
use crate::roster::db::{self, Draft, Importer};
use crate::roster::parse::{roster, Field, Problem, MAX_FILE_BYTES};
use crate::roster::{Mode, FLASH_KEY, TEMPLATE_CSV};
use crate::state::AppState;
use crate::terms::Flash;
use crate::AppError;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::http::{back_with_flash, back_with_outcome, Admin};

/// Largest upload accepted on the roster route (the file, plus the form).
pub const UPLOAD_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

async fn back_with(session: &Session, to: &str, flash: Flash) -> Response {
    back_with_flash(session, FLASH_KEY, to, flash).await
}

pub async fn upload(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut mode = Mode::Full;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    let name = field.file_name().unwrap_or("roster.csv").to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(_) => {
                            let text = format!("The file could not be received; the largest roster Tether accepts is {} MB.", MAX_FILE_BYTES / (1024 * 1024));
                            return back_with(&session, "/admin/import", Flash::Problem(text))
                                .await;
                        }
                    }
                }
                Some("mode") => mode = Mode::parse(&field.text().await.unwrap_or_default()),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                let text = format!(
                    "The upload could not be read; the largest roster Tether accepts is {} MB.",
                    MAX_FILE_BYTES / (1024 * 1024)
                );
                return back_with(&session, "/admin/import", Flash::Problem(text)).await;
            }
        }
    }
    let Some((file_name, content)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return back_with(
            &session,
            "/admin/import",
            Flash::Problem("Choose a roster file first.".into()),
        )
        .await;
    };
    // A file that cannot be used at all is refused here, with the reason;
    // one whose columns are not recognised goes on to the mapping step.
    let mapping = match db::mapping(&state.db, admin.school_id).await {
        Ok(mapping) => mapping,
        Err(error) => return error.into_response(),
    };
    if let Err(Problem::Unusable(problem)) = roster(&file_name, &content, &mapping, None) {
        return back_with(
            &session,
            "/admin/import",
            Flash::Problem(format!("{file_name}: {problem}")),
        )
        .await;
    }
    let draft = Draft {
        file_name,
        mode,
        content,
        source_school: None,
    };
    match db::save_draft(
        &state.db,
        admin.school_id,
        admin.user_id,
        &draft,
        crate::clock::now(),
    )
    .await
    {
        Ok(()) => Redirect::to("/admin/import/preview").into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    deactivate_many: String,
}

pub async fn confirm(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let now = crate::clock::now();
    let outcome = async {
        let draft = db::load_draft(&state.db, admin.school_id, admin.user_id)
            .await?
            .ok_or_else(|| AppError::Invalid("No file is waiting: upload it again.".into()))?;
        let mapping = db::mapping(&state.db, admin.school_id).await?;
        let parsed = roster(
            &draft.file_name,
            &draft.content,
            &mapping,
            draft.source_school.as_deref(),
        )
        .map_err(|problem| AppError::Invalid(problem.to_string()))?;
        let preview = db::preview(
            &state.db,
            admin.school_id,
            &parsed,
            draft.mode,
            &draft.file_name,
        )
        .await?;
        if preview.needs_extra_confirmation() && form.deactivate_many != "yes" {
            return Err(AppError::Invalid(format!(
                "Nothing was imported: this file would deactivate {} students, so tick the box that confirms it.",
                preview.deactivated.len()
            )));
        }
        let done = db::apply(
            &state.db,
            admin.school_id,
            &parsed,
            draft.mode,
            &draft.file_name,
            Importer {
                user_id: Some(admin.user_id),
            },
            now,
        )
        .await?;
        db::delete_draft(&state.db, admin.school_id, admin.user_id).await?;
        let event = Event {
            detail: Some(format!("{}: {}", draft.file_name, done.counts())),
            ..Event::by(&admin, "roster.imported", None)
        };
        record(&state.db, event, now).await?;
        Ok(format!("Imported {}: {}.", draft.file_name, done.counts()))
    };
    back_with_outcome(&session, FLASH_KEY, "/admin/import", outcome.await).await
}

/// The column-mapping step: each field names a column of the waiting file
/// (or nothing). Remembered for the school's next imports.
pub async fn map_columns(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let outcome = async {
        let draft = db::load_draft(&state.db, admin.school_id, admin.user_id)
            .await?
            .ok_or_else(|| AppError::Invalid("No file is waiting: upload it again.".into()))?;
        let headers = crate::roster::parse::headers(&draft.content).map_err(AppError::Invalid)?;
        for field in Field::ALL {
            let Some(column) = form
                .get(field.label())
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
            else {
                continue;
            };
            if !headers.iter().any(|h| h == column) {
                return Err(AppError::Invalid(format!(
                    "The file has no column called “{column}”."
                )));
            }
            db::remember(&state.db, admin.school_id, column, field).await?;
        }
        Ok(())
    };
    match outcome.await {
        Ok(()) => Redirect::to("/admin/import/preview").into_response(),
        Err(AppError::Invalid(text)) => {
            back_with(&session, "/admin/import", Flash::Problem(text)).await
        }
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct SourceForm {
    source_school: String,
}

/// Which school of a district package is this one.
pub async fn choose_source(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Form(form): Form<SourceForm>,
) -> Response {
    match db::choose_source_school(
        &state.db,
        admin.school_id,
        admin.user_id,
        form.source_school.trim(),
    )
    .await
    {
        Ok(()) => Redirect::to("/admin/import/preview").into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn cancel(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
) -> Response {
    match db::delete_draft(&state.db, admin.school_id, admin.user_id).await {
        Ok(()) => {
            back_with(
                &session,
                "/admin/import",
                Flash::Done("Nothing was imported.".into()),
            )
            .await
        }
        Err(error) => error.into_response(),
    }
}

/// Tether's roster template (anyone signed in may download it).
pub async fn template() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tether-roster-template.csv\"",
            ),
        ],
        TEMPLATE_CSV,
    )
        .into_response()
}

/// The import page's forms, except the upload.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/import/confirm", post(confirm))
        .route("/admin/import/cancel", post(cancel))
        .route("/admin/import/mapping", post(map_columns))
        .route("/admin/import/source", post(choose_source))
        .route("/admin/import/template.csv", get(template))
}

/// The upload of a roster file: large, so with its own body limit (the
/// other routes keep the server's small one; the server also caps the
/// body itself at [`UPLOAD_LIMIT`]).
pub fn uploads() -> Router<AppState> {
    Router::new()
        .route("/admin/import", post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
}
