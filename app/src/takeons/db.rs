//! Database functions for the unconnected list, take-ons, check-ins and the
//! meeting board. Every function is scoped to one school.

use std::collections::HashMap;

use sqlx::SqlitePool;

use super::{
    AssignChoice, Board, Candidate, CheckIn, FollowUp, ListFilters, Sort, TakeOn, TakeOnBrief,
    UnconnectedList, UnconnectedRow, View, PAGE_SIZE,
};
use crate::accounts::{Member, Role};
use crate::audit::db::{record, Event};
use crate::connections::marking::display_name;
use crate::terms::Term;
use crate::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub take_on_cap: i64,
    pub meeting_names: bool,
}

pub async fn settings(pool: &SqlitePool, school_id: i64) -> Result<Settings, AppError> {
    let row: Option<(i64, bool)> = sqlx::query_as(
        "SELECT take_on_cap, meeting_names FROM school_settings WHERE school_id = $1",
    )
    .bind(school_id)
    .fetch_optional(pool)
    .await?;
    let (take_on_cap, meeting_names) = row.unwrap_or((5, false));
    Ok(Settings {
        take_on_cap,
        meeting_names,
    })
}

/// Changes the school's settings (admins), recorded in the audit log.
pub async fn set_settings(
    pool: &SqlitePool,
    member: &Member,
    settings: Settings,
    now: i64,
) -> Result<(), AppError> {
    if !member.can(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    if !(1..=50).contains(&settings.take_on_cap) {
        return Err(AppError::Invalid(
            "The number of students one adult takes on must be between 1 and 50.".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO school_settings (school_id, take_on_cap, meeting_names) VALUES ($1, $2, $3)
         ON CONFLICT (school_id) DO UPDATE SET take_on_cap = $2, meeting_names = $3",
    )
    .bind(member.school_id)
    .bind(settings.take_on_cap)
    .bind(settings.meeting_names)
    .execute(&mut *tx)
    .await?;
    record(
        &mut *tx,
        Event {
            detail: Some(format!(
                "take-on cap {}; meeting board names {}",
                settings.take_on_cap,
                if settings.meeting_names { "on" } else { "off" }
            )),
            ..Event::by(
                member,
                "settings.changed",
                Some(format!("school:{}", member.school_id)),
            )
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// id, first name, preferred name, last name, grade, homeroom.
type StudentListRow = (i64, String, Option<String>, String, i64, Option<String>);

/// Live strong connections of a student, as a filter on `s` (students).
const STRONG_COUNT: &str = "(SELECT COUNT(*) FROM connections x INDEXED BY connections_live_strong
      WHERE x.term_id = $1 AND x.student_id = s.id AND x.removed_at IS NULL AND x.level = 'strong')";

/// The unconnected list of `term`: active students with no (or exactly
/// one) strong connection, filtered, sorted and one page of it.
pub async fn unconnected(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
    filters: &ListFilters,
) -> Result<(Vec<UnconnectedRow>, i64), AppError> {
    rows(pool, school_id, term, filters, false).await
}

/// The list's rows: one page, or every row (`all`, for the export: one
/// query, so a mark made meanwhile cannot shift a page and drop someone).
async fn rows(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
    filters: &ListFilters,
    all: bool,
) -> Result<(Vec<UnconnectedRow>, i64), AppError> {
    let page_number = filters.page.clamp(1, super::MAX_PAGE);
    let wanted = match filters.view {
        View::None => 0,
        View::One => 1,
    };
    let (group_name, group_value) = filters.group_pair().unwrap_or(("", ""));
    let knows = "(SELECT COUNT(*) FROM connections k INDEXED BY connections_live_by_student
          WHERE k.term_id = $1 AND k.student_id = s.id AND k.removed_at IS NULL AND k.level = 'knows')";
    let filter = format!(
        "FROM students s
         WHERE s.school_id = $2 AND s.is_active = 1
           AND {STRONG_COUNT} = $3
           AND ($4 IS NULL OR s.grade = $4)
           AND ($5 = '' OR s.homeroom = $5)
           AND ($6 = '' OR EXISTS (SELECT 1 FROM student_attributes a
                WHERE a.student_id = s.id AND a.name = $6 AND a.value = $7))"
    );
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {filter}"))
        .bind(term.id)
        .bind(school_id)
        .bind(wanted)
        .bind(filters.grade)
        .bind(&filters.homeroom)
        .bind(group_name)
        .bind(group_value)
        .fetch_one(pool)
        .await?;
    let order = match filters.sort {
        Sort::Unknown => format!("{knows}, s.last_name, s.first_name, s.id"),
        Sort::Name => "s.last_name, s.first_name, s.id".to_string(),
        Sort::Grade => "s.grade, s.last_name, s.first_name, s.id".to_string(),
    };
    let page: Vec<StudentListRow> = sqlx::query_as(&format!(
        "SELECT s.id, s.first_name, s.preferred_name, s.last_name, s.grade, s.homeroom
             {filter} ORDER BY {order} LIMIT $8 OFFSET $9"
    ))
    .bind(term.id)
    .bind(school_id)
    .bind(wanted)
    .bind(filters.grade)
    .bind(&filters.homeroom)
    .bind(group_name)
    .bind(group_value)
    .bind(if all { -1 } else { PAGE_SIZE })
    .bind(if all {
        0
    } else {
        (page_number - 1) * PAGE_SIZE
    })
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = page.iter().map(|row| row.0).collect();
    let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    // Who marked them (knows, or the one strong), with names.
    let marks: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT c.student_id, c.level, u.name FROM connections c JOIN users u ON u.id = c.staff_id
         WHERE c.term_id = $1 AND c.removed_at IS NULL
           AND c.student_id IN (SELECT value FROM json_each($2))
         ORDER BY u.name",
    )
    .bind(term.id)
    .bind(&ids_json)
    .fetch_all(pool)
    .await?;
    let concerns: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT student_id, reason FROM concerns
         WHERE term_id = $1 AND resolved_at IS NULL
           AND student_id IN (SELECT value FROM json_each($2))
         ORDER BY raised_at",
    )
    .bind(term.id)
    .bind(&ids_json)
    .fetch_all(pool)
    .await?;
    let take_ons = briefs(pool, term.id, &ids_json).await?;
    let rows = page
        .into_iter()
        .map(|(id, first, preferred, last, grade, homeroom)| {
            let mine = |level: &str| -> Vec<String> {
                marks
                    .iter()
                    .filter(|(s, l, _)| *s == id && l == level)
                    .map(|(_, _, name)| name.clone())
                    .collect()
            };
            let student_concerns: Vec<&Option<String>> = concerns
                .iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, reason)| reason)
                .collect();
            UnconnectedRow {
                student_id: id,
                name: display_name(&first, preferred.as_deref(), &last),
                grade,
                homeroom,
                strong_by: mine("strong").into_iter().next(),
                known_by: mine("knows"),
                concerns: student_concerns.len() as i64,
                concern_reasons: student_concerns
                    .into_iter()
                    .flatten()
                    .filter(|r| !r.trim().is_empty())
                    .cloned()
                    .collect(),
                take_ons: take_ons.get(&id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    Ok((rows, total))
}

/// Active and connected take-ons of students (ids as a JSON array).
async fn briefs(
    pool: &SqlitePool,
    term_id: i64,
    ids_json: &str,
) -> Result<HashMap<i64, Vec<TakeOnBrief>>, AppError> {
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT t.student_id, t.id, u.name, t.status FROM take_ons t JOIN users u ON u.id = t.staff_id
         WHERE t.term_id = $1 AND t.status IN ('active', 'connected')
           AND t.student_id IN (SELECT value FROM json_each($2))
         ORDER BY t.started_at",
    )
    .bind(term_id)
    .bind(ids_json)
    .fetch_all(pool)
    .await?;
    let mut by_student: HashMap<i64, Vec<TakeOnBrief>> = HashMap::new();
    for (student, id, staff_name, status) in rows {
        by_student.entry(student).or_default().push(TakeOnBrief {
            id,
            staff_name,
            status,
        });
    }
    Ok(by_student)
}

/// The filter choices: grades, homerooms and attribute values in use.
pub async fn choices(
    pool: &SqlitePool,
    school_id: i64,
) -> Result<(Vec<i64>, Vec<String>, Vec<String>), AppError> {
    let grades: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT grade FROM students WHERE school_id = $1 AND is_active = 1 ORDER BY grade",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    let homerooms: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT homeroom FROM students
         WHERE school_id = $1 AND is_active = 1 AND homeroom IS NOT NULL AND homeroom <> ''
         ORDER BY homeroom",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    let groups: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT name || '=' || value FROM student_attributes WHERE school_id = $1
         ORDER BY name, value",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok((grades, homerooms, groups))
}

pub const CSV_HEADER: &str =
    "student_id,name,grade,homeroom,strong_connection,known_by,concerns,taken_on_by\r\n";

/// The whole filtered list (every page) as CSV rows, for the export.
pub async fn unconnected_csv(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
    filters: &ListFilters,
) -> Result<String, AppError> {
    let mut out = String::from(CSV_HEADER);
    let sis: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, sis_id FROM students WHERE school_id = $1 AND is_active = 1",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let (rows, _) = rows(pool, school_id, term, filters, true).await?;
    for row in &rows {
        let fields = [
            sis.get(&row.student_id).cloned().unwrap_or_default(),
            row.name.clone(),
            crate::format::grade(row.grade),
            row.homeroom.clone().unwrap_or_default(),
            row.strong_by.clone().unwrap_or_default(),
            row.known_by.join("; "),
            row.concerns.to_string(),
            row.take_ons
                .iter()
                .map(|t| format!("{} ({})", t.staff_name, t.status))
                .collect::<Vec<_>>()
                .join("; "),
        ];
        out.push_str(&crate::format::csv_line(&fields));
    }
    Ok(out)
}

/// Active take-ons per adult this term.
async fn loads(pool: &SqlitePool, term_id: i64) -> Result<HashMap<i64, i64>, AppError> {
    Ok(sqlx::query_as::<_, (i64, i64)>(
        "SELECT t.staff_id, COUNT(*) FROM take_ons t INDEXED BY take_ons_active_by_term
         JOIN students s ON s.id = t.student_id AND s.is_active = 1
         WHERE t.term_id = $1 AND t.status = 'active' GROUP BY t.staff_id",
    )
    .bind(term_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect())
}

/// Who could take `student_id` on: suggested adults (those who know the
/// student, teach them, or are their homeroom teacher) by lowest load, then
/// everyone else by name.
pub async fn assign_choice(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
    student_id: i64,
) -> Result<AssignChoice, AppError> {
    let (first, preferred, last, grade, homeroom): (
        String,
        Option<String>,
        String,
        i64,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT first_name, preferred_name, last_name, grade, homeroom FROM students
             WHERE school_id = $1 AND id = $2 AND is_active = 1",
    )
    .bind(school_id)
    .bind(student_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let settings = settings(pool, school_id).await?;
    let loads = loads(pool, term.id).await?;
    let people: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1 AND m.is_active = 1 AND u.is_active = 1 ORDER BY u.name, u.id",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    let knows: Vec<i64> = sqlx::query_scalar(
        "SELECT staff_id FROM connections WHERE term_id = $1 AND student_id = $2
         AND removed_at IS NULL AND level = 'knows'",
    )
    .bind(term.id)
    .bind(student_id)
    .fetch_all(pool)
    .await?;
    let teaches: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT DISTINCT cs.staff_id, c.is_homeroom FROM class_students st
         JOIN classes c ON c.id = st.class_id AND c.is_active = 1
         JOIN class_staff cs ON cs.class_id = st.class_id
         WHERE st.school_id = $1 AND st.student_id = $2",
    )
    .bind(school_id)
    .bind(student_id)
    .fetch_all(pool)
    .await?;
    let mut suggested = Vec::new();
    let mut others = Vec::new();
    for (user_id, name) in people {
        let mut reasons = Vec::new();
        if knows.contains(&user_id) {
            reasons.push("knows them".to_string());
        }
        if teaches
            .iter()
            .any(|(s, homeroom)| *s == user_id && *homeroom)
        {
            reasons.push("homeroom teacher".to_string());
        }
        if teaches
            .iter()
            .any(|(s, homeroom)| *s == user_id && !*homeroom)
        {
            reasons.push("teaches them".to_string());
        }
        let candidate = Candidate {
            user_id,
            name,
            load: loads.get(&user_id).copied().unwrap_or(0),
            reasons,
        };
        if candidate.reasons.is_empty() {
            others.push(candidate);
        } else {
            suggested.push(candidate);
        }
    }
    suggested.sort_by(|a, b| {
        a.load
            .cmp(&b.load)
            .then_with(|| b.reasons.len().cmp(&a.reasons.len()))
            .then_with(|| a.name.cmp(&b.name))
    });
    let ids_json = format!("[{student_id}]");
    let take_ons = briefs(pool, term.id, &ids_json)
        .await?
        .remove(&student_id)
        .unwrap_or_default();
    Ok(AssignChoice {
        student_id,
        student_name: display_name(&first, preferred.as_deref(), &last),
        grade,
        homeroom,
        cap: settings.take_on_cap,
        suggested,
        others,
        take_ons,
    })
}

/// What starting a take-on did, for the person's message.
#[derive(Debug, PartialEq, Eq)]
pub struct Started {
    pub id: i64,
    pub student_name: String,
    pub staff_name: String,
    /// The adult's active take-ons now, and the school's soft cap.
    pub load: i64,
    pub cap: i64,
}

impl Started {
    pub fn message(&self, volunteered: bool) -> String {
        let mut text = if volunteered {
            format!(
                "Thank you: you are connecting with {}. They are on your home page.",
                self.student_name
            )
        } else {
            format!(
                "{} is now connecting with {}.",
                self.staff_name, self.student_name
            )
        };
        if self.load > self.cap {
            text.push_str(&format!(
                " Note: that makes {} students for {}, over the suggested limit of {}.",
                self.load, self.staff_name, self.cap
            ));
        }
        text
    }
}

/// `staff_id` takes `student_id` on in the current term: by volunteering
/// (`by` is the same person) or assigned by a counselor or admin.
pub async fn start(
    pool: &crate::db::Db,
    by: &Member,
    term: &Term,
    student_id: i64,
    staff_id: i64,
    now: i64,
) -> Result<Started, AppError> {
    let volunteered = by.user_id == staff_id;
    if !volunteered && !by.can(Role::Counselor) {
        return Err(AppError::Forbidden);
    }
    let student_name =
        crate::connections::marking::active_student(pool, by.school_id, student_id).await?;
    let staff_name: String = sqlx::query_scalar(
        "SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1 AND m.user_id = $2 AND m.is_active = 1 AND u.is_active = 1",
    )
    .bind(by.school_id)
    .bind(staff_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::Invalid("Choose a staff member of this school.".into()))?;
    let has_strong: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM connections WHERE term_id = $1 AND student_id = $2
         AND staff_id = $3 AND removed_at IS NULL AND level = 'strong')",
    )
    .bind(term.id)
    .bind(student_id)
    .bind(staff_id)
    .fetch_one(pool)
    .await?;
    if has_strong {
        return Err(AppError::Invalid(format!(
            "{staff_name} already has a strong connection with {student_name} this term."
        )));
    }
    let _turn = pool.write_turn().await;
    let mut tx = pool.begin().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO take_ons (school_id, term_id, student_id, staff_id, assigned_by, started_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (term_id, student_id, staff_id) WHERE status = 'active' DO NOTHING
         RETURNING id",
    )
    .bind(by.school_id)
    .bind(term.id)
    .bind(student_id)
    .bind(staff_id)
    .bind((!volunteered).then_some(by.user_id))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        return Err(AppError::Invalid(format!(
            "{staff_name} is already connecting with {student_name}."
        )));
    };
    record(
        &mut *tx,
        Event {
            detail: Some(format!("student:{student_id} staff:{staff_id}")),
            ..Event::by(
                by,
                if volunteered {
                    "take_on.volunteered"
                } else {
                    "take_on.assigned"
                },
                Some(format!("take_on:{id}")),
            )
        },
        now,
    )
    .await?;
    let load: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM take_ons t JOIN students s ON s.id = t.student_id AND s.is_active = 1
         WHERE t.term_id = $1 AND t.staff_id = $2 AND t.status = 'active'",
    )
    .bind(term.id)
    .bind(staff_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let cap = settings(pool, by.school_id).await?.take_on_cap;
    Ok(Started {
        id,
        student_name,
        staff_name,
        load,
        cap,
    })
}

