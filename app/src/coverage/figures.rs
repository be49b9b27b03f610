//! Computing the dashboard's figures.
//!
//! Large reads come back from SQLite as one `group_concat` string per group
//! instead of one row per student or mark: for a 50,000-student school that
//! is a few rows instead of hundreds of thousands, and parsing the numbers
//! costs far less than fetching the rows one by one.
//!
//! Figures of days that are over are kept in `coverage_days` once computed
//! (see migrations/0006_coverage_history.sql); today's are always live.

use std::collections::HashMap;

use sqlx::SqlitePool;
use time::{Date, Duration};

use super::cache::{Fingerprint, Recent};
use super::{Breakdown, Dashboard, Figures, Participation, Point, StaffMarks, TermFinal};
use crate::accounts::{Member, Role};
use crate::clock;
use crate::db::Db;
use crate::terms::Term;
use crate::AppError;

/// A day's figures are kept once the day has been over this long, so a
/// mark committed at the day's last second is never missed.
const SETTLE_SECS: i64 = 300;

/// The last second of `day` (UTC).
pub fn end_of_day(day: Date) -> i64 {
    clock::start_of_day(day) + 86_400 - 1
}

fn parse_day(text: &str) -> Result<Date, AppError> {
    clock::parse_day(text).ok_or(AppError::Internal)
}

/// Hashes a row id with one multiplication: ids are trusted integers from
/// the database, and the default (DoS-resistant) hasher dominated the time
/// of tallying 50,000 students by group.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by row id.
type IdMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Numbers of a `group_concat` of integers separated by spaces or commas.
fn numbers(text: &str) -> impl Iterator<Item = i64> + '_ {
    text.split([' ', ','])
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<i64>().unwrap_or(i64::MIN))
}

/// Active students of the school now: id → (grade, homeroom index), with
/// the homerooms' names.
struct Roster {
    students: IdMap<(i64, usize)>,
    homerooms: Vec<String>,
}

async fn roster_now(pool: &SqlitePool, school_id: i64) -> Result<Roster, AppError> {
    // One row: the (homeroom, grade) groups' names as JSON, their grades,
    // and their students (each group's ids, groups separated by `;`).
    let (names, grades, lists): (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT json_group_array(homeroom), group_concat(grade, ' '), group_concat(ids, ';')
             FROM (SELECT homeroom, grade, group_concat(id, ' ') AS ids
                   FROM students INDEXED BY students_by_homeroom_grade
                   WHERE school_id = $1 AND is_active = 1
                   GROUP BY homeroom, grade)",
    )
    .bind(school_id)
    .fetch_one(pool)
    .await?;
    let names: Vec<Option<String>> = match names {
        Some(json) => serde_json::from_str(&json).map_err(|error| {
            tracing::error!(%error, "homerooms of the roster");
            AppError::Internal
        })?,
        None => Vec::new(),
    };
    let mut roster = Roster {
        students: IdMap::default(),
        homerooms: Vec::new(),
    };
    // A missing homeroom and a blank one are the same group.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let lists = lists.unwrap_or_default();
    let groups = names
        .into_iter()
        .zip(numbers(grades.as_deref().unwrap_or("")))
        .zip(lists.split(';'));
    for ((homeroom, grade), list) in groups {
        let label = homeroom
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| "(no homeroom)".to_string());
        let index = *index_of.entry(label.clone()).or_insert_with(|| {
            roster.homerooms.push(label);
            roster.homerooms.len() - 1
        });
        for id in numbers(list) {
            roster.students.insert(id, (grade, index));
        }
    }
    Ok(roster)
}

