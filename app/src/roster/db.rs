//! Comparing a parsed roster with the school's students, and applying it in
//! one transaction: either every change lands or none does.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::SqlitePool;

use super::parse::Parsed;
use super::{Changed, Mode, Named, Preview, RosterStudent};
use crate::AppError;

struct Existing {
    id: i64,
    sis_id: String,
    first_name: String,
    last_name: String,
    preferred_name: Option<String>,
    grade: i64,
    homeroom: Option<String>,
    is_active: bool,
}

/// A student as [`load`] reads them: one element of a JSON array.
type ExistingRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    i64,
);

/// What applying does, row by row.
#[derive(Default)]
struct Plan<'a> {
    inserts: Vec<&'a RosterStudent>,
    /// (student id, new values, whether it comes back, whether its
    /// attributes change)
    updates: Vec<(i64, &'a RosterStudent, bool, bool)>,
    deactivate: Vec<i64>,
}

fn name_of(first: &str, preferred: Option<&str>, last: &str) -> String {
    crate::connections::marking::display_name(first, preferred, last)
}

type Loaded = (
    Vec<Existing>,
    HashMap<i64, BTreeMap<String, String>>,
    HashSet<String>,
);

async fn load(pool: &SqlitePool, school_id: i64) -> Result<Loaded, AppError> {
    // One row holding every student (a JSON array): a district's 50,000
    // rows one by one through the driver took several times as long.
    let students: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(id, sis_id, first_name, last_name, preferred_name,
                    grade, homeroom, is_active))
         FROM students WHERE school_id = $1",
    )
    .bind(school_id)
    .fetch_one(pool)
    .await?;
    let students: Vec<ExistingRow> =
        serde_json::from_str(&students).map_err(|_| AppError::Internal)?;
    let students = students
        .into_iter()
        .map(
            |(id, sis_id, first_name, last_name, preferred_name, grade, homeroom, is_active)| {
                Existing {
                    id,
                    sis_id,
                    first_name,
                    last_name,
                    preferred_name,
                    grade,
                    homeroom,
                    is_active: is_active == 1,
                }
            },
        )
        .collect();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT student_id, name, value FROM student_attributes WHERE school_id = $1",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    let mut attributes: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (student, name, value) in rows {
        attributes.entry(student).or_default().insert(name, value);
    }
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.school_id = $1",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok((students, attributes, emails.into_iter().collect()))
}

fn show(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => format!("“{v}”"),
        _ => "(none)".to_string(),
    }
}

