//! Database functions for terms.

use sqlx::SqlitePool;

use super::Term;
use crate::AppError;

const COLUMNS: &str = "id, name, starts_on, ends_on, is_pinned";

/// The current term of school `school` on day `today` (SQL parameters):
/// the pinned one, else the one containing the day (`SELECT id …`).
pub fn current_sql(school: &str, today: &str) -> String {
    format!(
        "FROM terms
         WHERE school_id = {school} AND (is_pinned = 1 OR (starts_on <= {today} AND ends_on >= {today}))
         ORDER BY is_pinned DESC, starts_on DESC
         LIMIT 1"
    )
}

#[derive(sqlx::FromRow)]
struct TermRow {
    id: i64,
    name: String,
    starts_on: String,
    ends_on: String,
    is_pinned: bool,
}

impl From<TermRow> for Term {
    fn from(row: TermRow) -> Self {
        Term {
            id: row.id,
            name: row.name,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            is_pinned: row.is_pinned,
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
    let row =
        sqlx::query_as::<_, TermRow>(&format!("SELECT {COLUMNS} {}", current_sql("$1", "$2")))
            .bind(school_id)
            .bind(today)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(Term::from))
}

/// The term before `term` (the latest one that ended before it started).
pub async fn previous(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
) -> Result<Option<Term>, AppError> {
    let row = sqlx::query_as::<_, TermRow>(&format!(
        "SELECT {COLUMNS} FROM terms
         WHERE school_id = $1 AND ends_on < $2
         ORDER BY ends_on DESC LIMIT 1"
    ))
    .bind(school_id)
    .bind(&term.starts_on)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Term::from))
}

/// Every term of the school, newest first.
pub async fn list(pool: &SqlitePool, school_id: i64) -> Result<Vec<Term>, AppError> {
    let rows = sqlx::query_as::<_, TermRow>(&format!(
        "SELECT {COLUMNS} FROM terms WHERE school_id = $1 ORDER BY starts_on DESC"
    ))
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Term::from).collect())
}

async fn find(pool: &SqlitePool, school_id: i64, term_id: i64) -> Result<Term, AppError> {
    let row = sqlx::query_as::<_, TermRow>(&format!(
        "SELECT {COLUMNS} FROM terms WHERE school_id = $1 AND id = $2"
    ))
    .bind(school_id)
    .bind(term_id)
    .fetch_optional(pool)
    .await?;
    row.map(Term::from).ok_or(AppError::NotFound)
}

/// A term as typed into the form.
#[derive(Clone, Debug)]
pub struct Draft {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// Checks a draft: a name, two real days in order, and no overlap with the
/// school's other terms (so "the term containing today" is always one term).
async fn check(
    pool: &SqlitePool,
    school_id: i64,
    editing: Option<i64>,
    draft: &Draft,
) -> Result<Draft, AppError> {
    let name = draft.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid(
            "Give the term a name, such as “Fall 2026”.".into(),
        ));
    }
    if name.chars().count() > crate::limits::TERM_NAME {
        return Err(AppError::Invalid(format!(
            "The term's name is longer than {} characters; shorten it.",
            crate::limits::TERM_NAME
        )));
    }
    let day = |text: &str, which: &str| {
        crate::clock::parse_day(text.trim()).ok_or_else(|| {
            AppError::Invalid(format!(
                "The {which} date is not a date. Use the date picker or type it as YYYY-MM-DD."
            ))
        })
    };
    let first = day(&draft.starts_on, "first")?;
    let last = day(&draft.ends_on, "last")?;
    if first > last {
        return Err(AppError::Invalid(
            "The term's last day is before its first day.".into(),
        ));
    }
    let days = (last - first).whole_days() + 1;
    if days > super::MAX_TERM_DAYS {
        return Err(AppError::Invalid(format!(
            "A term can be at most {} days long (a school year); these dates make it {days} days. Check the years of both dates.",
            super::MAX_TERM_DAYS
        )));
    }
    let starts_on = crate::clock::day_to_string(first);
    let ends_on = crate::clock::day_to_string(last);
    let overlapping: Option<String> = sqlx::query_scalar(
        "SELECT name FROM terms
         WHERE school_id = $1 AND id IS NOT $2 AND starts_on <= $4 AND ends_on >= $3
         ORDER BY starts_on LIMIT 1",
    )
    .bind(school_id)
    .bind(editing)
    .bind(&starts_on)
    .bind(&ends_on)
    .fetch_optional(pool)
    .await?;
    if let Some(other) = overlapping {
        return Err(AppError::Invalid(format!(
            "Those dates overlap “{other}”. Terms cannot overlap: change the dates of one of them."
        )));
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM terms WHERE school_id = $1 AND name = $2 AND id IS NOT $3",
    )
    .bind(school_id)
    .bind(name)
    .bind(editing)
    .fetch_optional(pool)
    .await?;
    if taken.is_some() {
        return Err(AppError::Invalid(format!(
            "Another term is already called “{name}”."
        )));
    }
    Ok(Draft {
        name: name.to_string(),
        starts_on,
        ends_on,
    })
}

/// Creates a term; returns its id.
pub async fn create(
    pool: &SqlitePool,
    school_id: i64,
    draft: &Draft,
    now: i64,
) -> Result<i64, AppError> {
    let draft = check(pool, school_id, None, draft).await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(school_id)
    .bind(&draft.name)
    .bind(&draft.starts_on)
    .bind(&draft.ends_on)
    .bind(now)
    .fetch_one(pool)
    .await?)
}

const PAST_IS_READ_ONLY: &str =
    "That term has ended, so it is read-only: its marks are the record of that term.";

/// Changes a term's name and dates. A term that has ended cannot change.
pub async fn update(
    pool: &SqlitePool,
    school_id: i64,
    term_id: i64,
    draft: &Draft,
    today: &str,
) -> Result<(), AppError> {
    let term = find(pool, school_id, term_id).await?;
    if term.is_past(today) {
        return Err(AppError::Invalid(PAST_IS_READ_ONLY.into()));
    }
    let draft = check(pool, school_id, Some(term_id), draft).await?;
    sqlx::query(
        "UPDATE terms SET name = $1, starts_on = $2, ends_on = $3 WHERE school_id = $4 AND id = $5",
    )
    .bind(&draft.name)
    .bind(&draft.starts_on)
    .bind(&draft.ends_on)
    .bind(school_id)
    .bind(term_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Pins a term as current (unpinning any other), or unpins it. A term that
/// has ended cannot be pinned: marking never goes to a past term.
pub async fn pin(
    pool: &SqlitePool,
    school_id: i64,
    term_id: i64,
    pinned: bool,
    today: &str,
) -> Result<Term, AppError> {
    let term = find(pool, school_id, term_id).await?;
    if pinned && term.is_past(today) {
        return Err(AppError::Invalid(PAST_IS_READ_ONLY.into()));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE terms SET is_pinned = 0 WHERE school_id = $1 AND (is_pinned = 1 OR id = $2)",
    )
    .bind(school_id)
    .bind(term_id)
    .execute(&mut *tx)
    .await?;
    if pinned {
        sqlx::query("UPDATE terms SET is_pinned = 1 WHERE school_id = $1 AND id = $2")
            .bind(school_id)
            .bind(term_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(term)
}