/// Live strong connections per student in `term_id`.
async fn strong_now(pool: &SqlitePool, term_id: i64) -> Result<IdMap<u32>, AppError> {
    // One `group_concat` per column: SQLite then builds no string per row.
    let (students, counts): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT group_concat(student_id, ' '), group_concat(n, ' ') FROM (
             SELECT student_id, COUNT(*) AS n FROM connections INDEXED BY connections_live_strong
             WHERE term_id = $1 AND removed_at IS NULL AND level = 'strong'
             GROUP BY student_id)",
    )
    .bind(term_id)
    .fetch_one(pool)
    .await?;
    Ok(numbers(students.as_deref().unwrap_or(""))
        .zip(numbers(counts.as_deref().unwrap_or("")))
        .map(|(student, n)| (student, n as u32))
        .collect())
}

/// Imported attributes: (name, value) → students.
async fn attributes(
    pool: &SqlitePool,
    school_id: i64,
) -> Result<Vec<(String, String, Vec<i64>)>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT name, value, group_concat(student_id, ' ')
         FROM student_attributes INDEXED BY student_attributes_groups
         WHERE school_id = $1 GROUP BY name, value",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, value, list)| (name, value, numbers(&list).collect()))
        .collect())
}

/// The roster's part, read again only when the roster has changed: it
/// changes with imports, while marks change all the time.
/// The roster's part of the figures: active students by grade and
/// homeroom, and the imported groups.
struct RosterSnapshot {
    roster: Roster,
    groups: Vec<(String, String, Vec<i64>)>,
}

/// Forgets the roster snapshots kept in memory, as a restart would (for
/// benchmarks of a first view).
pub fn forget_snapshots(db: &Db) {
    db.kept::<Recent<RosterSnapshot>>().clear();
}

async fn roster_snapshot(
    db: &Db,
    school_id: i64,
) -> Result<std::sync::Arc<RosterSnapshot>, AppError> {
    let (last_import, last_status, last_attribute): (Option<i64>, Option<i64>, Option<i64>) =
        sqlx::query_as(
            "SELECT (SELECT MAX(id) FROM imports WHERE school_id = $1),
                    (SELECT MAX(rowid) FROM student_status),
                    (SELECT MAX(rowid) FROM student_attributes)",
        )
        .bind(school_id)
        .fetch_one(db)
        .await?;
    let fingerprint: Fingerprint = (school_id, last_import, last_status, last_attribute);
    let kept = db.kept::<Recent<RosterSnapshot>>();
    if let Some(snapshot) = kept.get(&fingerprint) {
        return Ok(snapshot);
    }
    let (roster, groups) = tokio::try_join!(roster_now(db, school_id), attributes(db, school_id))?;
    let snapshot = std::sync::Arc::new(RosterSnapshot { roster, groups });
    kept.keep(fingerprint, snapshot.clone());
    Ok(snapshot)
}

#[derive(Default)]
struct Tally(Figures);

impl Tally {
    fn add(&mut self, strong: u32) {
        self.0.students += 1;
        self.0.connected += i64::from(strong >= 1);
        self.0.connected_two += i64::from(strong >= 2);
    }
}