/// Compares the file with the school's students.
fn compare<'a>(
    existing: &[Existing],
    attributes: &HashMap<i64, BTreeMap<String, String>>,
    staff_emails: &HashSet<String>,
    parsed: &'a Parsed,
    mode: Mode,
    file_name: &str,
) -> (Preview, Plan<'a>) {
    let by_sis: HashMap<&str, &Existing> =
        existing.iter().map(|e| (e.sis_id.as_str(), e)).collect();
    let mut preview = Preview {
        file_name: file_name.to_string(),
        format: parsed.format.clone(),
        mode,
        rejections: parsed.rejections.clone(),
        active_before: existing.iter().filter(|e| e.is_active).count() as i64,
        ..Preview::default()
    };
    let mut plan = Plan::default();
    let no_attributes = BTreeMap::new();
    for student in &parsed.students {
        let name = name_of(
            &student.first_name,
            student.preferred_name.as_deref(),
            &student.last_name,
        );
        let named = Named {
            sis_id: student.sis_id.clone(),
            name: name.clone(),
        };
        let Some(old) = by_sis.get(student.sis_id.as_str()) else {
            preview.new.push(named);
            plan.inserts.push(student);
            continue;
        };
        let mut changes = Vec::new();
        let mut field = |label: &str, old: Option<&str>, new: Option<&str>| {
            if old.unwrap_or("") != new.unwrap_or("") {
                changes.push(format!("{label} {} → {}", show(old), show(new)));
            }
        };
        field(
            "first name",
            Some(&old.first_name),
            Some(&student.first_name),
        );
        field("last name", Some(&old.last_name), Some(&student.last_name));
        field(
            "preferred name",
            old.preferred_name.as_deref(),
            student.preferred_name.as_deref(),
        );
        field(
            "homeroom",
            old.homeroom.as_deref(),
            student.homeroom.as_deref(),
        );
        if old.grade != student.grade {
            changes.push(format!(
                "grade {} → {}",
                crate::format::grade(old.grade),
                crate::format::grade(student.grade)
            ));
        }
        let had = attributes.get(&old.id).unwrap_or(&no_attributes);
        let mut attributes_change = false;
        for column in &parsed.attribute_columns {
            let new = student
                .attributes
                .iter()
                .find(|(n, _)| n == column)
                .map(|(_, v)| v.as_str());
            let before = had.get(column).map(String::as_str);
            if before != new {
                attributes_change = true;
                changes.push(format!("{column} {} → {}", show(before), show(new)));
            }
        }
        let returns = !old.is_active;
        let any_change = !changes.is_empty();
        if returns {
            preview.reactivated.push(named.clone());
        }
        if !changes.is_empty() {
            preview.changed.push(Changed {
                sis_id: student.sis_id.clone(),
                name,
                changes,
            });
        } else if !returns {
            preview.unchanged += 1;
        }
        if returns || any_change {
            plan.updates
                .push((old.id, student, returns, attributes_change));
        }
    }
    if mode == Mode::Full {
        let in_file: HashSet<&str> = parsed
            .students
            .iter()
            .map(|s| s.sis_id.as_str())
            .chain(parsed.rejected_ids.iter().map(String::as_str))
            .collect();
        for old in existing
            .iter()
            .filter(|e| e.is_active && !in_file.contains(e.sis_id.as_str()))
        {
            preview.deactivated.push(Named {
                sis_id: old.sis_id.clone(),
                name: name_of(
                    &old.first_name,
                    old.preferred_name.as_deref(),
                    &old.last_name,
                ),
            });
            plan.deactivate.push(old.id);
        }
    }
    // The same name twice with different ids: often a duplicate record.
    let mut names: HashMap<(String, String), Vec<&str>> = HashMap::new();
    for student in &parsed.students {
        names
            .entry((
                student.first_name.to_lowercase(),
                student.last_name.to_lowercase(),
            ))
            .or_default()
            .push(&student.sis_id);
    }
    let mut twins: Vec<String> = names
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(_, ids)| {
            let student = parsed
                .students
                .iter()
                .find(|s| s.sis_id == ids[0])
                .expect("listed");
            format!(
                "{} {} appears {} times, with student IDs {}: check they are different students.",
                student.first_name,
                student.last_name,
                ids.len(),
                ids.join(", ")
            )
        })
        .collect();
    twins.sort();
    preview.warnings.extend(twins);
    preview.classes = parsed.classes.len();
    preview.new_staff = parsed
        .staff
        .iter()
        .filter(|s| !staff_emails.contains(s.email.as_str()))
        .map(|s| Named {
            sis_id: s.email.clone(),
            name: s.name.clone(),
        })
        .collect();
    (preview, plan)
}

/// What importing `parsed` would do, changing nothing.
pub async fn preview(
    pool: &SqlitePool,
    school_id: i64,
    parsed: &Parsed,
    mode: Mode,
    file_name: &str,
) -> Result<Preview, AppError> {
    let (existing, attributes, emails) = load(pool, school_id).await?;
    Ok(compare(&existing, &attributes, &emails, parsed, mode, file_name).0)
}

/// Who applied an import: a person, or the command line.
pub struct Importer {
    pub user_id: Option<i64>,
}

/// Rows per statement.
const BATCH: usize = 10_000;

/// Rows as one JSON array, bound as a single parameter and read back with
/// `json_each`.
fn json<T: serde::Serialize + ?Sized>(rows: &T) -> Result<String, AppError> {
    serde_json::to_string(rows).map_err(|_| AppError::Internal)
}

