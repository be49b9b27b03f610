//! Writing to the audit log.

use sqlx::SqliteExecutor;

use crate::AppError;

/// One thing that happened, by whom, to what.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub school_id: Option<i64>,
    pub user_id: Option<i64>,
    /// A dotted name such as `sign_in.success` or `account.role_changed`.
    pub action: &'a str,
    /// What was acted on, e.g. `user:7`.
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub client_addr: Option<String>,
}

impl<'a> Event<'a> {
    /// An event done by `member` at their school, about `subject`.
    pub fn by(member: &crate::accounts::Member, action: &'a str, subject: Option<String>) -> Self {
        Event {
            school_id: Some(member.school_id),
            user_id: Some(member.user_id),
            action,
            subject,
            ..Event::default()
        }
    }
}

pub async fn record<'e>(
    executor: impl SqliteExecutor<'e>,
    event: Event<'_>,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (school_id, user_id, action, subject, detail, client_addr, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.school_id)
    .bind(event.user_id)
    .bind(event.action)
    .bind(event.subject)
    .bind(event.detail)
    .bind(event.client_addr)
    .bind(at)
    .execute(executor)
    .await?;
    Ok(())
}

/// Records an event about an account (its password, a failed sign-in, a
/// school it joined) in the log of every school the account belongs to,
/// so that each of its schools' admins sees it; `event.school_id` is
/// ignored. An email that names no account (or none with a school) is
/// recorded once without a school, for the server's operator.
pub async fn record_for_account<'e>(
    executor: impl SqliteExecutor<'e>,
    user_id: Option<i64>,
    event: Event<'_>,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "WITH schools_of (school_id) AS (
             SELECT school_id FROM memberships WHERE user_id = $1 AND pending = 0)
         INSERT INTO audit_log (school_id, user_id, action, subject, detail, client_addr, at)
         SELECT school_id, $2, $3, $4, $5, $6, $7 FROM schools_of
         UNION ALL
         SELECT NULL, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM schools_of)",
    )
    .bind(user_id)
    .bind(event.user_id)
    .bind(event.action)
    .bind(event.subject)
    .bind(event.detail)
    .bind(event.client_addr)
    .bind(at)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    at: i64,
    who: Option<String>,
    action: String,
    subject: Option<String>,
    detail: Option<String>,
    client_addr: Option<String>,
}

/// One page of the school's audit log, newest first, filtered by person
/// (name or email contains) and action (exact).
pub async fn page(
    pool: &sqlx::SqlitePool,
    school_id: i64,
    person: &str,
    action: &str,
    page: u32,
) -> Result<super::AuditLogPage, AppError> {
    let size = i64::from(super::PAGE_SIZE);
    let rows = sqlx::query_as::<_, EntryRow>(
        "SELECT a.id, a.at, CASE WHEN u.id IS NULL THEN NULL ELSE u.name || ' <' || u.email || '>' END AS who,
                a.action, a.subject, a.detail, a.client_addr
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.school_id = $1
           AND ($2 = '' OR lower(u.name) LIKE $3 OR u.email LIKE $3)
           AND ($4 = '' OR a.action = $4)
         ORDER BY a.at DESC, a.id DESC
         LIMIT $5 OFFSET $6",
    )
    .bind(school_id)
    .bind(person.trim())
    .bind(format!("%{}%", person.trim().to_lowercase()))
    .bind(action.trim())
    .bind(size + 1)
    .bind(i64::from(page) * size)
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() as i64 > size;
    let entries = rows
        .into_iter()
        .take(size as usize)
        .map(|row| super::AuditEntry {
            id: row.id,
            at: crate::clock::minute_to_string(row.at),
            who: row.who,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
            client_addr: row.client_addr,
        })
        .collect();
    let actions = sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log WHERE school_id = $1 ORDER BY action",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok(super::AuditLogPage {
        entries,
        actions,
        page,
        has_more,
    })
}