/// Now, for the whole school and by grade, homeroom and attribute.
///
/// When the term's whole history of strong marks is read anyway (`marks`),
/// the live counts come from it instead of a second read.
async fn live(
    pool: &Db,
    school_id: i64,
    term_id: Option<i64>,
    marks: Option<&MarksCell>,
) -> Result<(Figures, Vec<Breakdown>), AppError> {
    let (snapshot, strong) = tokio::try_join!(roster_snapshot(pool, school_id), async {
        match (term_id, marks) {
            (Some(term_id), Some(marks)) => {
                let marks = marks.get_or_try_init(|| term_marks(pool, term_id)).await?;
                let mut counts = IdMap::<u32>::default();
                for (student, _, removed) in marks {
                    if removed.is_none() {
                        *counts.entry(*student).or_default() += 1;
                    }
                }
                Ok(counts)
            }
            (Some(term_id), None) => strong_now(pool, term_id).await,
            (None, _) => Ok(IdMap::default()),
        }
    })?;
    let RosterSnapshot { roster, groups } = &*snapshot;
    let strong_of = |id: &i64| strong.get(id).copied().unwrap_or(0);
    let mut school = Tally::default();
    let mut grades: HashMap<i64, Tally> = HashMap::new();
    let mut homerooms: Vec<Tally> = (0..roster.homerooms.len())
        .map(|_| Tally::default())
        .collect();
    for (id, (grade, homeroom)) in &roster.students {
        let n = strong_of(id);
        school.add(n);
        grades.entry(*grade).or_default().add(n);
        homerooms[*homeroom].add(n);
    }
    let mut breakdowns = vec![
        Breakdown::new(
            "grade".into(),
            "Grade".into(),
            grades
                .into_iter()
                .map(|(grade, tally)| (crate::format::grade(grade), tally.0))
                .collect(),
        ),
        Breakdown::new(
            "homeroom".into(),
            "Homeroom".into(),
            roster
                .homerooms
                .iter()
                .cloned()
                .zip(homerooms.into_iter().map(|t| t.0))
                .collect(),
        ),
    ];
    let mut by_name: Vec<(String, Vec<(String, Figures)>)> = Vec::new();
    for (name, value, list) in groups {
        let mut tally = Tally::default();
        for id in list {
            if roster.students.contains_key(id) {
                tally.add(strong_of(id));
            }
        }
        if tally.0.students == 0 {
            continue;
        }
        match by_name.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push((value.clone(), tally.0)),
            None => by_name.push((name.clone(), vec![(value.clone(), tally.0)])),
        }
    }
    for (name, values) in by_name {
        breakdowns.push(Breakdown::new(format!("group-{name}"), name, values));
    }
    Ok((school.0, breakdowns))
}

/// The roster's history as far as instants from `since` on need it: every
/// change of the students who joined after `since` or ever left; the
/// others ("steady": on the roster since before `since`, never left, most
/// of a school) are only counted.
pub struct RosterHistory {
    changes: Vec<(i64, i64, bool)>,
    steady: i64,
}

pub async fn roster_history(
    pool: &SqlitePool,
    school_id: i64,
    since: i64,
) -> Result<RosterHistory, AppError> {
    let (list, moving, students): (Option<String>, i64, i64) = sqlx::query_as(
        "WITH moving AS (
             SELECT DISTINCT student_id FROM student_status INDEXED BY student_status_by_school
             WHERE school_id = $1 AND (at > $2 OR is_active = 0))
         SELECT
             (SELECT group_concat(student_id || ' ' || at || ' ' || is_active, ' ') FROM (
                  SELECT s.student_id, s.at, s.is_active
                  FROM student_status s INDEXED BY student_status_by_school
                  WHERE s.school_id = $1 AND s.student_id IN (SELECT student_id FROM moving)
                  ORDER BY s.student_id, s.at, s.rowid)),
             (SELECT COUNT(*) FROM moving),
             (SELECT COUNT(*) FROM students WHERE school_id = $1)",
    )
    .bind(school_id)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let mut changes = Vec::new();
    let mut values = numbers(list.as_deref().unwrap_or(""));
    while let (Some(student), Some(at), Some(active)) =
        (values.next(), values.next(), values.next())
    {
        changes.push((student, at, active == 1));
    }
    Ok(RosterHistory {
        changes,
        steady: students - moving,
    })
}

/// Every strong mark of `term_id`: (student, made_at, removed_at), grouped
/// by student.
async fn term_marks(
    pool: &SqlitePool,
    term_id: i64,
) -> Result<Vec<(i64, i64, Option<i64>)>, AppError> {
    let (students, made, removed): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT group_concat(student_id, ' '), group_concat(made_at, ' '),
                    group_concat(IFNULL(removed_at, -1), ' ')
             FROM connections INDEXED BY connections_term_strong
             WHERE term_id = $1 AND level = 'strong'",
        )
        .bind(term_id)
        .fetch_one(pool)
        .await?;
    Ok(numbers(students.as_deref().unwrap_or(""))
        .zip(numbers(made.as_deref().unwrap_or("")))
        .zip(numbers(removed.as_deref().unwrap_or("")))
        .map(|((student, made), removed)| (student, made, (removed >= 0).then_some(removed)))
        .collect())
}