const TAKE_ON_COLUMNS: &str =
    "t.id, t.student_id, s.first_name, s.preferred_name, s.last_name, s.grade,
    t.staff_id, u.name, a.name, t.status, t.release_reason, t.started_at,
    (SELECT MAX(checked_on) FROM check_ins c WHERE c.take_on_id = t.id),
    (SELECT COUNT(DISTINCT checked_on) FROM check_ins c WHERE c.take_on_id = t.id)";
const TAKE_ON_FROM: &str = "FROM take_ons t
    JOIN students s ON s.id = t.student_id
    JOIN users u ON u.id = t.staff_id
    LEFT JOIN users a ON a.id = t.assigned_by";

type TakeOnRow = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    Option<String>,
    i64,
);

fn take_on(row: TakeOnRow, today: time::Date) -> TakeOn {
    let (
        id,
        student_id,
        first,
        preferred,
        last,
        grade,
        staff_id,
        staff_name,
        assigned_by,
        status,
        release_reason,
        started_at,
        last_check_in,
        check_in_days,
    ) = row;
    let started_on = time::OffsetDateTime::from_unix_timestamp(started_at)
        .map(|t| t.date())
        .unwrap_or(today);
    let quiet_since = last_check_in
        .as_deref()
        .and_then(crate::clock::parse_day)
        .unwrap_or(started_on);
    TakeOn {
        id,
        student_id,
        student_name: display_name(&first, preferred.as_deref(), &last),
        grade,
        staff_id,
        staff_name,
        assigned_by,
        status,
        release_reason,
        started_on: crate::clock::day_to_string(started_on),
        last_check_in,
        days_quiet: (today - quiet_since).whole_days().max(0),
        check_in_days,
    }
}

