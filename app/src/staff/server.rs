//! Server functions of the staff pages. Changes go through plain form
//! routes (`server/src/staff.rs`) so they work without JavaScript.

use leptos::prelude::*;

use super::StaffOverview;
use crate::AppError;

/// The session key under which a freshly issued link waits to be shown.
pub const ISSUED_LINK_KEY: &str = "issued_link";

/// The school's staff (admins only), and a link issued a moment ago, once.
#[server]
pub async fn get_staff(search: String) -> Result<StaffOverview, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::pool()?;
    let staff = super::db::list(&pool, member.school_id, &search).await?;
    let session = gate::current_session().await?;
    let issued_link = session
        .remove::<super::IssuedLink>(ISSUED_LINK_KEY)
        .await
        .map_err(|_| AppError::Database)?;
    Ok(StaffOverview {
        staff,
        issued_link,
        me: member.user_id,
    })
}

/// The session key under which a parsed staff file waits for confirmation.
pub const IMPORT_KEY: &str = "staff_import";

/// The staff file being previewed (admins only), if any.
#[server]
pub async fn get_staff_import() -> Result<Option<super::import::StaffImport>, AppError> {
    use crate::accounts::{gate, Role};
    gate::require(Role::Admin).await?;
    let session = gate::current_session().await?;
    session
        .get::<super::import::StaffImport>(IMPORT_KEY)
        .await
        .map_err(|_| AppError::Database)
}

/// Whom a sign-in link is for (anyone holding the link may ask).
#[server]
pub async fn get_link_holder(token: String) -> Result<String, AppError> {
    let pool = crate::state::pool()?;
    let (_, _, name, _) = super::db::link_holder(&pool, &token, crate::clock::now()).await?;
    Ok(name)
}
