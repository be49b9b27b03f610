//! Server functions of the home page. Thin by rule: find the school, call
//! the domain's database functions, map errors.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::schools::School;
use crate::terms::Term;
use crate::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSummary {
    pub school: School,
    pub active_students: i64,
    pub current_term: Option<Term>,
}

/// The home page's figures for the signed-in person's school.
#[server]
pub async fn get_home_summary() -> Result<HomeSummary, AppError> {
    let member = crate::accounts::gate::require(crate::accounts::Role::Staff).await?;
    let pool = crate::state::db()?;
    let school = crate::schools::db::school(&pool, member.school_id).await?;
    let today = crate::clock::day_to_string(crate::clock::today());
    let active_students = crate::schools::db::active_student_count(&pool, school.id).await?;
    let current_term = crate::terms::db::current(&pool, school.id, &today).await?;
    Ok(HomeSummary {
        school,
        active_students,
        current_term,
    })
}
