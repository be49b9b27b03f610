//! Server functions of the marking page. The page's script saves marks and
//! concerns through `save_mark` and `save_concern` (fixed addresses
//! `/api/mark` and `/api/concern`); without JavaScript the same changes go
//! through the form routes in `server/src/marking.rs`.

use leptos::prelude::*;

use super::{MarkFilters, MarkList, MarkSaved, MarkSetup};
use crate::AppError;

#[cfg(feature = "ssr")]
fn today() -> String {
    crate::clock::day_to_string(crate::clock::today())
}

/// The current term, filter choices and the viewer's capabilities.
#[server(endpoint = "mark_setup")]
pub async fn get_mark_setup() -> Result<MarkSetup, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    super::marking::setup(&pool, &member, &today()).await
}

/// One page of students with the viewer's marks, for the filters.
#[server(endpoint = "mark_list")]
pub async fn get_mark_list(filters: MarkFilters) -> Result<MarkList, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    super::marking::list(&pool, &member, &filters, &today()).await
}

/// Sets the viewer's mark on a student (`strong`, `knows` or `none`) in the
/// current term. Sending the same mark twice changes nothing.
#[server(endpoint = "mark")]
pub async fn save_mark(student_id: i64, level: String) -> Result<MarkSaved, AppError> {
    use crate::accounts::gate;
    // Every role may mark. The session names the person and school; that
    // they are still active is checked by the write itself (`db::set`), so
    // a mark costs one round trip to the database.
    let saved = async {
        let session = gate::current_session().await?;
        let who = gate::session_identity(&session, crate::clock::now()).await?;
        let level = super::parse_choice(&level)
            .ok_or_else(|| AppError::Invalid("A mark is strong, knows or none.".into()))?;
        let pool = crate::state::db()?;
        let marker = super::db::Marker {
            user_id: who.user_id,
            school_id: who.school_id,
            epoch: Some(who.epoch),
        };
        let saved = super::marking::mark(
            &pool,
            marker,
            student_id,
            level,
            crate::clock::now(),
            &today(),
        )
        .await;
        if let Err(AppError::Unauthorized) = saved {
            gate::end_session(&session).await?;
        }
        saved
    }
    .await;
    if let Err(error) = &saved {
        error.set_response_status();
    }
    saved
}

/// Raises, updates or withdraws the viewer's private concern about a
/// student. Answers with the open concern's reason (`None` = withdrawn).
#[server(endpoint = "concern")]
pub async fn save_concern(
    student_id: i64,
    raise: bool,
    reason: String,
) -> Result<Option<String>, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    let saved = super::marking::concern(
        &pool,
        &member,
        student_id,
        raise,
        &reason,
        crate::clock::now(),
        &today(),
    )
    .await;
    if let Err(error) = &saved {
        error.set_response_status();
    }
    saved
}
