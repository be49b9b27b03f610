//! Form routes of staff management (admins) and of one-time sign-in links.
//! Each answers with a redirect back to the page, so the same forms work
//! with and without JavaScript.

use crate::accounts::{gate, password, Role, SignInFailure};
use crate::audit::db::{record, Event};
use crate::staff::{db, IssuedLink};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Form;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::routes::ClientAddr;
use crate::http::Admin;

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
    Admin(admin): Admin,
    State(state): State<AppState>,
    Form(form): Form<AddForm>,
) -> Response {
    if form.name.trim().is_empty() {
        return back("error=name");
    }
    if form.name.trim().chars().count() > crate::limits::NAME {
        return back("error=long");
    }
    if db::check_email(&form.email).is_err() {
        return back("error=email");
    }
    let role = Role::parse(&form.role).unwrap_or(Role::Staff);
    match db::add(
        &state.db,
        &admin,
        &form.email,
        &form.name,
        role,
        crate::clock::now(),
    )
    .await
    {
        Ok(added) if added.invited => back("notice=invited"),
        Ok(_) => back("notice=added"),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Response {
    if user_id == admin.user_id {
        return back("error=self");
    }
    let Some(role) = Role::parse(&form.role) else {
        return AppError::Invalid("Choose staff, counselor or admin.".into()).into_response();
    };
    let now = crate::clock::now();
    let outcome = async {
        db::set_role(&state.db, admin.school_id, user_id, role).await?;
        let event = Event {
            detail: Some(format!("now {}", role.as_str())),
            ..Event::by(
                &admin,
                "account.role_changed",
                Some(format!("user:{user_id}")),
            )
        };
        record(&state.db, event, now).await
    };
    match outcome.await {
        Ok(()) => back("notice=role"),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> Response {
    if user_id == admin.user_id {
        return back("error=self");
    }
    let active = form.active == "1";
    let now = crate::clock::now();
    let outcome = async {
        db::set_active(&state.db, admin.school_id, user_id, active).await?;
        let action = if active {
            "account.reactivated"
        } else {
            "account.deactivated"
        };
        let event = Event::by(&admin, action, Some(format!("user:{user_id}")));
        record(&state.db, event, now).await
    };
    match outcome.await {
        Ok(()) => back(if active {
            "notice=reactivated"
        } else {
            "notice=deactivated"
        }),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error.into_response(),
    }
}

pub async fn issue_link(
    Admin(admin): Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(user_id): Path<i64>,
) -> Response {
    let now = crate::clock::now();
    let outcome = async {
        let name = db::name_of(&state.db, admin.school_id, user_id).await?;
        let token = db::issue_link(
            &state.db,
            admin.school_id,
            user_id,
            Some(admin.user_id),
            now,
        )
        .await?;
        let event = Event::by(&admin, "link.issued", Some(format!("user:{user_id}")));
        record(&state.db, event, now).await?;
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if state.secure_cookies {
            "https"
        } else {
            "http"
        };
        Ok::<_, AppError>(IssuedLink {
            name,
            path: format!("{scheme}://{host}/welcome/{token}"),
        })
    };
    match outcome.await {
        // Shown once on the staff page, never put in a URL, a log or the
        // session store: it travels in a short-lived cookie of the admin's
        // browser, which the page clears as it shows the link.
        Ok(link) => match crate::staff::issued_link_cookie(&link, state.secure_cookies) {
            Some(cookie) => (
                [(header::SET_COOKIE, cookie)],
                Redirect::to("/admin/staff?notice=link"),
            )
                .into_response(),
            None => AppError::Internal.into_response(),
        },
        Err(AppError::NotFound) => back("error=notfound"),
        Err(AppError::Invalid(_)) => back("error=shared"),
        Err(error) => error.into_response(),
    }
}

/// Lifts the sign-in locks on a member's account (after too many wrong
/// passwords), once the admin has checked with the person.
pub async fn unlock(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
) -> Response {
    let now = crate::clock::now();
    let outcome = async {
        let email = db::email_of(&state.db, admin.school_id, user_id).await?;
        state.throttle.lift(&email);
        let event = Event::by(&admin, "sign_in.unlocked", Some(format!("user:{user_id}")));
        crate::audit::db::record_for_account(&state.db, Some(user_id), event, now).await
    };
    match outcome.await {
        Ok(()) => back("notice=unlocked"),
        Err(AppError::NotFound) => back("error=notfound"),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct WelcomeForm {
    token: String,
    password: String,
    /// Only when a new password is set (welcome and reset links).
    #[serde(default)]
    confirm: String,
}

/// Uses a one-time link and signs the person in: a welcome or reset link
/// sets the password; a join link accepts a membership once the person has
/// signed in with their own password (it sets nothing).
pub async fn welcome(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
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
    let now = crate::clock::now();
    let holder = match db::link_holder(&state.db, &form.token, now).await {
        Ok(holder) => holder,
        Err(error) => return error.into_response(),
    };
    let outcome = if holder.purpose == "join" {
        // The person proves the account is theirs, with the same limits
        // on guessing as at sign-in.
        let devices = crate::accounts::routes::known_devices(&headers, state.secure_cookies);
        let client = crate::accounts::throttle::Client {
            address: address.as_deref(),
            devices: &devices,
        };
        match crate::accounts::confirm_password(
            &state.db,
            &state.throttle,
            &holder.email,
            &form.password,
            client,
        )
        .await
        {
            Ok(Ok(_)) => {
                db::redeem_link(&state.db, &form.token, None, address.as_deref(), now).await
            }
            Ok(Err(SignInFailure::Locked)) => return again("locked"),
            Ok(Err(SignInFailure::Busy)) => return again("busy"),
            Ok(Err(SignInFailure::Invalid)) => return again("password"),
            Err(error) => Err(error),
        }
    } else {
        if form.password != form.confirm {
            return again("mismatch");
        }
        if password::check_new(&form.password, &holder.email, &holder.name).is_err() {
            return again("weak");
        }
        match password::hash(form.password.clone()).await {
            Ok(hash) => {
                db::redeem_link(&state.db, &form.token, Some(&hash), address.as_deref(), now).await
            }
            Err(error) => Err(error),
        }
    };
    let signed_in = match outcome {
        Ok((user_id, school_id, epoch)) => {
            gate::start_session(&session, user_id, school_id, epoch, now).await
        }
        Err(error) => Err(error),
    };
    match signed_in {
        Ok(()) => Redirect::to("/").into_response(),
        Err(error) => error.into_response(),
    }
}

/// Reads an uploaded staff file and keeps the preview in the session until
/// the admin confirms or cancels.
pub async fn import_preview(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("staff.csv").to_string();
            match field.bytes().await {
                Ok(bytes) => file = Some((name, bytes.to_vec())),
                Err(_) => return AppError::Invalid(
                    "The file could not be received (it may be too large: the limit is 256 KB)."
                        .into(),
                )
                .into_response(),
            }
        }
    }
    let Some((name, bytes)) = file else {
        return AppError::Invalid("Choose a CSV file first.".into()).into_response();
    };
    let outcome = async {
        let existing = db::emails(&state.db, admin.school_id).await?;
        let preview = crate::staff::import::parse(&name, &bytes, &existing);
        session
            .insert(crate::staff::IMPORT_KEY, preview)
            .await
            .map_err(|_| AppError::Database)
    };
    match outcome.await {
        Ok(()) => Redirect::to("/admin/staff/import").into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn import_confirm(
    Admin(admin): Admin,
    State(state): State<AppState>,
    session: Session,
) -> Response {
    let outcome = async {
        let preview = session
            .remove::<crate::staff::import::StaffImport>(crate::staff::IMPORT_KEY)
            .await
            .map_err(|_| AppError::Database)?
            .ok_or(AppError::NotFound)?;
        db::add_many(
            &state.db,
            admin.school_id,
            &preview.people,
            admin.user_id,
            crate::clock::now(),
        )
        .await
    };
    match outcome.await {
        Ok(0) => back("notice=imported"),
        Ok(_) => back("notice=imported_invited"),
        Err(AppError::NotFound) => Redirect::to("/admin/staff/import").into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn import_cancel(Admin(_): Admin, session: Session) -> Response {
    match session
        .remove::<crate::staff::import::StaffImport>(crate::staff::IMPORT_KEY)
        .await
    {
        Ok(_) => back("notice=cancelled"),
        Err(_) => AppError::Database.into_response(),
    }
}

/// Staff management (admins) and the welcome page's form.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/welcome", post(welcome))
        .route("/admin/staff/add", post(add))
        .route("/admin/staff/import", post(import_preview))
        .route("/admin/staff/import/confirm", post(import_confirm))
        .route("/admin/staff/import/cancel", post(import_cancel))
        .route("/admin/staff/{user_id}/role", post(change_role))
        .route("/admin/staff/{user_id}/active", post(set_active))
        .route("/admin/staff/{user_id}/link", post(issue_link))
        .route("/admin/staff/{user_id}/unlock", post(unlock))
}