/// Applies the roster in one transaction and records it in the import
/// history. Returns what was done.
pub async fn apply(
    pool: &crate::db::Db,
    school_id: i64,
    parsed: &Parsed,
    mode: Mode,
    file_name: &str,
    by: Importer,
    now: i64,
) -> Result<Preview, AppError> {
    let _turn = pool.write_turn().await;
    let (existing, attributes, emails) = load(pool, school_id).await?;
    let (preview, plan) = compare(&existing, &attributes, &emails, parsed, mode, file_name);
    // A larger page cache (16 MB) while the import writes, so the indexes
    // being filled stay in memory rather than spilling to the log
    // mid-transaction; the connection's own size comes back afterwards.
    let mut import = ImportConnection {
        conn: pool.acquire().await?,
        restored: false,
    };
    let cache_size: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut *import.conn)
        .await?;
    sqlx::query("PRAGMA cache_size = -16384")
        .execute(&mut *import.conn)
        .await?;
    let written: Result<(), AppError> = async {
        let mut tx = sqlx::Connection::begin(&mut *import.conn).await?;
        write_plan(&mut tx, school_id, parsed, &plan, &existing, now).await?;
        let summary = Summary::of(&preview);
        let summary = serde_json::to_string(&summary).map_err(|_| AppError::Internal)?;
        sqlx::query(
            "INSERT INTO imports (school_id, imported_by, format, file_name, mode, summary,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(school_id)
        .bind(by.user_id)
        .bind(&preview.format)
        .bind(file_name)
        .bind(mode.as_str())
        .bind(summary)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    import.restored = sqlx::query(&format!("PRAGMA cache_size = {cache_size}"))
        .execute(&mut *import.conn)
        .await
        .is_ok();
    written?;
    Ok(preview)
}

/// Writes the plan's students, their attributes, staff and class sections
/// inside the import's transaction.
async fn write_plan(
    tx: &mut sqlx::SqliteConnection,
    school_id: i64,
    parsed: &Parsed,
    plan: &Plan<'_>,
    existing: &[Existing],
    now: i64,
) -> Result<(), AppError> {
    // Rows travel as JSON arrays, one bound parameter per statement: far
    // cheaper than binding thousands of values one by one.
    // New students; their ids come back by SIS id.
    let mut new_ids: HashMap<String, i64> = HashMap::with_capacity(plan.inserts.len());
    for chunk in plan.inserts.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|s| {
                (
                    &s.sis_id,
                    &s.first_name,
                    &s.last_name,
                    &s.preferred_name,
                    s.grade,
                    &s.homeroom,
                )
            })
            .collect();
        let returned: Vec<(i64, String)> = sqlx::query_as(
            "INSERT INTO students (school_id, sis_id, first_name, last_name, preferred_name, grade,
                 homeroom, is_active, created_at, updated_at)
             SELECT $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                 1, $2, $2
             FROM json_each($3)
             RETURNING id, sis_id",
        )
        .bind(school_id)
        .bind(now)
        .bind(json(&rows)?)
        .fetch_all(&mut *tx)
        .await?;
        new_ids.extend(returned.into_iter().map(|(id, sis)| (sis, id)));
    }
    for chunk in plan.updates.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, s, _, _)| {
                (
                    id,
                    &s.first_name,
                    &s.last_name,
                    &s.preferred_name,
                    s.grade,
                    &s.homeroom,
                )
            })
            .collect();
        sqlx::query(
            "UPDATE students SET first_name = n.first_name, last_name = n.last_name,
                 preferred_name = n.preferred_name, grade = n.grade, homeroom = n.homeroom,
                 is_active = 1, updated_at = $1
             FROM (SELECT value ->> 0 AS id, value ->> 1 AS first_name, value ->> 2 AS last_name,
                       value ->> 3 AS preferred_name, value ->> 4 AS grade, value ->> 5 AS homeroom
                   FROM json_each($3)) AS n
             WHERE students.school_id = $2 AND students.id = n.id",
        )
        .bind(now)
        .bind(school_id)
        .bind(json(&rows)?)
        .execute(&mut *tx)
        .await?;
    }
    for chunk in plan.deactivate.chunks(BATCH) {
        sqlx::query(
            "UPDATE students SET is_active = 0, updated_at = $1
             WHERE school_id = $2 AND id IN (SELECT value FROM json_each($3))",
        )
        .bind(now)
        .bind(school_id)
        .bind(json(chunk)?)
        .execute(&mut *tx)
        .await?;
    }
    // Group attributes of the file's columns: replaced for changed students
    // and set for new ones; other attributes are left as they are.
    if !parsed.attribute_columns.is_empty() {
        let changed: Vec<(i64, &RosterStudent)> = plan
            .updates
            .iter()
            .filter(|(_, _, _, attributes_change)| *attributes_change)
            .map(|(id, s, _, _)| (*id, *s))
            .collect();
        let columns = json(&parsed.attribute_columns)?;
        for chunk in changed.chunks(BATCH) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            sqlx::query(
                "DELETE FROM student_attributes
                 WHERE school_id = $1 AND student_id IN (SELECT value FROM json_each($2))
                   AND name IN (SELECT value FROM json_each($3))",
            )
            .bind(school_id)
            .bind(json(&ids)?)
            .bind(&columns)
            .execute(&mut *tx)
            .await?;
        }
        let rows: Vec<(i64, &str, &str)> = changed
            .into_iter()
            .chain(plan.inserts.iter().map(|s| (new_ids[&s.sis_id], *s)))
            .flat_map(|(id, s)| {
                s.attributes
                    .iter()
                    .map(move |(n, v)| (id, n.as_str(), v.as_str()))
            })
            .collect();
        for chunk in rows.chunks(BATCH) {
            sqlx::query(
                "INSERT INTO student_attributes (school_id, student_id, name, value)
                 SELECT $1, value ->> 0, value ->> 1, value ->> 2 FROM json_each($2)",
            )
            .bind(school_id)
            .bind(json(chunk)?)
            .execute(&mut *tx)
            .await?;
        }
    }
    if !parsed.staff.is_empty() || !parsed.classes.is_empty() {
        staff_and_classes(tx, school_id, parsed, existing, &new_ids, now).await?;
    }
    Ok(())
}

