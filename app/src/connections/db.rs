//! Database functions for connections. The callers (server functions) check
//! who may mark and that the term is the current one; these functions keep
//! the history straight.

use sqlx::SqlitePool;

use super::Level;
use crate::AppError;

/// One mark: who, whom, which term.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    pub school_id: i64,
    pub term_id: i64,
    pub staff_id: i64,
    pub student_id: i64,
}

/// Sets a staff member's mark on a student to `level` (`None` removes it).
///
/// A different live mark is closed (`removed_at = now`) and a new row made;
/// the same mark again changes nothing, so a retried request is harmless.
/// Both statements run in one transaction whose first statement writes, so
/// concurrent marks queue on SQLite's write lock instead of failing. Two
/// requests can read the clock in one order and commit in the other, so a
/// removal is never dated before the mark it closes.
pub async fn set(
    pool: &SqlitePool,
    mark: Mark,
    level: Option<Level>,
    now: i64,
) -> Result<(), AppError> {
    let level = level.map(Level::as_str);
    let _turn = crate::db::write_turn(pool).await;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE connections SET removed_at = CASE WHEN made_at > $1 THEN made_at ELSE $1 END
         WHERE term_id = $2 AND staff_id = $3 AND student_id = $4 AND school_id = $5
           AND removed_at IS NULL AND ($6 IS NULL OR level <> $6)",
    )
    .bind(now)
    .bind(mark.term_id)
    .bind(mark.staff_id)
    .bind(mark.student_id)
    .bind(mark.school_id)
    .bind(level)
    .execute(&mut *tx)
    .await?;
    if let Some(level) = level {
        sqlx::query(
            "INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (term_id, staff_id, student_id) WHERE removed_at IS NULL DO NOTHING",
        )
        .bind(mark.school_id)
        .bind(mark.term_id)
        .bind(mark.staff_id)
        .bind(mark.student_id)
        .bind(level)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The staff member's live mark on the student in the term, if any.
pub async fn current(pool: &SqlitePool, mark: Mark) -> Result<Option<Level>, AppError> {
    let level: Option<String> = sqlx::query_scalar(
        "SELECT level FROM connections
         WHERE term_id = $1 AND staff_id = $2 AND student_id = $3 AND school_id = $4 AND removed_at IS NULL",
    )
    .bind(mark.term_id)
    .bind(mark.staff_id)
    .bind(mark.student_id)
    .bind(mark.school_id)
    .fetch_optional(pool)
    .await?;
    Ok(level.as_deref().and_then(Level::parse))
}

/// How many adults have a strong connection with the student in the term
/// now (from the live marks' index).
pub async fn strong_count_now(
    pool: &SqlitePool,
    term_id: i64,
    student_id: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM connections INDEXED BY connections_live_by_student
         WHERE term_id = $1 AND student_id = $2 AND level = 'strong' AND removed_at IS NULL",
    )
    .bind(term_id)
    .bind(student_id)
    .fetch_one(pool)
    .await?)
}

/// How many adults have a strong connection with the student in the term,
/// as of `at` (so past dates can be recomputed from the history).
pub async fn strong_count_at(
    pool: &SqlitePool,
    term_id: i64,
    student_id: i64,
    at: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM connections
         WHERE term_id = $1 AND student_id = $2 AND level = 'strong'
           AND made_at <= $3 AND (removed_at IS NULL OR removed_at > $3)",
    )
    .bind(term_id)
    .bind(student_id)
    .bind(at)
    .fetch_one(pool)
    .await?)
}
