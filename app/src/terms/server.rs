//! Server functions of the terms page. Changes go through plain form routes
//! (`server/src/terms.rs`) so they work without JavaScript.

use leptos::prelude::*;

use super::TermsOverview;
use crate::AppError;

/// The session key under which the outcome of the last change waits.
pub const FLASH_KEY: &str = "terms_flash";

/// The school's terms (admins only).
#[server]
pub async fn get_terms() -> Result<TermsOverview, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::db()?;
    let today = crate::clock::day_to_string(crate::clock::today());
    let terms = super::db::list(&pool, member.school_id).await?;
    let current_id = super::db::current(&pool, member.school_id, &today)
        .await?
        .map(|term| term.id);
    let session = gate::current_session().await?;
    let flash = session
        .remove::<super::Flash>(FLASH_KEY)
        .await
        .map_err(|_| AppError::Database)?;
    Ok(TermsOverview {
        terms,
        current_id,
        today,
        flash,
    })
}