/// The take-ons `staff_id` is working on (active) in the term.
pub async fn mine(
    pool: &SqlitePool,
    school_id: i64,
    term_id: i64,
    staff_id: i64,
    today: time::Date,
) -> Result<Vec<TakeOn>, AppError> {
    let rows: Vec<TakeOnRow> = sqlx::query_as(&format!(
        "SELECT {TAKE_ON_COLUMNS} {TAKE_ON_FROM}
         WHERE t.school_id = $1 AND t.term_id = $2 AND t.staff_id = $3 AND t.status = 'active'
           AND s.is_active = 1
         ORDER BY t.started_at"
    ))
    .bind(school_id)
    .bind(term_id)
    .bind(staff_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| take_on(row, today)).collect())
}

/// Every active take-on of the term, the longest without a check-in first.
pub async fn follow_up(
    pool: &SqlitePool,
    school_id: i64,
    term_id: i64,
    today: time::Date,
) -> Result<Vec<TakeOn>, AppError> {
    let rows: Vec<TakeOnRow> = sqlx::query_as(&format!(
        "SELECT {TAKE_ON_COLUMNS} {TAKE_ON_FROM}
         WHERE t.school_id = $1 AND t.term_id = $2 AND t.status = 'active' AND s.is_active = 1"
    ))
    .bind(school_id)
    .bind(term_id)
    .fetch_all(pool)
    .await?;
    let mut take_ons: Vec<TakeOn> = rows.into_iter().map(|row| take_on(row, today)).collect();
    take_ons.sort_by(|a, b| {
        b.days_quiet
            .cmp(&a.days_quiet)
            .then_with(|| a.student_name.cmp(&b.student_name))
    });
    Ok(take_ons)
}

