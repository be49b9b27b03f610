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

/// One school by id (the caller's membership decides which).
pub async fn school(pool: &SqlitePool, school_id: i64) -> Result<School, AppError> {
    let row = sqlx::query_as::<_, SchoolRow>("SELECT id, name, is_demo FROM schools WHERE id = $1")
        .bind(school_id)
        .fetch_one(pool)
        .await?;
    Ok(School::from(row))
}

/// The school with this exact name, if any.
pub async fn find_by_name(pool: &SqlitePool, name: &str) -> Result<Option<School>, AppError> {
    let row =
        sqlx::query_as::<_, SchoolRow>("SELECT id, name, is_demo FROM schools WHERE name = $1")
            .bind(name.trim())
            .fetch_optional(pool)
            .await?;
    Ok(row.map(School::from))
}

pub async fn create(pool: &SqlitePool, name: &str, now: i64) -> Result<School, AppError> {
    let row = sqlx::query_as::<_, SchoolRow>(
        "INSERT INTO schools (name, created_at) VALUES ($1, $2) RETURNING id, name, is_demo",
    )
    .bind(name.trim())
    .bind(now)
    .fetch_one(pool)
    .await?;
    Ok(School::from(row))
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
