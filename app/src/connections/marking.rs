//! The marking page's queries and actions, for the server functions and the
//! plain form routes alike: what the viewer sees, and saving a mark or a
//! concern for the current term.

use sqlx::SqlitePool;

use super::{Level, MarkFilters, MarkList, MarkSaved, MarkSetup, Progress, SavedNote, StudentRow};
use crate::accounts::{Member, Role};
use crate::terms::{self, Term};
use crate::AppError;

use super::PAGE_SIZE;

/// Said when no term contains today.
pub const NO_TERM: &str = "No term is open for marking. Ask your school's Tether admin to add a term that contains today.";

/// The term marking goes to today, or a message saying there is none.
pub async fn open_term(pool: &SqlitePool, school_id: i64, today: &str) -> Result<Term, AppError> {
    terms::db::current(pool, school_id, today)
        .await?
        .ok_or_else(|| AppError::Invalid(NO_TERM.into()))
}

pub async fn setup(pool: &SqlitePool, member: &Member, today: &str) -> Result<MarkSetup, AppError> {
    let term = terms::db::current(pool, member.school_id, today).await?;
    let previous_term = match &term {
        Some(term) => terms::db::previous(pool, member.school_id, term)
            .await?
            .map(|t| t.name),
        None => None,
    };
    let grades: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT grade FROM students WHERE school_id = $1 AND is_active = 1 ORDER BY grade",
    )
    .bind(member.school_id)
    .fetch_all(pool)
    .await?;
    let homerooms: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT homeroom FROM students
         WHERE school_id = $1 AND is_active = 1 AND homeroom IS NOT NULL AND homeroom <> ''
         ORDER BY homeroom COLLATE NOCASE",
    )
    .bind(member.school_id)
    .fetch_all(pool)
    .await?;
    Ok(MarkSetup {
        term,
        previous_term,
        grades,
        homerooms,
        sees_concerns: member.can(Role::Counselor),
        queue_key: format!("tether.unsent.{}.{}", member.user_id, member.school_id),
    })
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    sis_id: String,
    first_name: String,
    last_name: String,
    preferred_name: Option<String>,
    grade: i64,
    homeroom: Option<String>,
    strong: i64,
    mine: Option<String>,
    last_term: Option<String>,
    my_concern: Option<String>,
    other_concerns: i64,
}