/// Figures of `term_id` at one instant: only the strong marks live then
/// are read (a term's end, or the one day that is new since the last view).
pub async fn at_instant(
    pool: &SqlitePool,
    roster: &RosterHistory,
    term_id: i64,
    instant: i64,
) -> Result<Figures, AppError> {
    let list: Option<String> = sqlx::query_scalar(
        "SELECT group_concat(student_id, ' ') FROM connections INDEXED BY connections_term_strong
         WHERE term_id = $1 AND level = 'strong' AND made_at <= $2
           AND (removed_at IS NULL OR removed_at > $2)",
    )
    .bind(term_id)
    .bind(instant)
    .fetch_one(pool)
    .await?;
    let marks: Vec<(i64, i64, Option<i64>)> = numbers(list.as_deref().unwrap_or(""))
        .map(|student| (student, i64::MIN, None))
        .collect();
    Ok(sweep(roster, &marks, &[instant])[0])
}

/// What changes for one student at one instant.
#[derive(Clone, Copy)]
enum Change {
    /// On or off the roster (the latest change at an instant wins).
    Roster(bool),
    /// A strong mark begins (+1) or ends (-1).
    Strong(i32),
}

/// Counts, for every instant (none before the history's `since`), the
/// students on the roster and those of them with one or more, and two or
/// more, live strong marks.
///
/// The history holds each moving student's changes in the order they were
/// recorded; a student with marks and no changes there is steady (on the
/// roster throughout). Both lists come grouped by student from the
/// database (and are sorted here if they are not), so each student's few
/// changes are merged and ordered on their own.
pub fn sweep(
    history: &RosterHistory,
    marks: &[(i64, i64, Option<i64>)],
    instants: &[i64],
) -> Vec<Figures> {
    let roster = &history.changes[..];
    let mut roster_sorted;
    let roster = if roster.is_sorted_by_key(|r| r.0) {
        roster
    } else {
        roster_sorted = roster.to_vec();
        roster_sorted.sort_by_key(|r| r.0);
        &roster_sorted[..]
    };
    let mut marks_sorted;
    let marks = if marks.is_sorted_by_key(|m| m.0) {
        marks
    } else {
        marks_sorted = marks.to_vec();
        marks_sorted.sort_by_key(|m| m.0);
        &marks_sorted[..]
    };
    // Differences over the instants: +1 where a span starts counting.
    let mut diff = vec![[0i64; 3]; instants.len() + 1];
    let first_at_or_after = |at: i64| instants.partition_point(|&t| t < at);
    let mut add_span = |which: usize, from: i64, to: i64| {
        let (a, b) = (first_at_or_after(from), first_at_or_after(to));
        if a < b {
            diff[a][which] += 1;
            diff[b][which] -= 1;
        }
    };
    let mut changes: Vec<(i64, Change)> = Vec::new();
    let (mut r, mut m) = (0, 0);
    while r < roster.len() || m < marks.len() {
        let student = match (roster.get(r), marks.get(m)) {
            (Some(a), Some(b)) => a.0.min(b.0),
            (Some(a), None) => a.0,
            (None, Some(b)) => b.0,
            (None, None) => unreachable!(),
        };
        changes.clear();
        let steady = roster.get(r).is_none_or(|change| change.0 != student);
        while r < roster.len() && roster[r].0 == student {
            changes.push((roster[r].1, Change::Roster(roster[r].2)));
            r += 1;
        }
        while m < marks.len() && marks[m].0 == student {
            changes.push((marks[m].1, Change::Strong(1)));
            if let Some(removed) = marks[m].2 {
                changes.push((removed, Change::Strong(-1)));
            }
            m += 1;
        }
        // Stable: roster changes at one instant keep their recorded order,
        // so the latest wins, as in `count_at`.
        changes.sort_by_key(|c| c.0);
        // Steady students are on throughout and counted apart.
        let mut on = steady;
        let mut strong = 0i32;
        // Start of the current span of each indicator, while it is on.
        let mut since: [Option<i64>; 3] = [None; 3];
        let mut i = 0;
        while i < changes.len() {
            let at = changes[i].0;
            while i < changes.len() && changes[i].0 == at {
                match changes[i].1 {
                    Change::Roster(active) => on = active,
                    Change::Strong(delta) => strong += delta,
                }
                i += 1;
            }
            let state = [on && !steady, on && strong >= 1, on && strong >= 2];
            for which in 0..3 {
                match (since[which], state[which]) {
                    (None, true) => since[which] = Some(at),
                    (Some(from), false) => {
                        add_span(which, from, at);
                        since[which] = None;
                    }
                    _ => {}
                }
            }
        }
        for (which, from) in since.iter().enumerate() {
            if let Some(from) = from {
                add_span(which, *from, i64::MAX);
            }
        }
    }
    let mut running = [0i64; 3];
    diff[..instants.len()]
        .iter()
        .map(|step| {
            for which in 0..3 {
                running[which] += step[which];
            }
            Figures {
                students: running[0] + history.steady,
                connected: running[1],
                connected_two: running[2],
            }
        })
        .collect()
}