/// One take-on, for its adult, counselors and admins only (other staff
/// are refused; another school's take-ons are not found).
pub async fn find(
    pool: &SqlitePool,
    member: &Member,
    id: i64,
    today: time::Date,
) -> Result<TakeOn, AppError> {
    let row: Option<TakeOnRow> = sqlx::query_as(&format!(
        "SELECT {TAKE_ON_COLUMNS} {TAKE_ON_FROM} WHERE t.school_id = $1 AND t.id = $2"
    ))
    .bind(member.school_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let found = row
        .map(|row| take_on(row, today))
        .ok_or(AppError::NotFound)?;
    if found.staff_id != member.user_id && !member.can(Role::Counselor) {
        return Err(AppError::Forbidden);
    }
    Ok(found)
}

/// The check-ins of a take-on, newest first; reading the notes is
/// recorded in the audit log.
pub async fn check_ins(
    pool: &SqlitePool,
    member: &Member,
    take_on: &TakeOn,
    now: i64,
) -> Result<Vec<CheckIn>, AppError> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT c.checked_on, c.note, u.name FROM check_ins c JOIN users u ON u.id = c.created_by
         WHERE c.school_id = $1 AND c.take_on_id = $2 ORDER BY c.checked_on DESC, c.id DESC",
    )
    .bind(member.school_id)
    .bind(take_on.id)
    .fetch_all(pool)
    .await?;
    record(
        pool,
        Event::by(
            member,
            "check_ins.viewed",
            Some(format!("take_on:{}", take_on.id)),
        ),
        now,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(checked_on, note, by)| CheckIn {
            checked_on,
            note,
            by,
        })
        .collect())
}

