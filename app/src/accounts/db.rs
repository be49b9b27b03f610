//! Database functions for accounts and memberships.

use sqlx::SqlitePool;

use super::{Member, Role};
use crate::AppError;

#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub session_epoch: i64,
}

/// The stored credentials for an email (compared lower-cased).
pub async fn credentials(pool: &SqlitePool, email: &str) -> Result<Option<Credentials>, AppError> {
    Ok(sqlx::query_as::<_, Credentials>(
        "SELECT id AS user_id, password_hash, is_active, session_epoch FROM users WHERE email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?)
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: i64,
    name: String,
    email: String,
    role: String,
    school_id: i64,
    school_name: String,
    school_is_demo: bool,
}

impl MemberRow {
    fn into_member(self) -> Result<Member, AppError> {
        let role = Role::parse(&self.role).ok_or(AppError::Internal)?;
        Ok(Member {
            user_id: self.user_id,
            name: self.name,
            email: self.email,
            role,
            school_id: self.school_id,
            school_name: self.school_name,
            school_is_demo: self.school_is_demo,
        })
    }
}

const MEMBER_SELECT: &str = "SELECT u.id AS user_id, u.name, u.email, m.role, s.id AS school_id,
        s.name AS school_name, s.is_demo AS school_is_demo
 FROM users u
 JOIN memberships m ON m.user_id = u.id
 JOIN schools s ON s.id = m.school_id
 WHERE u.id = $1 AND u.is_active = 1 AND m.is_active = 1";

/// The person's active membership at `school_id`, if any.
pub async fn member(
    pool: &SqlitePool,
    user_id: i64,
    school_id: i64,
) -> Result<Option<Member>, AppError> {
    let row = sqlx::query_as::<_, MemberRow>(&format!("{MEMBER_SELECT} AND s.id = $2"))
        .bind(user_id)
        .bind(school_id)
        .fetch_optional(pool)
        .await?;
    row.map(MemberRow::into_member).transpose()
}

/// [`member`], for a session of the account's generation `epoch` only: a
/// session from before a password change finds no member.
pub async fn member_of_session(
    pool: &SqlitePool,
    user_id: i64,
    school_id: i64,
    epoch: i64,
) -> Result<Option<Member>, AppError> {
    let row = sqlx::query_as::<_, MemberRow>(&format!(
        "{MEMBER_SELECT} AND s.id = $2 AND u.session_epoch = $3"
    ))
    .bind(user_id)
    .bind(school_id)
    .bind(epoch)
    .fetch_optional(pool)
    .await?;
    row.map(MemberRow::into_member).transpose()
}

/// All of the person's active memberships, by school name (for the school
/// switcher and for choosing a school at sign-in).
pub async fn memberships(pool: &SqlitePool, user_id: i64) -> Result<Vec<Member>, AppError> {
    let rows = sqlx::query_as::<_, MemberRow>(&format!("{MEMBER_SELECT} ORDER BY s.name, s.id"))
        .bind(user_id)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(MemberRow::into_member).collect()
}

pub async fn user_count(pool: &SqlitePool) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?)
}

/// Gives `role` at `school_id` to the account with `email`, creating the
/// account (with `name`) if the email is new, and setting its password if
/// `password_hash` is given. For the server's operator (`tether admin
/// create`) and tests, who are trusted with every account: an existing
/// account keeps its name, and its membership is active at once. Admins
/// add people with [`add_member_in`] instead. Returns the user id.
pub async fn upsert_member(
    pool: &SqlitePool,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    school_id: i64,
    role: Role,
    now: i64,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let user_id = account_for(&mut tx, email, name, now).await?.0;
    sqlx::query(
        "INSERT INTO memberships (school_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (school_id, user_id) DO UPDATE SET role = excluded.role, is_active = 1, pending = 0",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if let Some(hash) = password_hash {
        set_password_hash(&mut *tx, user_id, hash).await?;
    }
    tx.commit().await?;
    Ok(user_id)
}

/// The account with `email`, made (named `name`, without a password) if
/// the email is new: `(user id, whether it was made)`.
async fn account_for(
    conn: &mut sqlx::SqliteConnection,
    email: &str,
    name: &str,
    now: i64,
) -> Result<(i64, bool), AppError> {
    let email = email.trim().to_lowercase();
    if let Some(user_id) = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok((user_id, false));
    }
    let user_id = sqlx::query_scalar(
        "INSERT INTO users (email, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&email)
    .bind(name.trim())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok((user_id, true))
}

/// What adding a person to a school's staff did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Added {
    pub user_id: i64,
    /// The account belongs to another school too: the membership waits
    /// for the person to accept it with a join link, and this school's
    /// admin has no say over the account's name or password.
    pub invited: bool,
}

