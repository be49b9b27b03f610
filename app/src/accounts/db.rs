//! Database functions for accounts and memberships.

use sqlx::SqlitePool;

use super::{Member, Role};
use crate::AppError;

#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: Option<String>,
    pub is_active: bool,
}

/// The stored credentials for an email (compared lower-cased).
pub async fn credentials(pool: &SqlitePool, email: &str) -> Result<Option<Credentials>, AppError> {
    Ok(sqlx::query_as::<_, Credentials>(
        "SELECT id AS user_id, password_hash, is_active FROM users WHERE email = $1",
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

/// Creates the account if the email is new (or sets its name and password
/// if it exists) and gives it `role` at `school_id`. Returns the user id.
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
    let user_id =
        upsert_member_in(&mut tx, email, name, password_hash, school_id, role, now).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// [`upsert_member`] inside the caller's transaction.
pub async fn upsert_member_in(
    conn: &mut sqlx::SqliteConnection,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    school_id: i64,
    role: Role,
    now: i64,
) -> Result<i64, AppError> {
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO UPDATE SET name = excluded.name,
             password_hash = COALESCE(excluded.password_hash, users.password_hash)
         RETURNING id",
    )
    .bind(email.trim().to_lowercase())
    .bind(name.trim())
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (school_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (school_id, user_id) DO UPDATE SET role = excluded.role, is_active = 1",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(user_id)
}

pub async fn set_password_hash<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    user_id: i64,
    hash: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
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
