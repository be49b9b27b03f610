//! Database functions for schools.

use sqlx::SqlitePool;

use super::School;
use crate::AppError;

#[derive(sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    name: String,
    is_demo: bool,
}

impl From<SchoolRow> for School {
    fn from(row: SchoolRow) -> Self {
        School {
            id: row.id,
            name: row.name,
            is_demo: row.is_demo,
        }
    }
}

/// The school pages show while there is no sign-in yet: the first one
/// created. Issue #3 replaces this with the signed-in person's membership.
pub async fn default_school(pool: &SqlitePool) -> Result<Option<School>, AppError> {
    let row =
        sqlx::query_as::<_, SchoolRow>("SELECT id, name, is_demo FROM schools ORDER BY id LIMIT 1")
            .fetch_optional(pool)
            .await?;
    Ok(row.map(School::from))
}

pub async fn count(pool: &SqlitePool) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM schools")
        .fetch_one(pool)
        .await?)
}

pub async fn active_student_count(pool: &SqlitePool, school_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE school_id = $1 AND is_active = 1")
            .bind(school_id)
            .fetch_one(pool)
            .await?,
    )
}