/// The connection an import writes on, with a larger page cache. Should
/// the cache not be set back (the import dropped half-way, its request
/// cancelled), the connection is closed rather than returned to the pool.
struct ImportConnection {
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    restored: bool,
}

impl Drop for ImportConnection {
    fn drop(&mut self) {
        if !self.restored {
            self.conn.close_on_drop();
        }
    }
}

/// What the import history keeps of an import: the counts, and the
/// rejected rows and warnings (at most 1,000 of each).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub reactivated: usize,
    pub deactivated: usize,
    pub rejected: usize,
    pub rejections: Vec<super::Rejection>,
    pub warnings: Vec<String>,
}

impl Summary {
    fn of(preview: &Preview) -> Summary {
        Summary {
            new: preview.new.len(),
            changed: preview.changed.len(),
            unchanged: preview.unchanged,
            reactivated: preview.reactivated.len(),
            deactivated: preview.deactivated.len(),
            rejected: preview.rejections.len(),
            rejections: preview.rejections.iter().take(1000).cloned().collect(),
            warnings: preview.warnings.iter().take(1000).cloned().collect(),
        }
    }
}

/// An uploaded file waiting for confirmation.
pub struct Draft {
    pub file_name: String,
    pub mode: Mode,
    pub content: Vec<u8>,
    pub source_school: Option<String>,
}

pub async fn save_draft(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    draft: &Draft,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO import_drafts (school_id, user_id, file_name, mode, content, source_school, created_at)
         VALUES ($1, $2, $3, $4, $5, $7, $6)
         ON CONFLICT (school_id, user_id) DO UPDATE SET file_name = excluded.file_name,
             mode = excluded.mode, content = excluded.content,
             source_school = excluded.source_school, created_at = excluded.created_at",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(&draft.file_name)
    .bind(draft.mode.as_str())
    .bind(&draft.content)
    .bind(now)
    .bind(&draft.source_school)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn load_draft(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
) -> Result<Option<Draft>, AppError> {
    let row: Option<(String, String, Vec<u8>, Option<String>)> = sqlx::query_as(
        "SELECT file_name, mode, content, source_school FROM import_drafts
         WHERE school_id = $1 AND user_id = $2",
    )
    .bind(school_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(file_name, mode, content, source_school)| Draft {
        file_name,
        mode: Mode::parse(&mode),
        content,
        source_school,
    }))
}

/// Records which school of a district package is this one.
pub async fn choose_source_school(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    source_school: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE import_drafts SET source_school = $1 WHERE school_id = $2 AND user_id = $3",
    )
    .bind(source_school)
    .bind(school_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_draft(pool: &SqlitePool, school_id: i64, user_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM import_drafts WHERE school_id = $1 AND user_id = $2")
        .bind(school_id)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// id, who, format, file, mode, summary, when.
type HistoryRow = (i64, Option<String>, String, String, String, String, i64);

/// The school's imports, newest first.
pub async fn history(
    pool: &SqlitePool,
    school_id: i64,
) -> Result<Vec<super::ImportRecord>, AppError> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT i.id, u.name, i.format, i.file_name, i.mode, i.summary, i.created_at
         FROM imports i LEFT JOIN users u ON u.id = i.imported_by
         WHERE i.school_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT 100",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, who, format, file_name, mode, summary, at)| {
            let summary: Option<Summary> = serde_json::from_str(&summary).ok();
            super::ImportRecord {
                id,
                at: crate::clock::minute_to_string(at),
                who: who.unwrap_or_else(|| "Command line".into()),
                format,
                file_name,
                mode: Mode::parse(&mode),
                counts: summary
                    .map(|s| {
                        format!(
                            "{} new, {} changed, {} unchanged, {} reactivated, {} deactivated, {} rows rejected",
                            s.new, s.changed, s.unchanged, s.reactivated, s.deactivated, s.rejected
                        )
                    })
                    .unwrap_or_else(|| "(summary unreadable)".into()),
            }
        })
        .collect())
}

