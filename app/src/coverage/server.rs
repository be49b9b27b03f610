//! Server functions of the coverage dashboard (counselors and admins).

use leptos::prelude::*;

use super::Dashboard;
use crate::AppError;

/// The dashboard for the current term.
#[server]
pub async fn get_coverage() -> Result<Dashboard, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Counselor).await?;
    let pool = crate::state::db()?;
    super::figures::dashboard(&pool, &member, crate::clock::today(), crate::clock::now()).await
}

/// The same figures for the print-friendly report; opening it is recorded
/// in the audit log like the CSV exports.
#[server]
pub async fn get_coverage_report() -> Result<Dashboard, AppError> {
    use crate::accounts::{gate, Role};
    use crate::audit::db::{record, Event};
    let member = gate::require(Role::Counselor).await?;
    let pool = crate::state::db()?;
    let now = crate::clock::now();
    let dashboard = super::figures::dashboard(&pool, &member, crate::clock::today(), now).await?;
    record(
        &pool,
        Event {
            detail: dashboard.term.as_ref().map(|t| t.name.clone()),
            ..Event::by(
                &member,
                "coverage.report_viewed",
                Some("coverage:report".into()),
            )
        },
        now,
    )
    .await?;
    Ok(dashboard)
}
