//! Database functions for staff management. Every one takes the school the
//! admin acts for and touches only that school's memberships.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use super::{StaffMember, LINK_LIFETIME_SECS};
use crate::accounts::Role;
use crate::AppError;

#[derive(sqlx::FromRow)]
struct StaffRow {
    user_id: i64,
    name: String,
    email: String,
    role: String,
    title: Option<String>,
    is_active: bool,
    has_password: bool,
}

/// The school's staff, by name, optionally filtered by name, email or title.
pub async fn list(
    pool: &SqlitePool,
    school_id: i64,
    search: &str,
) -> Result<Vec<StaffMember>, AppError> {
    let pattern = format!("%{}%", search.trim().to_lowercase());
    let rows = sqlx::query_as::<_, StaffRow>(
        "SELECT u.id AS user_id, u.name, u.email, m.role, m.title,
                (m.is_active = 1 AND u.is_active = 1) AS is_active,
                (u.password_hash IS NOT NULL) AS has_password
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1
           AND (lower(u.name) LIKE $2 OR u.email LIKE $2 OR lower(COALESCE(m.title, '')) LIKE $2)
         ORDER BY u.name, u.id",
    )
    .bind(school_id)
    .bind(pattern)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(StaffMember {
                user_id: row.user_id,
                name: row.name,
                email: row.email,
                role: Role::parse(&row.role).ok_or(AppError::Internal)?,
                title: row.title,
                is_active: row.is_active,
                has_password: row.has_password,
            })
        })
        .collect()
}

/// Checks an email address well enough to catch typos.
pub fn check_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AppError::Invalid(format!(
            "“{email}” is not an email address. Check it and try again."
        )))
    }
}

/// The emails of everyone on this school's staff (to skip them in a file).
pub async fn emails(pool: &SqlitePool, school_id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.school_id = $1",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?)
}

/// Adds everyone from a previewed file: all of them or, on any failure,
/// none.
pub async fn add_many(
    pool: &SqlitePool,
    school_id: i64,
    people: &[super::import::NewStaff],
    added_by: i64,
    now: i64,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    for person in people {
        let user_id = crate::accounts::db::upsert_member_in(
            &mut tx,
            &person.email,
            &person.name,
            None,
            school_id,
            person.role,
            now,
        )
        .await?;
        let event = crate::audit::db::Event {
            school_id: Some(school_id),
            user_id: Some(added_by),
            action: "account.added",
            subject: Some(format!("user:{user_id}")),
            detail: Some(format!(
                "{} as {} (from a file)",
                person.email,
                person.role.as_str()
            )),
            client_addr: None,
        };
        crate::audit::db::record(&mut *tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(people.len())
}

pub async fn set_role(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    let changed =
        sqlx::query("UPDATE memberships SET role = $1 WHERE school_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(school_id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected();
    found(changed)
}

/// Deactivating keeps every mark and record; the person just cannot sign
/// in here any more (their open sessions stop working at once, because the
/// gate checks the membership on every request).
pub async fn set_active(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    active: bool,
) -> Result<(), AppError> {
    let changed =
        sqlx::query("UPDATE memberships SET is_active = $1 WHERE school_id = $2 AND user_id = $3")
            .bind(active)
            .bind(school_id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected();
    found(changed)
}

/// The member's name, if they belong to this school.
pub async fn name_of(pool: &SqlitePool, school_id: i64, user_id: i64) -> Result<String, AppError> {
    sqlx::query_scalar(
        "SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.school_id = $1 AND u.id = $2",
    )
    .bind(school_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

/// Issues a one-time sign-in link for a member of this school. Returns the
/// token; only its hash is stored.
pub async fn issue_link(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    issued_by: i64,
    now: i64,
) -> Result<String, AppError> {
    name_of(pool, school_id, user_id).await?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let has_password: bool =
        sqlx::query_scalar("SELECT password_hash IS NOT NULL FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
    sqlx::query(
        "INSERT INTO sign_in_links (user_id, school_id, token_hash, purpose, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(school_id)
    .bind(hash_token(&token))
    .bind(if has_password { "reset" } else { "welcome" })
    .bind(issued_by)
    .bind(now)
    .bind(now + LINK_LIFETIME_SECS)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Who a still-valid link is for: (user id, school id, name, email).
pub async fn link_holder(
    pool: &SqlitePool,
    token: &str,
    now: i64,
) -> Result<(i64, i64, String, String), AppError> {
    sqlx::query_as(
        "SELECT u.id, l.school_id, u.name, u.email FROM sign_in_links l JOIN users u ON u.id = l.user_id
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.is_active = 1",
    )
    .bind(hash_token(token))
    .bind(now)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        link_unusable()
    })
}

/// Uses a link: sets the password and marks the link used, atomically, so
/// a link works exactly once even if two tabs submit at the same moment.
pub async fn redeem_link(
    pool: &SqlitePool,
    token: &str,
    password_hash: &str,
    now: i64,
) -> Result<(i64, i64), AppError> {
    let mut tx = pool.begin().await?;
    let claimed: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE sign_in_links SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id, school_id",
    )
    .bind(now)
    .bind(hash_token(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, school_id)) = claimed else {
        return Err(link_unusable());
    };
    crate::accounts::db::set_password_hash(&mut *tx, user_id, password_hash).await?;
    tx.commit().await?;
    Ok((user_id, school_id))
}

/// A change that touched no membership: the person is not on this
/// school's staff.
fn found(changed: u64) -> Result<(), AppError> {
    if changed == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

fn link_unusable() -> AppError {
    AppError::Invalid(
        "This sign-in link has expired or has already been used. Ask your school's Tether admin for a new one.".into(),
    )
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