/// The adult logs a check-in (a day, an optional note).
pub async fn check_in(
    pool: &SqlitePool,
    member: &Member,
    id: i64,
    day: &str,
    note: &str,
    today: time::Date,
    now: i64,
) -> Result<TakeOn, AppError> {
    let found = find(pool, member, id, today).await?;
    if found.staff_id != member.user_id {
        return Err(AppError::Forbidden);
    }
    if found.status == "released" {
        return Err(AppError::Invalid(
            "This take-on was released; check-ins can no longer be added.".into(),
        ));
    }
    let Some(date) = crate::clock::parse_day(day.trim()) else {
        return Err(AppError::Invalid("Give the day as YYYY-MM-DD.".into()));
    };
    if date > today {
        return Err(AppError::Invalid(
            "A check-in cannot be in the future.".into(),
        ));
    }
    if crate::clock::day_to_string(date) < found.started_on {
        return Err(AppError::Invalid(format!(
            "A check-in cannot be before the take-on began ({}).",
            crate::format::day(&found.started_on)
        )));
    }
    let note = note.trim();
    if note.chars().count() > crate::limits::CHECK_IN_NOTE {
        return Err(AppError::Invalid(format!(
            "The note is longer than {} characters; shorten it.",
            crate::limits::CHECK_IN_NOTE
        )));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO check_ins (school_id, take_on_id, checked_on, note, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(member.school_id)
    .bind(id)
    .bind(crate::clock::day_to_string(date))
    .bind((!note.is_empty()).then_some(note))
    .bind(member.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    record(
        &mut *tx,
        Event::by(member, "check_in.logged", Some(format!("take_on:{id}"))),
        now,
    )
    .await?;
    tx.commit().await?;
    find(pool, member, id, today).await
}

/// Ends an active take-on without a connection, with a reason (the adult,
/// or a counselor or admin).
pub async fn release(
    pool: &SqlitePool,
    member: &Member,
    id: i64,
    reason: &str,
    today: time::Date,
    now: i64,
) -> Result<TakeOn, AppError> {
    let found = find(pool, member, id, today).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(
            "Say briefly why (for example: \"schedule changed\"), so the counselor can find someone else.".into(),
        ));
    }
    if reason.chars().count() > crate::limits::RELEASE_REASON {
        return Err(AppError::Invalid(format!(
            "The reason is longer than {} characters; shorten it.",
            crate::limits::RELEASE_REASON
        )));
    }
    let mut tx = pool.begin().await?;
    let changed = sqlx::query(
        "UPDATE take_ons SET status = 'released', release_reason = $1, ended_at = max($2, started_at)
         WHERE school_id = $3 AND id = $4 AND status = 'active'",
    )
    .bind(reason)
    .bind(now)
    .bind(member.school_id)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Invalid(format!(
            "This take-on is already {}.",
            found.status
        )));
    }
    record(
        &mut *tx,
        Event::by(member, "take_on.released", Some(format!("take_on:{id}"))),
        now,
    )
    .await?;
    tx.commit().await?;
    find(pool, member, id, today).await
}

