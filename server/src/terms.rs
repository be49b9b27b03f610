//! Form routes of the terms page (admins). Each answers with a redirect back
//! to `/admin/terms` and leaves the outcome in the session, so the same forms
//! work with and without JavaScript.

use app::accounts::Role;
use app::audit::db::{record, Event};
use app::state::AppState;
use app::terms::{db, FLASH_KEY};
use app::AppError;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::{back_with_outcome, require_role};

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
    app::clock::day_to_string(app::clock::today())
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<TermForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let now = app::clock::now();
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
    State(state): State<AppState>,
    session: Session,
    Path(term_id): Path<i64>,
    Form(form): Form<TermForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let now = app::clock::now();
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
    State(state): State<AppState>,
    session: Session,
    Path(term_id): Path<i64>,
    Form(form): Form<PinForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let pinned = form.pinned == "1";
    let now = app::clock::now();
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
