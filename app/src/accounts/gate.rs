//! The one authorization gate. Every server function and every non-Leptos
//! route that touches school data starts by calling [`require`] (or
//! [`member_from_session`] with the session in hand), which yields the
//! signed-in person, their school and role, or an error. Queries then use
//! `member.school_id`; there is no other way to learn which school a
//! request acts for.

use sqlx::SqlitePool;
use tower_sessions::Session;

use super::{Member, Role};
use crate::{clock, AppError};

const USER_ID: &str = "user_id";
const SCHOOL_ID: &str = "school_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const SEEN_AT: &str = "seen_at";
/// The account's session generation when this session signed in; a
/// password change moves the account's on and so ends this session.
const EPOCH: &str = "epoch";

/// However active, a session ends this long after sign-in.
pub const ABSOLUTE_LIMIT_SECS: i64 = 7 * 24 * 3600;
/// The idle expiry counts from the last write to the session; writing on
/// every request would double the database writes of a marking session, so
/// activity is recorded at most this often.
const SEEN_EVERY_SECS: i64 = 5 * 60;

/// Starts a signed-in session: a new session id (so an id planted before
/// sign-in is useless), the person, the school they act for and the
/// account's session generation (`epoch`).
pub async fn start_session(
    session: &Session,
    user_id: i64,
    school_id: i64,
    epoch: i64,
    now: i64,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(SCHOOL_ID, school_id)
        .await
        .map_err(session_error)?;
    session
        .insert(SIGNED_IN_AT, now)
        .await
        .map_err(session_error)?;
    session.insert(SEEN_AT, now).await.map_err(session_error)?;
    keep_after_password_change(session, epoch).await
}

/// The session that changed the password carries on with the account's
/// new generation (every other session of the account has ended). Its id
/// changes too, like at sign-in.
pub async fn keep_after_password_change(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(EPOCH, epoch).await.map_err(session_error)
}

/// Acts for another school from now on; the caller has checked that the
/// person is a member there.
pub async fn switch_school(session: &Session, school_id: i64) -> Result<(), AppError> {
    session
        .insert(SCHOOL_ID, school_id)
        .await
        .map_err(session_error)
}

/// Ends the session on the server (the stored record is deleted), not just
/// in the browser.
pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The signed-in person, if any, without touching the database.
pub async fn signed_in_user(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).await.ok().flatten()
}

/// Who a session says it is: not yet checked against the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user_id: i64,
    pub school_id: i64,
    /// The account's session generation at sign-in.
    pub epoch: i64,
}

/// The person and school this session acts for, as the session says,
/// without asking the database whether they are still active. The
/// session's absolute limit is enforced and activity recorded. Callers
/// either look the member up ([`member_from_session`]) or check the
/// membership and generation in the same statement as their write
/// (marking).
pub async fn session_identity(session: &Session, now: i64) -> Result<Identity, AppError> {
    let read = |key: &'static str| async move { session.get::<i64>(key).await.ok().flatten() };
    let (Some(user_id), Some(school_id), Some(signed_in_at)) = (
        read(USER_ID).await,
        read(SCHOOL_ID).await,
        read(SIGNED_IN_AT).await,
    ) else {
        return Err(AppError::Unauthorized);
    };
    if now - signed_in_at > ABSOLUTE_LIMIT_SECS {
        end_session(session).await?;
        return Err(AppError::Unauthorized);
    }
    if read(SEEN_AT)
        .await
        .is_none_or(|seen| now - seen >= SEEN_EVERY_SECS)
    {
        session.insert(SEEN_AT, now).await.map_err(session_error)?;
    }
    Ok(Identity {
        user_id,
        school_id,
        // Sessions signed in before generations existed: the first one.
        epoch: read(EPOCH).await.unwrap_or(0),
    })
}

/// The person and school this session acts for.
///
/// `Unauthorized` when nobody is signed in, the session is past its
/// absolute limit, the account or membership has been deactivated, or the
/// password has been changed since this session signed in.
pub async fn member_from_session(
    session: &Session,
    pool: &SqlitePool,
    now: i64,
) -> Result<Member, AppError> {
    let who = session_identity(session, now).await?;
    let Some(member) =
        super::db::member_of_session(pool, who.user_id, who.school_id, who.epoch).await?
    else {
        end_session(session).await?;
        return Err(AppError::Unauthorized);
    };
    Ok(member)
}

/// Inside a server function: the signed-in member with at least `role`.
pub async fn require(role: Role) -> Result<Member, AppError> {
    let outcome = match current_member().await {
        Ok(member) if member.can(role) => Ok(member),
        Ok(_) => Err(AppError::Forbidden),
        Err(error) => Err(error),
    };
    if let Err(error) = &outcome {
        // The HTTP answer says what happened (401 or 403), not just 500.
        error.set_response_status();
    }
    outcome
}

/// Inside a server function: the signed-in member, any role.
pub async fn current_member() -> Result<Member, AppError> {
    let session = current_session().await?;
    let pool = crate::state::db()?;
    member_from_session(&session, &pool, clock::now()).await
}

/// Inside a server function: the request's session.
pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer on this request");
        AppError::Internal
    })
}

fn session_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Database
}
