//! Form routes of staff management (admins) and of one-time sign-in links.
//! Each answers with a redirect back to the page, so the same forms work
//! with and without JavaScript.

use app::accounts::{gate, password, Role};
use app::audit::db::{record, Event};
use app::staff::{db, IssuedLink, ISSUED_LINK_KEY};
use app::state::AppState;
use app::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::{error_response, require_role};

fn back(query: &str) -> Response {
    Redirect::to(&format!("/admin/staff?{query}")).into_response()
}

#[derive(Deserialize)]
pub struct AddForm {
    name: String,
    email: String,
    role: String,
}

pub async fn add(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<AddForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    if form.name.trim().is_empty() {
        return back("error=name");
    }
    let Ok(email) = db::check_email(&form.email) else {
        return back("error=email");
    };
    let role = Role::parse(&form.role).unwrap_or(Role::Staff);
    let now = app::clock::now();
    let outcome = async {
        let user_id = app::accounts::db::upsert_member(
            &state.pool,
            &email,
            &form.name,
            None,
            admin.school_id,
            role,
            now,
        )
        .await?;
        let event = Event {
            detail: Some(format!("{email} as {}", role.as_str())),
            ..Event::by(&admin, "account.added", Some(format!("user:{user_id}")))
        };
        record(&state.pool, event, now).await
    };
    match outcome.await {
        Ok(()) => back("notice=added"),
        Err(error) => error_response(error),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Path(user_id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    if user_id == admin.user_id {
        return back("error=self");
    }
    let Some(role) = Role::parse(&form.role) else {
        return error_response(AppError::Invalid(
            "Choose staff, counselor or admin.".into(),
        ));
    };
    let now = app::clock::now();
    let outcome = async {
        db::set_role(&state.pool, admin.school_id, user_id, role).await?;
        let event = Event {
            detail: Some(format!("now {}", role.as_str())),
            ..Event::by(
                &admin,
                "account.role_changed",
                Some(format!("user:{user_id}")),
            )
        };
        record(&state.pool, event, now).await
    };
    match outcome.await {
        Ok(()) => back("notice=role"),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error_response(error),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    session: Session,
    Path(user_id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    if user_id == admin.user_id {
        return back("error=self");
    }
    let active = form.active == "1";
    let now = app::clock::now();
    let outcome = async {
        db::set_active(&state.pool, admin.school_id, user_id, active).await?;
        let action = if active {
            "account.reactivated"
        } else {
            "account.deactivated"
        };
        let event = Event::by(&admin, action, Some(format!("user:{user_id}")));
        record(&state.pool, event, now).await
    };
    match outcome.await {
        Ok(()) => back(if active {
            "notice=reactivated"
        } else {
            "notice=deactivated"
        }),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error_response(error),
    }
}

pub async fn issue_link(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(user_id): Path<i64>,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let now = app::clock::now();
    let outcome = async {
        let name = db::name_of(&state.pool, admin.school_id, user_id).await?;
        let token =
            db::issue_link(&state.pool, admin.school_id, user_id, admin.user_id, now).await?;
        let event = Event::by(&admin, "link.issued", Some(format!("user:{user_id}")));
        record(&state.pool, event, now).await?;
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if state.secure_cookies {
            "https"
        } else {
            "http"
        };
        let link = IssuedLink {
            name,
            path: format!("{scheme}://{host}/welcome/{token}"),
        };
        // Shown once on the staff page, never put in a URL or a log.
        session
            .insert(ISSUED_LINK_KEY, link)
            .await
            .map_err(|_| AppError::Database)
    };
    match outcome.await {
        Ok(()) => back("notice=link"),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error_response(error),
    }
}

#[derive(Deserialize)]
pub struct WelcomeForm {
    token: String,
    password: String,
    confirm: String,
}

/// Sets the password through a one-time link and signs the person in.
pub async fn welcome(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<WelcomeForm>,
) -> Response {
    let again = |code: &str| {
        let token: String = form
            .token
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        Redirect::to(&format!("/welcome/{token}?error={code}")).into_response()
    };
    if form.password != form.confirm {
        return again("mismatch");
    }
    let now = app::clock::now();
    let (_, _, name, email) = match db::link_holder(&state.pool, &form.token, now).await {
        Ok(holder) => holder,
        Err(error) => return error_response(error),
    };
    if password::check_new(&form.password, &email, &name).is_err() {
        return again("weak");
    }
    let outcome = async {
        let hash = password::hash(form.password.clone()).await?;
        let (user_id, school_id) = db::redeem_link(&state.pool, &form.token, &hash, now).await?;
        let event = Event {
            school_id: Some(school_id),
            user_id: Some(user_id),
            action: "link.used",
            subject: Some(format!("user:{user_id}")),
            detail: None,
            client_addr: None,
        };
        record(&state.pool, event, now).await?;
        gate::start_session(&session, user_id, school_id, now).await
    };
    match outcome.await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(error) => error_response(error),
    }
}

/// Reads an uploaded staff file and keeps the preview in the session until
/// the admin confirms or cancels.
pub async fn import_preview(
    State(state): State<AppState>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("staff.csv").to_string();
            match field.bytes().await {
                Ok(bytes) => file = Some((name, bytes.to_vec())),
                Err(_) => return error_response(AppError::Invalid(
                    "The file could not be received (it may be too large: the limit is 256 KB)."
                        .into(),
                )),
            }
        }
    }
    let Some((name, bytes)) = file else {
        return error_response(AppError::Invalid("Choose a CSV file first.".into()));
    };
    let outcome = async {
        let existing = db::emails(&state.pool, admin.school_id).await?;
        let preview = app::staff::import::parse(&name, &bytes, &existing);
        session
            .insert(app::staff::IMPORT_KEY, preview)
            .await
            .map_err(|_| AppError::Database)
    };
    match outcome.await {
        Ok(()) => Redirect::to("/admin/staff/import").into_response(),
        Err(error) => error_response(error),
    }
}

pub async fn import_confirm(State(state): State<AppState>, session: Session) -> Response {
    let admin = match require_role(&session, &state, Role::Admin).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let outcome = async {
        let preview = session
            .remove::<app::staff::import::StaffImport>(app::staff::IMPORT_KEY)
            .await
            .map_err(|_| AppError::Database)?
            .ok_or(AppError::NotFound)?;
        db::add_many(
            &state.pool,
            admin.school_id,
            &preview.people,
            admin.user_id,
            app::clock::now(),
        )
        .await
    };
    match outcome.await {
        Ok(_) => back("notice=imported"),
        Err(AppError::NotFound) => Redirect::to("/admin/staff/import").into_response(),
        Err(error) => error_response(error),
    }
}

pub async fn import_cancel(State(state): State<AppState>, session: Session) -> Response {
    if let Err(response) = require_role(&session, &state, Role::Admin).await {
        return response;
    }
    match session
        .remove::<app::staff::import::StaffImport>(app::staff::IMPORT_KEY)
        .await
    {
        Ok(_) => back("notice=cancelled"),
        Err(_) => error_response(AppError::Database),
    }
}
