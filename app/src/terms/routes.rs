//! Form routes of the terms page (admins). Each answers with a redirect back
//! to `/admin/terms` and leaves the outcome in the session, so the same forms
//! work with and without JavaScript.

use crate::audit::db::{record, Event};
use crate::state::AppState;
use crate::terms::{db, FLASH_KEY};
use crate::AppError;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Form;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::http::{back_with_outcome, Admin};

#[derive(Deserialize)]
pub struct TermForm {
    name: String,
    starts_on: String,
    ends_on: String,
}

impl TermForm {
    fn draft(self) -> db::Draft {
        db::Draft {
            name: self.name,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

#[derive(Deserialize)]
pub struct PinForm {
    pinned: String,
}

/// Back to the terms page with `outcome` shown once; errors the admin can
/// fix are shown there too, anything else gets its error page.
async fn back(session: &Session, outcome: Result<String, AppError>) -> Response {
    back_with_outcome(session, FLASH_KEY, "/admin/terms", outcome).await
}

fn today() -> String {
    crate::clock::day_to_string(crate::clock::today())
}

pub async fn create(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<TermForm>,
) -> Response {
    let now = crate::clock::now();
    let outcome = async {
        let draft = form.draft();
        let id = db::create(&state.db, admin.school_id, &draft, now).await?;
        let event = Event {
            detail: Some(format!(
                "{} {}–{}",
                draft.name.trim(),
                draft.starts_on,
                draft.ends_on
            )),
            ..Event::by(&admin, "term.created", Some(format!("term:{id}")))
        };
        record(&state.db, event, now).await?;
        Ok(format!("Term “{}” added.", draft.name.trim()))
    };
    back(&session, outcome.await).await
}

pub async fn update(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    Path(term_id): Path<i64>,
    Form(form): Form<TermForm>,
) -> Response {
    let now = crate::clock::now();
    let outcome = async {
        let draft = form.draft();
        db::update(&state.db, admin.school_id, term_id, &draft, &today()).await?;
        let event = Event {
            detail: Some(format!(
                "{} {}–{}",
                draft.name.trim(),
                draft.starts_on,
                draft.ends_on
            )),
            ..Event::by(&admin, "term.changed", Some(format!("term:{term_id}")))
        };
        record(&state.db, event, now).await?;
        Ok(format!("Term “{}” saved.", draft.name.trim()))
    };
    back(&session, outcome.await).await
}

pub async fn pin(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    Path(term_id): Path<i64>,
    Form(form): Form<PinForm>,
) -> Response {
    let pinned = form.pinned == "1";
    let now = crate::clock::now();
    let outcome = async {
        let term = db::pin(&state.db, admin.school_id, term_id, pinned, &today()).await?;
        let action = if pinned {
            "term.pinned"
        } else {
            "term.unpinned"
        };
        record(
            &state.db,
            Event::by(&admin, action, Some(format!("term:{term_id}"))),
            now,
        )
        .await?;
        Ok(if pinned {
            format!(
                "“{}” is pinned: marking goes to it until you unpin it.",
                term.name
            )
        } else {
            format!(
                "“{}” is no longer pinned: the current term is the one containing today.",
                term.name
            )
        })
    };
    back(&session, outcome.await).await
}

/// The terms page's forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/terms", post(create))
        .route("/admin/terms/{term_id}", post(update))
        .route("/admin/terms/{term_id}/pin", post(pin))
}
