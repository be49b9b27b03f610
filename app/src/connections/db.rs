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

/// Who marks: the signed-in person and the school they act for.
#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub user_id: i64,
    pub school_id: i64,
}

impl From<&crate::accounts::Member> for Marker {
    fn from(member: &crate::accounts::Member) -> Self {
        Marker {
            user_id: member.user_id,
            school_id: member.school_id,
        }
    }
}

/// The marking page's progress line in term `t.id` (a one-row `t`) for
/// staff member `$3` at school `$1`.
pub const PROGRESS_COLUMNS: &str = "
    (SELECT COUNT(*) FROM connections c
     JOIN students s ON s.school_id = c.school_id AND s.id = c.student_id AND s.is_active = 1
     WHERE c.term_id = t.id AND c.staff_id = $3 AND c.removed_at IS NULL),
    (SELECT COUNT(*) FROM connections c
     JOIN students s ON s.school_id = c.school_id AND s.id = c.student_id AND s.is_active = 1
     WHERE c.term_id = t.id AND c.staff_id = $3 AND c.removed_at IS NULL AND c.level = 'strong'),
    -- Kept by triggers (migration 0003).
    (SELECT connected FROM term_coverage WHERE term_id = t.id),
    (SELECT COUNT(*) FROM students WHERE school_id = $1 AND is_active = 1)";

/// A mark and its answer in one round trip to the database: the write
/// (migration 0009: the checks, closing a different live mark, making the
/// new one) and then the student's strong count and the progress line.
/// $1 school, $2 today, $3 staff member, $4 student, $5 level, $6 now.
static MARK: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let current = crate::terms::db::CURRENT;
    format!(
        "INSERT INTO mark_requests (school_id, term_id, staff_id, student_id, level, at)
         VALUES ($1, (SELECT id {current}), $3, $4, $5, $6);
         SELECT
            (SELECT COUNT(*) FROM connections x INDEXED BY connections_live_by_student
             WHERE x.term_id = t.id AND x.student_id = $4
               AND x.level = 'strong' AND x.removed_at IS NULL),
            {PROGRESS_COLUMNS}
         FROM (SELECT id {current}) t"
    )
});

/// Why a mark was refused, from the write's own checks.
fn refused(error: sqlx::Error) -> AppError {
    if let sqlx::Error::Database(database) = &error {
        match database.message() {
            "tether: not a member" => return AppError::Unauthorized,
            "tether: no such student" => return AppError::NotFound,
            "tether: no open term" => return AppError::Invalid(super::marking::NO_TERM.into()),
            _ => {}
        }
    }
    error.into()
}

/// Sets `marker`'s mark on a student in the school's current term on
/// `today` to `level` (`None` removes it), and answers with the student's
/// strong connections and the marker's progress line.
///
/// A different live mark is closed (`removed_at = now`) and a new row made;
/// the same mark again changes nothing, so a retried request is harmless.
/// `Unauthorized` when the account or membership is no longer active,
/// `NotFound` when the student is not an active student of the school.
/// The write is one short statement, so it queues on SQLite's own lock.
pub async fn set(
    pool: &SqlitePool,
    marker: Marker,
    student_id: i64,
    level: Option<Level>,
    now: i64,
    today: &str,
) -> Result<(i64, super::Progress), AppError> {
    let (strong, marked, mine_strong, connected, active): (i64, i64, i64, Option<i64>, i64) =
        sqlx::query_as(MARK.as_str())
            .bind(marker.school_id)
            .bind(today)
            .bind(marker.user_id)
            .bind(student_id)
            .bind(level.map(Level::as_str))
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(refused)?;
    Ok((
        strong,
        super::Progress {
            marked,
            strong: mine_strong,
            connected: connected.unwrap_or(0),
            active,
        },
    ))
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