/// Days kept per statement: five variables each, far below SQLite's limit
/// of 32,766 in one statement, whatever the length of a term stored before
/// terms were bounded.
const DAYS_PER_INSERT: usize = 500;

/// A term's strong marks with their times, read once for all who need them.
type MarksCell = tokio::sync::OnceCell<Vec<(i64, i64, Option<i64>)>>;

/// The figures kept of `term_id`'s days that are over, by day.
async fn kept_days(pool: &SqlitePool, term_id: i64) -> Result<HashMap<String, Figures>, AppError> {
    let kept: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT day, students, connected, connected_two FROM coverage_days WHERE term_id = $1",
    )
    .bind(term_id)
    .fetch_all(pool)
    .await?;
    Ok(kept
        .into_iter()
        .map(|(day, students, connected, connected_two)| {
            (
                day,
                Figures {
                    students,
                    connected,
                    connected_two,
                },
            )
        })
        .collect())
}

/// The days of `days` whose figures are not kept.
fn missing_days(kept: &HashMap<String, Figures>, days: &[Date]) -> usize {
    days.iter()
        .filter(|day| !kept.contains_key(&clock::day_to_string(**day)))
        .count()
}

/// The figures of `term` at the end of each of `days`, from what is kept
/// (`kept`), computing (and keeping, once over) what is missing.
#[allow(clippy::too_many_arguments)]
async fn days_of_term(
    pool: &Db,
    roster: &tokio::sync::OnceCell<RosterHistory>,
    marks: &MarksCell,
    school_id: i64,
    term_id: i64,
    kept: HashMap<String, Figures>,
    days: &[Date],
    now: i64,
    since: i64,
) -> Result<Vec<Figures>, AppError> {
    let names: Vec<String> = days.iter().map(|d| clock::day_to_string(*d)).collect();
    let missing: Vec<usize> = (0..days.len())
        .filter(|&i| !kept.contains_key(&names[i]))
        .collect();
    let mut computed: HashMap<usize, Figures> = HashMap::new();
    if !missing.is_empty() {
        let instants: Vec<i64> = missing
            .iter()
            .map(|&i| end_of_day(days[i]).min(now))
            .collect();
        let history = || roster.get_or_try_init(|| roster_history(pool, school_id, since));
        let figures = if let [instant] = instants[..] {
            vec![at_instant(pool, history().await?, term_id, instant).await?]
        } else {
            // The two histories are read at once.
            let (history, marks) = tokio::try_join!(
                history(),
                marks.get_or_try_init(|| term_marks(pool, term_id))
            )?;
            sweep(history, marks, &instants)
        };
        let over: Vec<(usize, Figures)> = missing
            .iter()
            .zip(&figures)
            .filter(|(&i, _)| end_of_day(days[i]) + SETTLE_SECS < now)
            .map(|(&i, f)| (i, *f))
            .collect();
        if !over.is_empty() {
            let _turn = pool.write_turn().await;
            let mut tx = pool.begin().await?;
            for batch in over.chunks(DAYS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                    "INSERT OR IGNORE INTO coverage_days (term_id, day, students, connected, connected_two) ",
                );
                insert.push_values(batch, |mut row, (i, f)| {
                    row.push_bind(term_id)
                        .push_bind(&names[*i])
                        .push_bind(f.students)
                        .push_bind(f.connected)
                        .push_bind(f.connected_two);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        computed.extend(missing.iter().copied().zip(figures));
    }
    Ok((0..days.len())
        .map(|i| {
            kept.get(&names[i])
                .or_else(|| computed.get(&i))
                .copied()
                .unwrap_or_default()
        })
        .collect())
}

/// Participation, and each person's marks (for admins).
async fn participation(
    pool: &SqlitePool,
    school_id: i64,
    term_id: Option<i64>,
) -> Result<(Participation, Vec<StaffMarks>), AppError> {
    // Both read at once, each as one row.
    let people = async {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(u.id, u.name, m.role))
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.school_id = $1 AND m.is_active = 1 AND u.is_active = 1",
        )
        .bind(school_id)
        .fetch_one(pool)
        .await?;
        serde_json::from_str::<Vec<(i64, String, String)>>(json.as_deref().unwrap_or("[]")).map_err(
            |error| {
                tracing::error!(%error, "staff of the school");
                AppError::Internal
            },
        )
    };
    let marks = async {
        let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
        let Some(term_id) = term_id else {
            return Ok(counts);
        };
        let (staff, strong, n): (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT group_concat(staff_id, ' '), group_concat(level = 'strong', ' '),
                        group_concat(n, ' ') FROM (
                 SELECT staff_id, level, COUNT(*) AS n
                 FROM connections INDEXED BY connections_live_by_staff
                 WHERE term_id = $1 AND removed_at IS NULL GROUP BY staff_id, level)",
        )
        .bind(term_id)
        .fetch_one(pool)
        .await?;
        let rows = numbers(staff.as_deref().unwrap_or(""))
            .zip(numbers(strong.as_deref().unwrap_or("")))
            .zip(numbers(n.as_deref().unwrap_or("")));
        for ((staff, strong), n) in rows {
            let entry = counts.entry(staff).or_default();
            if strong == 1 {
                entry.0 += n;
            } else {
                entry.1 += n;
            }
        }
        Ok::<_, AppError>(counts)
    };
    let (people, counts) = tokio::try_join!(people, marks)?;
    let mut staff: Vec<StaffMarks> = people
        .into_iter()
        .map(|(id, name, role)| {
            let (strong, knows) = counts.get(&id).copied().unwrap_or_default();
            StaffMarks {
                name,
                role: Role::parse(&role)
                    .map(|r| r.label().to_string())
                    .unwrap_or(role),
                strong,
                knows,
            }
        })
        .collect();
    staff.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    let summary = Participation {
        staff: staff.len() as i64,
        marking: staff.iter().filter(|s| s.strong + s.knows > 0).count() as i64,
    };
    Ok((summary, staff))
}

/// The dashboard of `member`'s school for the current term, on `today` at
/// `now`. Per-person participation is included for admins only.
pub async fn dashboard(
    pool: &Db,
    member: &Member,
    today: Date,
    now: i64,
) -> Result<Dashboard, AppError> {
    let school_id = member.school_id;
    let today_text = clock::day_to_string(today);
    let (term, all_terms) = tokio::try_join!(
        crate::terms::db::current(pool, school_id, &today_text),
        crate::terms::db::list(pool, school_id)
    )?;
    let term_id = term.as_ref().map(|t| t.id);
    // The current term's days that are over (from the day before it
    // began), and whether today is one of its days.
    let mut over: Vec<Date> = Vec::new();
    let mut includes_today = false;
    if let Some(term) = &term {
        let first = parse_day(&term.starts_on)?;
        let last = parse_day(&term.ends_on)?.min(today);
        let before = first - Duration::days(1);
        over = day_range(before, last.min(today - Duration::days(1)));
        includes_today = before <= today && today <= last;
    }
    // Other terms that have begun, each at its end.
    let mut others: Vec<(usize, Date)> = Vec::new();
    for (index, other) in all_terms.iter().enumerate() {
        let first = parse_day(&other.starts_on)?;
        if first <= today && Some(other.id) != term_id {
            let end = parse_day(&other.ends_on)?.min(today - Duration::days(1));
            others.push((index, end));
        }
    }
    // The roster's history is needed from the earliest instant counted on.
    let since = others
        .iter()
        .map(|(_, end)| end_of_day(*end))
        .chain(over.first().map(|day| end_of_day(*day)))
        .fold(now, i64::min);
    // The current term's kept days: when more than one is missing, its
    // whole history of strong marks is read, and gives today's counts too.
    let kept = match term_id {
        Some(term_id) if !over.is_empty() => kept_days(pool, term_id).await?,
        _ => HashMap::new(),
    };
    let marks = MarksCell::new();
    let share = (term_id.is_some() && missing_days(&kept, &over) > 1).then_some(&marks);
    // Everything else is read at once: the pool has a connection for each.
    let history = tokio::sync::OnceCell::new();
    let ((now_figures, breakdowns), (participation, staff), over_figures, other_figures) = tokio::try_join!(
        live(pool, school_id, term_id, share),
        participation(pool, school_id, term_id),
        async {
            match term_id {
                Some(term_id) if !over.is_empty() => {
                    days_of_term(
                        pool, &history, &marks, school_id, term_id, kept, &over, now, since,
                    )
                    .await
                }
                _ => Ok(Vec::new()),
            }
        },
        async {
            let mut figures = Vec::with_capacity(others.len());
            for (index, end) in &others {
                let term_id = all_terms[*index].id;
                let kept = kept_days(pool, term_id).await?;
                let days = [*end];
                let own = MarksCell::new();
                figures.push(
                    days_of_term(
                        pool, &history, &own, school_id, term_id, kept, &days, now, since,
                    )
                    .await?[0],
                );
            }
            Ok::<_, AppError>(figures)
        }
    )?;

    let mut points: Vec<Point> = over
        .iter()
        .zip(over_figures)
        .map(|(day, figures)| Point {
            day: clock::day_to_string(*day),
            figures,
        })
        .collect();
    if includes_today {
        points.push(Point {
            day: today_text.clone(),
            figures: now_figures,
        });
    }
    let start = points.first().map(|p| p.figures).unwrap_or_default();
    let week = clock::day_to_string(today - Duration::days(7));
    let week_ago = points.iter().find(|p| p.day == week).map(|p| p.figures);
    // The day before the term is its starting point, not a day of it.
    let series: Vec<Point> = if term.is_some() {
        points.into_iter().skip(1).collect()
    } else {
        Vec::new()
    };

    let mut other_figures = others.iter().map(|(i, _)| *i).zip(other_figures);
    let mut next_other = other_figures.next();
    let mut terms = Vec::new();
    for (index, other) in all_terms.into_iter().enumerate() {
        let figures = if Some(other.id) == term_id {
            now_figures
        } else if next_other.map(|(i, _)| i) == Some(index) {
            let figures = next_other.map(|(_, f)| f).unwrap_or_default();
            next_other = other_figures.next();
            figures
        } else {
            continue;
        };
        terms.push(TermFinal {
            is_current: Some(other.id) == term_id,
            name: other.name,
            starts_on: other.starts_on,
            ends_on: other.ends_on,
            figures,
        });
    }
    // Oldest first.
    terms.reverse();

    Ok(Dashboard {
        school_name: member.school_name.clone(),
        today: today_text,
        term,
        now: now_figures,
        start,
        week_ago,
        series,
        breakdowns,
        terms,
        participation,
        staff: member.can(Role::Admin).then_some(staff),
    })
}

/// Every day from `first` to `last`, both included.
fn day_range(first: Date, last: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        days.push(day);
        day += Duration::days(1);
    }
    days
}