/// The column names this school mapped to roster fields.
pub async fn mapping(pool: &SqlitePool, school_id: i64) -> Result<super::parse::Mapping, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT header, field FROM roster_columns WHERE school_id = $1")
            .bind(school_id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(header, field)| Some((header, super::parse::Field::parse(&field)?)))
        .collect())
}

/// Remembers that `header` means `field` in this school's files.
pub async fn remember(
    pool: &SqlitePool,
    school_id: i64,
    header: &str,
    field: super::parse::Field,
) -> Result<(), AppError> {
    let header = super::parse::squash(header);
    if header.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO roster_columns (school_id, header, field) VALUES ($1, $2, $3)
         ON CONFLICT (school_id, header) DO UPDATE SET field = excluded.field",
    )
    .bind(school_id)
    .bind(header)
    .bind(field.label())
    .execute(pool)
    .await?;
    Ok(())
}

/// Staff accounts (new ones without a password; existing people keep their
/// role) and class sections with their teachers and students, made to
/// match the file's: only the differences are written, in batches, so an
/// unchanged file writes nothing.
async fn staff_and_classes(
    tx: &mut sqlx::SqliteConnection,
    school_id: i64,
    parsed: &Parsed,
    existing: &[Existing],
    new_ids: &HashMap<String, i64>,
    now: i64,
) -> Result<(), AppError> {
    // Staff: the school's members by email; newcomers get an account.
    let members: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.email, u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.school_id = $1",
    )
    .bind(school_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut user_of: HashMap<String, i64> = members.into_iter().collect();
    let mut newcomers: Vec<(&str, &str)> = Vec::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for staff in &parsed.staff {
        if !user_of.contains_key(&staff.email) && listed.insert(&staff.email) {
            newcomers.push((&staff.email, &staff.name));
        }
    }
    for chunk in newcomers.chunks(BATCH) {
        // Someone with an account at another school keeps it (and their name).
        let accounts: Vec<(i64, String)> = sqlx::query_as(
            "INSERT INTO users (email, name, created_at)
             SELECT value ->> 0, value ->> 1, $1 FROM json_each($2) WHERE true
             ON CONFLICT (email) DO UPDATE SET email = excluded.email
             RETURNING id, email",
        )
        .bind(now)
        .bind(json(chunk)?)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = accounts.iter().map(|(id, _)| *id).collect();
        // An account that belongs to another school only gets an
        // invitation: the file gives this school no power over it (see
        // `accounts::db::add_member_in`).
        sqlx::query(
            "INSERT INTO memberships (school_id, user_id, role, created_at, pending, is_active)
             SELECT $1, value, 'staff', $2, elsewhere, 1 - elsewhere FROM (
                 SELECT value, EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = value
                                       AND o.school_id <> $1 AND o.pending = 0) AS elsewhere
                 FROM json_each($3)) WHERE true
             ON CONFLICT (school_id, user_id) DO NOTHING",
        )
        .bind(school_id)
        .bind(now)
        .bind(json(&ids)?)
        .execute(&mut *tx)
        .await?;
        user_of.extend(accounts.into_iter().map(|(id, email)| (email, id)));
    }

    // Classes: new ones inserted in batches, changed ones updated.
    let rows: Vec<(i64, String, String, bool, bool)> = sqlx::query_as(
        "SELECT id, sis_id, name, is_homeroom, is_active FROM classes WHERE school_id = $1 AND sis_id IS NOT NULL",
    )
    .bind(school_id)
    .fetch_all(&mut *tx)
    .await?;
    let stored: HashMap<String, (i64, String, bool, bool)> = rows
        .into_iter()
        .map(|(id, sis, name, homeroom, active)| (sis, (id, name, homeroom, active)))
        .collect();
    let mut class_of: HashMap<String, i64> = stored
        .iter()
        .map(|(sis, (id, ..))| (sis.clone(), *id))
        .collect();
    let fresh: Vec<&super::RosterClass> = parsed
        .classes
        .iter()
        .filter(|c| !class_of.contains_key(&c.sis_id))
        .collect();
    for chunk in fresh.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|c| (&c.sis_id, &c.name, c.is_homeroom))
            .collect();
        let returned: Vec<(i64, String)> = sqlx::query_as(
            "INSERT INTO classes (school_id, sis_id, name, is_homeroom, is_active)
             SELECT $1, value ->> 0, value ->> 1, value ->> 2, 1 FROM json_each($2)
             RETURNING id, sis_id",
        )
        .bind(school_id)
        .bind(json(&rows)?)
        .fetch_all(&mut *tx)
        .await?;
        class_of.extend(returned.into_iter().map(|(id, sis)| (sis, id)));
    }
    // Renamed, changed kind, or back after leaving: one statement each.
    for class in &parsed.classes {
        let Some((id, name, homeroom, active)) = stored.get(&class.sis_id) else {
            continue;
        };
        if *name != class.name || *homeroom != class.is_homeroom || !active {
            sqlx::query(
                "UPDATE classes SET name = $1, is_homeroom = $2, is_active = 1 WHERE id = $3",
            )
            .bind(&class.name)
            .bind(class.is_homeroom)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }

    // Memberships: the file's pairs for its classes, against what is stored.
    let file_classes: HashSet<i64> = parsed
        .classes
        .iter()
        .filter_map(|c| class_of.get(&c.sis_id).copied())
        .collect();
    let student_of: HashMap<&str, i64> = existing
        .iter()
        .map(|e| (e.sis_id.as_str(), e.id))
        .chain(new_ids.iter().map(|(sis, id)| (sis.as_str(), *id)))
        .collect();
    let mut want_students: HashSet<i64> = HashSet::new();
    let mut want_staff: HashSet<i64> = HashSet::new();
    for class in &parsed.classes {
        let Some(&class_id) = class_of.get(&class.sis_id) else {
            continue;
        };
        for sis in &class.students {
            if let Some(&student) = student_of.get(sis.as_str()) {
                want_students.insert(pair(class_id, student)?);
            }
        }
        for email in &class.teachers {
            if let Some(&staff) = user_of.get(email) {
                want_staff.insert(pair(class_id, staff)?);
            }
        }
    }
    sync_pairs(
        tx,
        school_id,
        "class_students",
        "student_id",
        &file_classes,
        &want_students,
    )
    .await?;
    sync_pairs(
        tx,
        school_id,
        "class_staff",
        "staff_id",
        &file_classes,
        &want_staff,
    )
    .await?;
    Ok(())
}

