//! Database functions for terms.

use sqlx::SqlitePool;

use super::Term;
use crate::AppError;

#[derive(sqlx::FromRow)]
struct TermRow {
    id: i64,
    name: String,
    starts_on: String,
    ends_on: String,
}

impl From<TermRow> for Term {
    fn from(row: TermRow) -> Self {
        Term {
            id: row.id,
            name: row.name,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
        }
    }
}

/// The term marking goes to: the pinned term if an admin pinned one,
/// otherwise the term containing `today` (`YYYY-MM-DD`).
pub async fn current(
    pool: &SqlitePool,
    school_id: i64,
    today: &str,
) -> Result<Option<Term>, AppError> {
    let row = sqlx::query_as::<_, TermRow>(
        "SELECT id, name, starts_on, ends_on FROM terms
         WHERE school_id = $1 AND (is_pinned = 1 OR (starts_on <= $2 AND ends_on >= $2))
         ORDER BY is_pinned DESC, starts_on DESC
         LIMIT 1",
    )
    .bind(school_id)
    .bind(today)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Term::from))
}