/// The figures of `term` at one instant, counted directly (the reference
/// the tests and the kept days are checked against).
pub async fn count_at(
    pool: &SqlitePool,
    school_id: i64,
    term: &Term,
    at: i64,
) -> Result<Figures, AppError> {
    let (students, connected, connected_two): (i64, i64, i64) = sqlx::query_as(
        "WITH on_roster AS (
             SELECT DISTINCT s.student_id FROM student_status s
             WHERE s.school_id = $1 AND s.at <= $3
               AND (SELECT x.is_active FROM student_status x
                    WHERE x.student_id = s.student_id AND x.at <= $3
                    ORDER BY x.at DESC, x.rowid DESC LIMIT 1) = 1),
         strong AS (
             SELECT student_id, COUNT(*) AS n FROM connections
             WHERE term_id = $2 AND level = 'strong' AND made_at <= $3
               AND (removed_at IS NULL OR removed_at > $3)
             GROUP BY student_id)
         SELECT COUNT(*), COUNT(strong.n), COALESCE(SUM(strong.n >= 2), 0)
         FROM on_roster LEFT JOIN strong ON strong.student_id = on_roster.student_id",
    )
    .bind(school_id)
    .bind(term.id)
    .bind(at)
    .fetch_one(pool)
    .await?;
    Ok(Figures {
        students,
        connected,
        connected_two,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_counts_spans_on_the_roster_only() {
        // Student 1: on the roster from 0; strong 10..20 and 15..; so one
        // from 10, two from 15 to 20. Student 2: on from 0, off at 30;
        // strong from 5. Student 3: joins at 25, no marks.
        let roster = RosterHistory {
            changes: vec![(1, 0, true), (2, 0, true), (2, 30, false), (3, 25, true)],
            steady: 0,
        };
        let marks = [(1, 10, Some(20)), (1, 15, None), (2, 5, None)];
        let at = |t: i64| sweep(&roster, &marks, &[t])[0];
        let f = |students, connected, connected_two| Figures {
            students,
            connected,
            connected_two,
        };
        assert_eq!(at(4), f(2, 0, 0));
        assert_eq!(at(5), f(2, 1, 0));
        assert_eq!(at(10), f(2, 2, 0));
        assert_eq!(at(15), f(2, 2, 1));
        assert_eq!(at(20), f(2, 2, 0), "removed at 20: no longer live at 20");
        assert_eq!(at(25), f(3, 2, 0));
        assert_eq!(at(30), f(2, 1, 0), "student 2 left");
        assert_eq!(
            sweep(&roster, &marks, &[4, 5, 10, 15, 20, 25, 30]),
            [4, 5, 10, 15, 20, 25, 30].map(at).to_vec()
        );
        // Student 1 steady instead (no changes listed): the same figures.
        let steady = RosterHistory {
            changes: vec![(2, 0, true), (2, 30, false), (3, 25, true)],
            steady: 1,
        };
        assert_eq!(
            sweep(&steady, &marks, &[4, 5, 10, 15, 20, 25, 30]),
            [4, 5, 10, 15, 20, 25, 30].map(at).to_vec()
        );
    }
}
