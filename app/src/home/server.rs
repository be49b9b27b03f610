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

/// The school shown in the header, or `None` while the database is empty.
#[server]
pub async fn get_current_school() -> Result<Option<School>, AppError> {
    let pool = crate::state::pool()?;
    crate::schools::db::default_school(&pool).await
}

/// The home page's figures, or `None` while the database has no school.
#[server]
pub async fn get_home_summary() -> Result<Option<HomeSummary>, AppError> {
    let pool = crate::state::pool()?;
    let Some(school) = crate::schools::db::default_school(&pool).await? else {
        return Ok(None);
    };
    let today = crate::clock::day_to_string(crate::clock::today());
    let active_students = crate::schools::db::active_student_count(&pool, school.id).await?;
    let current_term = crate::terms::db::current(&pool, school.id, &today).await?;
    Ok(Some(HomeSummary {
        school,
        active_students,
        current_term,
    }))
}
