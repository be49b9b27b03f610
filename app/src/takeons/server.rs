//! Server functions of the unconnected list, take-ons and the meeting
//! board. Changes go through plain form routes (`server/src/takeons.rs`)
//! so they work without JavaScript.

use leptos::prelude::*;

use super::{
    AssignChoice, Board, FollowUp, ListFilters, MyTakeOnsPart, TakeOnDetail, UnconnectedList,
};
use crate::AppError;

#[cfg(feature = "ssr")]
async fn take_flash() -> Result<Option<crate::terms::Flash>, AppError> {
    let session = crate::accounts::gate::current_session().await?;
    session
        .remove::<crate::terms::Flash>(super::FLASH_KEY)
        .await
        .map_err(|_| AppError::Database)
}

#[cfg(feature = "ssr")]
async fn current_term(school_id: i64) -> Result<Option<crate::terms::Term>, AppError> {
    let pool = crate::state::db()?;
    let today = crate::clock::day_to_string(crate::clock::today());
    crate::terms::db::current(&pool, school_id, &today).await
}

/// Students with no (or one) strong connection this term (counselors and
/// admins).
#[server]
pub async fn get_unconnected(filters: ListFilters) -> Result<UnconnectedList, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Counselor).await?;
    let pool = crate::state::db()?;
    let term = current_term(member.school_id).await?;
    let choices = super::db::choices(&pool, member.school_id).await?;
    let (rows, total) = match &term {
        Some(term) => super::db::unconnected(&pool, member.school_id, term, &filters).await?,
        None => (Vec::new(), 0),
    };
    let mut list = super::db::list(term.as_ref(), filters, rows, total, choices);
    list.flash = take_flash().await?;
    Ok(list)
}

/// Who could take a student on, with loads (counselors and admins).
#[server]
pub async fn get_assign(student_id: i64) -> Result<AssignChoice, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Counselor).await?;
    let pool = crate::state::db()?;
    async {
        crate::connections::marking::active_student(&pool, member.school_id, student_id).await?;
        let term = current_term(member.school_id)
            .await?
            .ok_or_else(|| AppError::Invalid("No term is current.".into()))?;
        super::db::assign_choice(&pool, member.school_id, &term, student_id).await
    }
    .await
    .inspect_err(|e| e.set_response_status())
}

/// A take-on and its check-ins: for its adult, counselors and admins.
/// Reading the notes is recorded in the audit log.
#[server]
pub async fn get_take_on(id: i64) -> Result<TakeOnDetail, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    let today = crate::clock::today();
    let take_on = super::db::find(&pool, &member, id, today)
        .await
        .inspect_err(|e| {
            e.set_response_status();
        })?;
    let check_ins = super::db::check_ins(&pool, &member, &take_on, crate::clock::now()).await?;
    Ok(TakeOnDetail {
        is_mine: take_on.staff_id == member.user_id,
        take_on,
        check_ins,
        today: crate::clock::day_to_string(today),
        flash: take_flash().await?,
    })
}

/// The students the signed-in person is connecting with (home page).
#[server]
pub async fn get_my_take_ons() -> Result<MyTakeOnsPart, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    let flash = take_flash().await?;
    let take_ons = match current_term(member.school_id).await? {
        Some(term) => {
            super::db::mine(
                &pool,
                member.school_id,
                term.id,
                member.user_id,
                crate::clock::today(),
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(MyTakeOnsPart { take_ons, flash })
}

/// Every active take-on, the quietest first (counselors and admins).
#[server]
pub async fn get_follow_up() -> Result<FollowUp, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Counselor).await?;
    let pool = crate::state::db()?;
    let term = current_term(member.school_id).await?;
    let mut page =
        super::db::follow_up_page(&pool, &member, term.as_ref(), crate::clock::today()).await?;
    page.flash = take_flash().await?;
    Ok(page)
}

/// The staff-meeting board (everyone signed in): counts only, and first
/// names when an admin switched them on; never concerns or notes.
#[server]
pub async fn get_meeting_board() -> Result<Board, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Staff).await?;
    let pool = crate::state::db()?;
    let term = current_term(member.school_id).await?;
    super::db::board(&pool, member.school_id, term.as_ref()).await
}
