//! Server functions of the audit log page.

use leptos::prelude::*;

use super::AuditLogPage;
use crate::AppError;

/// One page of this school's audit log (admins only).
#[server]
pub async fn get_audit_log(
    person: String,
    action: String,
    page: u32,
) -> Result<AuditLogPage, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::db()?;
    super::db::page(&pool, member.school_id, &person, &action, page).await
}
