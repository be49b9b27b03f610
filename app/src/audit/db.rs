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