/// The marking list's search and filters, shared by its count and its page.
const LIST_FILTERS: &str = r#"
    WHERE s.school_id = $1 AND s.is_active = 1
      AND ($4 = ''
           OR (s.first_name || ' ' || s.last_name) LIKE $4 ESCAPE '\'
           OR (COALESCE(s.preferred_name, '') || ' ' || s.last_name) LIKE $4 ESCAPE '\'
           OR s.sis_id LIKE $4 ESCAPE '\')
      AND ($5 IS NULL OR s.grade = $5)
      AND ($6 = '' OR s.homeroom = $6)
      AND CASE $7
            WHEN 'unconnected' THEN NOT EXISTS (
                SELECT 1 FROM connections x INDEXED BY connections_live_strong
                WHERE x.term_id = $2 AND x.student_id = s.id
                  AND x.removed_at IS NULL AND x.level = 'strong')
            WHEN 'marked' THEN EXISTS (
                SELECT 1 FROM connections x
                WHERE x.term_id = $2 AND x.staff_id = $3 AND x.student_id = s.id
                  AND x.removed_at IS NULL)
            WHEN 'classes' THEN EXISTS (
                SELECT 1 FROM class_students cs
                JOIN class_staff cf ON cf.class_id = cs.class_id
                WHERE cs.student_id = s.id AND cf.staff_id = $3 AND cf.school_id = $1)
            ELSE 1 END
"#;

/// The name a student is called by: preferred (or first) name, last name.
pub fn display_name(first: &str, preferred: Option<&str>, last: &str) -> String {
    let called = preferred
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(first.trim());
    format!("{called} {}", last.trim())
}

/// `%text%` for LIKE, with LIKE's own wildcards taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One page of the student list as `member` sees it, in the current term.
pub async fn list(
    pool: &SqlitePool,
    member: &Member,
    filters: &MarkFilters,
    today: &str,
) -> Result<MarkList, AppError> {
    let term = terms::db::current(pool, member.school_id, today).await?;
    let previous = match &term {
        Some(term) => terms::db::previous(pool, member.school_id, term).await?,
        None => None,
    };
    let term_id = term.as_ref().map(|t| t.id).unwrap_or(-1);
    let previous_id = previous.map(|t| t.id).unwrap_or(-1);
    let search = if filters.q.is_empty() {
        String::new()
    } else {
        like_pattern(&filters.q)
    };
    // $1 school, $2 term, $3 viewer, $4 search, $5 grade, $6 homeroom, $7 show.
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM students s {LIST_FILTERS}"))
        .bind(member.school_id)
        .bind(term_id)
        .bind(member.user_id)
        .bind(&search)
        .bind(filters.grade)
        .bind(&filters.homeroom)
        .bind(filters.show.as_str())
        .fetch_one(pool)
        .await?;
    // A page past the end (an old link, a typed number) shows the last one.
    let pages = u32::try_from(total.max(1))
        .unwrap_or(u32::MAX)
        .div_ceil(PAGE_SIZE);
    let page = filters.page.clamp(1, pages);
    // Then $8 previous term, $9 limit, $10 offset, $11 sees concerns. Every
    // per-student figure is a probe of an index, made for the page's rows only.
    let rows = sqlx::query_as::<_, Row>(&format!(
        r#"SELECT s.id, s.sis_id, s.first_name, s.last_name, s.preferred_name, s.grade, s.homeroom,
                  (SELECT COUNT(*) FROM connections x INDEXED BY connections_live_strong
                   WHERE x.term_id = $2 AND x.student_id = s.id
                     AND x.removed_at IS NULL AND x.level = 'strong') AS strong,
                  (SELECT x.level FROM connections x
                   WHERE x.term_id = $2 AND x.staff_id = $3 AND x.student_id = s.id
                     AND x.removed_at IS NULL) AS mine,
                  (SELECT x.level FROM connections x
                   WHERE x.term_id = $8 AND x.staff_id = $3 AND x.student_id = s.id
                     AND x.removed_at IS NULL) AS last_term,
                  (SELECT COALESCE(k.reason, '') FROM concerns k
                   WHERE k.term_id = $2 AND k.student_id = s.id AND k.raised_by = $3
                     AND k.resolved_at IS NULL) AS my_concern,
                  CASE WHEN $11 THEN
                      (SELECT COUNT(*) FROM concerns k
                       WHERE k.term_id = $2 AND k.student_id = s.id AND k.raised_by <> $3
                         AND k.resolved_at IS NULL)
                  ELSE 0 END AS other_concerns
           FROM students s
           {LIST_FILTERS}
           ORDER BY s.last_name COLLATE NOCASE, s.first_name COLLATE NOCASE, s.id
           LIMIT $9 OFFSET $10"#
    ))
    .bind(member.school_id)
    .bind(term_id)
    .bind(member.user_id)
    .bind(&search)
    .bind(filters.grade)
    .bind(&filters.homeroom)
    .bind(filters.show.as_str())
    .bind(previous_id)
    .bind(PAGE_SIZE as i64)
    .bind(i64::from(page - 1) * i64::from(PAGE_SIZE))
    .bind(member.can(Role::Counselor))
    .fetch_all(pool)
    .await?;
    let rows: Vec<StudentRow> = rows
        .into_iter()
        .map(|r| StudentRow {
            id: r.id,
            name: display_name(&r.first_name, r.preferred_name.as_deref(), &r.last_name),
            sis_id: r.sis_id,
            grade: r.grade,
            homeroom: r.homeroom,
            strong: r.strong,
            mine: r.mine.as_deref().and_then(Level::parse),
            last_term: r.last_term.as_deref().and_then(Level::parse),
            my_concern: r.my_concern,
            other_concerns: r.other_concerns,
        })
        .collect();
    let progress = match term {
        Some(term) => progress(pool, member, term.id).await?,
        None => Progress {
            active: active_count(pool, member.school_id).await?,
            ..Progress::default()
        },
    };
    let saved = match filters.saved {
        Some(id) => match active_student(pool, member.school_id, id).await {
            Ok(name) => {
                let mine = match term_id {
                    -1 => None,
                    term_id => {
                        let mark = super::db::Mark {
                            school_id: member.school_id,
                            term_id,
                            staff_id: member.user_id,
                            student_id: id,
                        };
                        super::db::current(pool, mark).await?
                    }
                };
                Some(SavedNote {
                    id,
                    name,
                    mine,
                    shown: rows.iter().any(|r: &StudentRow| r.id == id),
                })
            }
            Err(AppError::NotFound) => None,
            Err(other) => return Err(other),
        },
        None => None,
    };
    Ok(MarkList {
        rows,
        total,
        page,
        pages,
        progress,
        saved,
    })
}

async fn active_count(pool: &SqlitePool, school_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE school_id = $1 AND is_active = 1")
            .bind(school_id)
            .fetch_one(pool)
            .await?,
    )
}