/// An admin of `school_id` adds the person with `email` as `role`.
///
/// A new email gets an account (named `name`, no password yet: the admin
/// issues a welcome link) and an active membership. An account that
/// belongs to another school is never renamed and gets a *pending*
/// membership, which only the person can accept, signed in with their own
/// password: so an admin cannot take over another school's account by
/// adding it. Someone already on this school's staff gets the role (and is
/// reactivated unless their membership is still pending).
pub async fn add_member_in(
    conn: &mut sqlx::SqliteConnection,
    email: &str,
    name: &str,
    school_id: i64,
    role: Role,
    now: i64,
) -> Result<Added, AppError> {
    let (user_id, made) = account_for(conn, email, name, now).await?;
    let elsewhere = !made && belongs_elsewhere(&mut *conn, user_id, school_id).await?;
    let pending: bool = sqlx::query_scalar(
        "INSERT INTO memberships (school_id, user_id, role, created_at, pending, is_active)
         VALUES ($1, $2, $3, $4, $5, 1 - $5)
         ON CONFLICT (school_id, user_id) DO UPDATE SET role = excluded.role,
             is_active = 1 - memberships.pending
         RETURNING pending",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .bind(elsewhere)
    .fetch_one(&mut *conn)
    .await?;
    if !made && !elsewhere {
        // The account is this school's alone: its admin may correct the name.
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name.trim())
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Added {
        user_id,
        invited: pending,
    })
}

/// Whether the account has a membership (accepted, active or not) at a
/// school other than `school_id`. Such an account is shared: no single
/// school's admin may rename it or set its password.
pub async fn belongs_elsewhere<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    user_id: i64,
    school_id: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships
                        WHERE user_id = $1 AND school_id <> $2 AND pending = 0)",
    )
    .bind(user_id)
    .bind(school_id)
    .fetch_one(executor)
    .await?)
}

/// Sets the password and moves the account's session generation on, which
/// ends every session signed in before (see `gate`). Returns the new
/// generation, for the session that made the change to carry on.
pub async fn set_password_hash<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    user_id: i64,
    hash: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1
         WHERE id = $2 RETURNING session_epoch",
    )
    .bind(hash)
    .bind(user_id)
    .fetch_one(executor)
    .await?)
}

/// The account's session generation (0 for an unknown account).
pub async fn session_epoch(pool: &SqlitePool, user_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(0),
    )
}

/// The account with `email` and its first school (by id) where its
/// membership is accepted: where a link of the server's operator is issued.
pub async fn first_school_of(
    pool: &SqlitePool,
    email: &str,
) -> Result<Option<(i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT u.id, m.school_id FROM users u JOIN memberships m ON m.user_id = u.id
         WHERE u.email = $1 AND m.pending = 0 ORDER BY m.school_id LIMIT 1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?)
}

/// Whether the database holds only demo schools (and at least one): the
/// only case in which the sign-in page may show the demo passwords.
pub async fn is_demo_only(pool: &SqlitePool) -> Result<bool, AppError> {
    let (demo, real): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(is_demo), 0), COALESCE(SUM(1 - is_demo), 0) FROM schools",
    )
    .fetch_one(pool)
    .await?;
    Ok(demo > 0 && real == 0)
}