/// A (class, member) pair as one number, `class << 32 | member`: sent to
/// SQLite as a flat JSON array of integers, which it reads about twice as
/// fast as an array of pairs.
fn pair(class: i64, member: i64) -> Result<i64, AppError> {
    if !(0..1 << 31).contains(&class) || !(0..1 << 32).contains(&member) {
        return Err(AppError::Internal);
    }
    Ok(class << 32 | member)
}

/// Makes `table`'s (class, member) pairs for `classes` equal `wanted`
/// (pairs made by [`pair`]).
async fn sync_pairs(
    tx: &mut sqlx::SqliteConnection,
    school_id: i64,
    table: &str,
    member: &str,
    classes: &HashSet<i64>,
    wanted: &HashSet<i64>,
) -> Result<(), AppError> {
    // What is stored, as one row of pairs: read from the primary key alone,
    // without thousands of rows through the driver.
    let stored: Option<String> = sqlx::query_scalar(&format!(
        "SELECT group_concat(p.class_id << 32 | p.{member}) FROM classes c
         JOIN {table} p ON p.class_id = c.id WHERE c.school_id = $1"
    ))
    .bind(school_id)
    .fetch_one(&mut *tx)
    .await?;
    let stored: HashSet<i64> = stored
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|pair| pair.parse::<i64>().ok())
        .filter(|pair| classes.contains(&(pair >> 32)))
        .collect();
    let mut gone: Vec<i64> = stored.difference(wanted).copied().collect();
    let mut added: Vec<i64> = wanted.difference(&stored).copied().collect();
    // In key order: each statement then fills the table page by page.
    gone.sort_unstable();
    added.sort_unstable();
    for chunk in gone.chunks(BATCH * 5) {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE (class_id, {member}) IN
                 (SELECT value >> 32, value & 4294967295 FROM json_each($1))"
        ))
        .bind(json(chunk)?)
        .execute(&mut *tx)
        .await?;
    }
    for chunk in added.chunks(BATCH * 5) {
        sqlx::query(&format!(
            "INSERT INTO {table} (school_id, class_id, {member})
             SELECT $1, value >> 32, value & 4294967295 FROM json_each($2)"
        ))
        .bind(school_id)
        .bind(json(chunk)?)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