/// The viewer's marks and the school's coverage in the term.
pub async fn progress(
    pool: &SqlitePool,
    member: &Member,
    term_id: i64,
) -> Result<Progress, AppError> {
    let figures: (Option<i64>, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(&format!(
        "SELECT {}",
        super::db::progress_columns("$1", "$3", "$2")
    ))
    .bind(member.school_id)
    .bind(term_id)
    .bind(member.user_id)
    .fetch_one(pool)
    .await?;
    let (marked, strong, connected, active) = figures;
    Ok(Progress {
        marked: marked.unwrap_or(0),
        strong: strong.unwrap_or(0),
        connected: connected.unwrap_or(0),
        active: active.unwrap_or(0),
    })
}

/// The student, if active at the member's school: `(id, name)`.
pub async fn active_student(
    pool: &SqlitePool,
    school_id: i64,
    student_id: i64,
) -> Result<String, AppError> {
    let row: Option<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT first_name, preferred_name, last_name FROM students
         WHERE school_id = $1 AND id = $2 AND is_active = 1",
    )
    .bind(school_id)
    .bind(student_id)
    .fetch_optional(pool)
    .await?;
    let (first, preferred, last) = row.ok_or(AppError::NotFound)?;
    Ok(display_name(&first, preferred.as_deref(), &last))
}

/// Sets the marker's mark on a student in the current term (`None`
/// removes it) and answers with the student's count and the progress line,
/// in one round trip to the database (see `db::set`).
pub async fn mark(
    db: &crate::db::Db,
    marker: impl Into<super::db::Marker>,
    student_id: i64,
    level: Option<Level>,
    now: i64,
    today: &str,
) -> Result<MarkSaved, AppError> {
    let (strong, progress) =
        super::db::set(db, marker.into(), student_id, level, now, today).await?;
    Ok(MarkSaved {
        student_id,
        level,
        strong,
        progress,
    })
}

/// Raises (or updates the reason of) the member's concern about a student
/// in the current term, or withdraws it. Answers with the open concern's
/// reason, `None` when withdrawn.
pub async fn concern(
    pool: &crate::db::Db,
    member: &Member,
    student_id: i64,
    raise: bool,
    reason: &str,
    now: i64,
    today: &str,
) -> Result<Option<String>, AppError> {
    active_student(pool, member.school_id, student_id).await?;
    let term = open_term(pool, member.school_id, today).await?;
    let reason = reason.trim();
    if reason.chars().count() > crate::limits::CONCERN_REASON {
        return Err(AppError::Invalid(format!(
            "The reason is longer than {} characters; keep it short: counselors will follow up in person.",
            crate::limits::CONCERN_REASON
        )));
    }
    let stored = (!reason.is_empty()).then_some(reason);
    let _turn = pool.write_turn().await;
    let mut tx = pool.begin().await?;
    if raise {
        let updated = sqlx::query(
            "UPDATE concerns SET reason = $1
             WHERE term_id = $2 AND student_id = $3 AND raised_by = $4 AND school_id = $5
               AND resolved_at IS NULL",
        )
        .bind(stored)
        .bind(term.id)
        .bind(student_id)
        .bind(member.user_id)
        .bind(member.school_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO concerns (school_id, term_id, student_id, raised_by, reason, raised_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(member.school_id)
            .bind(term.id)
            .bind(student_id)
            .bind(member.user_id)
            .bind(stored)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    } else {
        sqlx::query(
            "UPDATE concerns
             SET resolved_at = CASE WHEN raised_at > $1 THEN raised_at ELSE $1 END, resolved_by = $4
             WHERE term_id = $2 AND student_id = $3 AND raised_by = $4 AND school_id = $5
               AND resolved_at IS NULL",
        )
        .bind(now)
        .bind(term.id)
        .bind(student_id)
        .bind(member.user_id)
        .bind(member.school_id)
        .execute(&mut *tx)
        .await?;
    }
    let action = if raise {
        "concern.raised"
    } else {
        "concern.withdrawn"
    };
    crate::audit::db::record(
        &mut *tx,
        crate::audit::db::Event::by(member, action, Some(format!("student:{student_id}"))),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(raise.then(|| reason.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_use_the_preferred_name() {
        assert_eq!(
            display_name("Robert", Some("Bobby"), "Nakamura"),
            "Bobby Nakamura"
        );
        assert_eq!(display_name("Zoë", Some("  "), "D'Angelo"), "Zoë D'Angelo");
        assert_eq!(display_name("Ana", None, "de la Cruz"), "Ana de la Cruz");
    }

    #[test]
    fn search_text_is_taken_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