/// The staff-meeting board's figures; first names and last initials of
/// unconnected students by grade when the school switched them on.
pub async fn board(
    pool: &SqlitePool,
    school_id: i64,
    term: Option<&Term>,
) -> Result<Board, AppError> {
    let students = crate::schools::db::active_student_count(pool, school_id).await?;
    let Some(term) = term else {
        return Ok(Board {
            term_name: None,
            students,
            unconnected: students,
            names: None,
        });
    };
    let connected: i64 =
        sqlx::query_scalar("SELECT connected FROM term_coverage WHERE term_id = $1")
            .bind(term.id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(0);
    let names = if settings(pool, school_id).await?.meeting_names {
        let rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(&format!(
            "SELECT s.grade, s.first_name, s.preferred_name, s.last_name FROM students s
             WHERE s.school_id = $2 AND s.is_active = 1 AND {STRONG_COUNT} = 0
             ORDER BY s.grade, COALESCE(s.preferred_name, s.first_name), s.last_name"
        ))
        .bind(term.id)
        .bind(school_id)
        .fetch_all(pool)
        .await?;
        let mut grades: Vec<(i64, Vec<String>)> = Vec::new();
        for (grade, first, preferred, last) in rows {
            let called = preferred.filter(|p| !p.trim().is_empty()).unwrap_or(first);
            let initial = last
                .trim()
                .chars()
                .next()
                .map(|c| format!(" {c}."))
                .unwrap_or_default();
            let name = format!("{}{initial}", called.trim());
            match grades.last_mut() {
                Some((g, names)) if *g == grade => names.push(name),
                _ => grades.push((grade, vec![name])),
            }
        }
        Some(grades)
    } else {
        None
    };
    Ok(Board {
        term_name: Some(term.name.clone()),
        students,
        unconnected: (students - connected).max(0),
        names,
    })
}

/// Follow-up page data for counselors.
pub async fn follow_up_page(
    pool: &SqlitePool,
    member: &Member,
    term: Option<&Term>,
    today: time::Date,
) -> Result<FollowUp, AppError> {
    let settings = settings(pool, member.school_id).await?;
    let take_ons = match term {
        Some(term) => follow_up(pool, member.school_id, term.id, today).await?,
        None => Vec::new(),
    };
    Ok(FollowUp {
        take_ons,
        cap: settings.take_on_cap,
        meeting_names: settings.meeting_names,
        is_admin: member.can(Role::Admin),
        flash: None,
    })
}

/// The list page's data (the flash is added by the caller).
pub fn list(
    term: Option<&Term>,
    filters: ListFilters,
    rows: Vec<UnconnectedRow>,
    total: i64,
    choices: (Vec<i64>, Vec<String>, Vec<String>),
) -> UnconnectedList {
    UnconnectedList {
        term_name: term.map(|t| t.name.clone()),
        filters,
        rows,
        total,
        grades: choices.0,
        homerooms: choices.1,
        groups: choices.2,
        flash: None,
    }
}
