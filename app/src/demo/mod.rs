//! The demo school generator: a whole, believable school so that every
//! screen has something real to show, and a district-sized one for
//! benchmarks. Deterministic for a seed and a reference day; every name is
//! an invented combination from [`names`].

mod names;
mod rng;

use std::collections::HashSet;

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use time::{Date, Duration, Month};

use crate::accounts::Role;
use crate::clock;
use crate::AppError;
use names::*;
use rng::Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub students: u32,
    pub staff: u32,
    pub seed: u64,
    /// Grades K–8 instead of 9–12.
    pub k8: bool,
    /// The day the demo is "today": the current term contains it and every
    /// mark was made before it. Fixing it makes the output fully repeatable.
    pub today: Date,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            students: 600,
            staff: 40,
            seed: 1,
            k8: false,
            today: clock::today(),
        }
    }
}

/// What was generated, for the command line to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub school_id: i64,
    pub school_name: String,
    pub students: usize,
    pub staff: usize,
    pub classes: usize,
    pub strong_marks: usize,
    pub knows_marks: usize,
    pub concerns: usize,
    /// Active students with no strong connection in the current term.
    pub unconnected: usize,
}

/// Share of students by number of strong connections (0, 1, 2, …) in the
/// current term: about 15 % with none, most with one to three.
const CURRENT_STRONG: &[u32] = &[15, 33, 27, 15, 6, 3, 1];
/// The previous term ended with lower coverage: the practice works.
const PREVIOUS_STRONG: &[u32] = &[24, 34, 24, 12, 4, 2];
/// Number of "knows" marks per student.
const KNOWS: &[u32] = &[35, 33, 20, 9, 3];
/// Largest number of bound values in one INSERT (SQLite allows 32,766).
const MAX_BINDS: usize = 30_000;

/// Generates a demo school into `pool`, all in one transaction.
///
/// Refuses a database that already holds a school: demo records must never
/// mix with a real school's.
pub async fn generate(pool: &SqlitePool, options: &DemoOptions) -> Result<DemoSummary, AppError> {
    if options.students == 0 || options.staff < 3 {
        return Err(AppError::Invalid(
            "A demo school needs at least 1 student and 3 staff (an admin, a counselor and a teacher).".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let schools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schools")
        .fetch_one(&mut *tx)
        .await?;
    if schools > 0 {
        return Err(AppError::Invalid(
            "This database already has a school; a demo school can only be generated into an empty database. Use a new --database-url.".into(),
        ));
    }
    let plan = Plan::new(options);
    let ids = IdBase::read(&mut tx).await?;
    let summary = plan.write(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(summary)
}

/// First free id of each table, so that generated rows can carry explicit
/// ids (much faster than reading each one back).
struct IdBase {
    user: i64,
    student: i64,
    class: i64,
    take_on: i64,
}

impl IdBase {
    async fn read(conn: &mut SqliteConnection) -> Result<Self, AppError> {
        async fn next(conn: &mut SqliteConnection, table: &str) -> Result<i64, AppError> {
            let max: i64 = sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                .fetch_one(&mut *conn)
                .await?;
            Ok(max + 1)
        }
        Ok(IdBase {
            user: next(conn, "users").await?,
            student: next(conn, "students").await?,
            class: next(conn, "classes").await?,
            take_on: next(conn, "take_ons").await?,
        })
    }
}

struct StaffMember {
    first: &'static str,
    last: &'static str,
    role: &'static str,
    title: String,
    teaches: bool,
    /// Some staff have not started marking yet (participation is never 100 %).
    marks: bool,
}

struct Student {
    sis_id: String,
    first: &'static str,
    last: &'static str,
    preferred: Option<&'static str>,
    grade: i64,
    homeroom: String,
    active: bool,
    gender: &'static str,
    ell: bool,
    iep: bool,
    new_arrival: bool,
    /// Staff indexes who teach this student (homeroom first).
    teachers: Vec<usize>,
}

struct Class {
    name: String,
    is_homeroom: bool,
    teacher: usize,
    students: Vec<usize>,
}

struct TermPlan {
    name: String,
    starts_on: Date,
    ends_on: Date,
    /// Staff-meeting days, when most marks are made (jumps on the chart).
    meetings: [Date; 2],
    /// The last day marks can have been made.
    last_mark_day: Date,
}

struct Mark {
    term: usize,
    staff: usize,
    student: usize,
    level: &'static str,
    made_at: i64,
    removed_at: Option<i64>,
}

struct Concern {
    student: usize,
    raised_by: usize,
    reason: Option<&'static str>,
    raised_at: i64,
}

struct TakeOn {
    student: usize,
    staff: usize,
    assigned_by: Option<usize>,
    started_on: Date,
    check_ins: Vec<(Date, Option<&'static str>)>,
}

/// The whole school, generated in memory before anything is written.
struct Plan {
    school_name: String,
    created_at: i64,
    staff: Vec<StaffMember>,
    students: Vec<Student>,
    classes: Vec<Class>,
    /// Index 0 is the previous term, 1 the current one.
    terms: [TermPlan; 2],
    marks: Vec<Mark>,
    concerns: Vec<Concern>,
    take_ons: Vec<TakeOn>,
}

impl Plan {
    fn new(options: &DemoOptions) -> Self {
        let mut rng = Rng::new(options.seed);
        let grades: Vec<i64> = if options.k8 {
            (0..=8).collect()
        } else {
            (9..=12).collect()
        };
        let kind = if options.k8 {
            "K-8 School"
        } else {
            "High School"
        };
        let school_name = format!("{} {kind}", rng.pick(PLACES));
        let created_at = clock::start_of_day(options.today - Duration::days(200));

        let staff = make_staff(&mut rng, options.staff as usize, options.students as usize);
        let mut students = make_students(&mut rng, options.students as usize, &grades);
        let classes = make_classes(&mut rng, &staff, &mut students, &grades, options.k8);
        let terms = make_terms(options.today);

        let mut plan = Plan {
            school_name,
            created_at,
            staff,
            students,
            classes,
            terms,
            marks: Vec::new(),
            concerns: Vec::new(),
            take_ons: Vec::new(),
        };
        plan.make_marks(&mut rng, 0, PREVIOUS_STRONG);
        plan.make_marks(&mut rng, 1, CURRENT_STRONG);
        plan.make_concerns(&mut rng, options.today);
        plan.make_take_ons(&mut rng, options.today);
        plan
    }

    /// Strong and knows marks of one term, made mostly at the two
    /// staff meetings, with some "knows → strong" history.
    fn make_marks(&mut self, rng: &mut Rng, term: usize, strong_weights: &[u32]) {
        let markers: Vec<usize> = (0..self.staff.len())
            .filter(|&s| self.staff[s].marks)
            .collect();
        let plan = &self.terms[term];
        for (index, student) in self.students.iter().enumerate() {
            // Students who left before the current term have no marks in it.
            if term == 1 && !student.active {
                continue;
            }
            let strong = rng.weighted(strong_weights);
            let knows = rng.weighted(KNOWS);
            let mut chosen: HashSet<usize> = HashSet::new();
            for mark in 0..strong + knows {
                let level = if mark < strong { "strong" } else { "knows" };
                // Strong connections come mostly from the adults who see the
                // student every day; "knows" from anywhere in the building.
                let prefer_teacher = if level == "strong" { 75 } else { 40 };
                let mut staff = None;
                for _ in 0..8 {
                    let candidate = if rng.percent(prefer_teacher) && !student.teachers.is_empty() {
                        rng.pick(&student.teachers)
                    } else {
                        rng.pick(&markers)
                    };
                    if self.staff[candidate].marks && chosen.insert(candidate) {
                        staff = Some(candidate);
                        break;
                    }
                }
                let Some(staff) = staff else { continue };
                let made_on = mark_day(rng, plan);
                let made_at = clock::start_of_day(made_on) + 15 * 3600 + rng.below(3600) as i64;
                if level == "strong" && made_on == plan.meetings[1] && rng.percent(30) {
                    // Knew the student at the first meeting, connected by the second.
                    let earlier =
                        clock::start_of_day(plan.meetings[0]) + 15 * 3600 + rng.below(1800) as i64;
                    self.marks.push(Mark {
                        term,
                        staff,
                        student: index,
                        level: "knows",
                        made_at: earlier,
                        removed_at: Some(made_at),
                    });
                }
                self.marks.push(Mark {
                    term,
                    staff,
                    student: index,
                    level,
                    made_at,
                    removed_at: None,
                });
            }
        }
    }

    fn make_concerns(&mut self, rng: &mut Rng, today: Date) {
        let markers: Vec<usize> = (0..self.staff.len())
            .filter(|&s| self.staff[s].marks)
            .collect();
        for (index, student) in self.students.iter().enumerate() {
            if !student.active || !rng.percent(3) {
                continue;
            }
            let raised_by = if student.teachers.is_empty() {
                rng.pick(&markers)
            } else {
                rng.pick(&student.teachers)
            };
            let reason = (!rng.percent(25)).then(|| rng.pick(CONCERN_REASONS));
            let day = today - Duration::days(1 + rng.below(30) as i64);
            self.concerns.push(Concern {
                student: index,
                raised_by,
                reason,
                raised_at: clock::start_of_day(day.max(self.terms[1].starts_on)) + 10 * 3600,
            });
        }
    }

    /// Some unconnected students have already been taken on by an adult,
    /// with a few check-ins logged.
    fn make_take_ons(&mut self, rng: &mut Rng, today: Date) {
        let mut strong: HashSet<usize> = HashSet::new();
        for mark in &self.marks {
            if mark.term == 1 && mark.level == "strong" && mark.removed_at.is_none() {
                strong.insert(mark.student);
            }
        }
        let counselors: Vec<usize> = (0..self.staff.len())
            .filter(|&s| self.staff[s].role == "counselor")
            .collect();
        for (index, student) in self.students.iter().enumerate() {
            if !student.active || strong.contains(&index) || !rng.percent(25) {
                continue;
            }
            let staff = if student.teachers.is_empty() {
                rng.below(self.staff.len())
            } else {
                rng.pick(&student.teachers)
            };
            let assigned_by =
                (rng.percent(50) && !counselors.is_empty()).then(|| rng.pick(&counselors));
            let started_on = today - Duration::days(3 + rng.below(12) as i64);
            let check_ins = (0..rng.below(6))
                .map(|day| {
                    let note = rng.percent(60).then(|| rng.pick(CHECK_IN_NOTES));
                    (started_on + Duration::days(day as i64 + 1), note)
                })
                .filter(|(day, _)| *day < today)
                .collect();
            self.take_ons.push(TakeOn {
                student: index,
                staff,
                assigned_by,
                started_on,
                check_ins,
            });
        }
    }

    /// The staff members who get the published demo sign-ins: the
    /// principal, the first counselor and the first teacher.
    fn demo_logins(&self) -> Vec<(usize, &'static str, &'static str)> {
        crate::accounts::DEMO_ACCOUNTS
            .iter()
            .filter_map(|(email, password, role)| {
                let index = self.staff.iter().position(|member| match role {
                    Role::Admin => member.role == "admin",
                    Role::Counselor => member.role == "counselor",
                    Role::Staff => member.teaches,
                })?;
                Some((index, *email, *password))
            })
            .collect()
    }

    async fn write(
        &self,
        conn: &mut SqliteConnection,
        ids: &IdBase,
    ) -> Result<DemoSummary, AppError> {
        let school_id: i64 = sqlx::query_scalar(
            "INSERT INTO schools (name, is_demo, created_at) VALUES ($1, 1, $2) RETURNING id",
        )
        .bind(&self.school_name)
        .bind(self.created_at)
        .fetch_one(&mut *conn)
        .await?;

        let mut term_ids = [0i64; 2];
        for (slot, term) in self.terms.iter().enumerate() {
            term_ids[slot] = sqlx::query_scalar(
                "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(school_id)
            .bind(&term.name)
            .bind(clock::day_to_string(term.starts_on))
            .bind(clock::day_to_string(term.ends_on))
            .bind(clock::start_of_day(term.starts_on) - 7 * 86_400)
            .fetch_one(&mut *conn)
            .await?;
        }

        let user_id = |staff: usize| ids.user + staff as i64;
        let student_id = |student: usize| ids.student + student as i64;
        let created_at = self.created_at;

        let logins = self.demo_logins();
        let email_of = |index: usize, member: &StaffMember| match logins
            .iter()
            .find(|(i, _, _)| *i == index)
        {
            Some((_, email, _)) => email.to_string(),
            None => demo_email(member, index),
        };
        let staff: Vec<(usize, &StaffMember)> = self.staff.iter().enumerate().collect();
        insert_all(
            conn,
            "INSERT INTO users (id, email, name, created_at) ",
            4,
            &staff,
            |mut row, (index, member)| {
                row.push_bind(user_id(*index))
                    .push_bind(email_of(*index, member))
                    .push_bind(format!("{} {}", member.first, member.last))
                    .push_bind(created_at);
            },
        )
        .await?;
        insert_all(
            conn,
            "INSERT INTO memberships (school_id, user_id, role, title, created_at) ",
            5,
            &staff,
            |mut row, (index, member)| {
                row.push_bind(school_id)
                    .push_bind(user_id(*index))
                    .push_bind(member.role)
                    .push_bind(member.title.as_str())
                    .push_bind(created_at);
            },
        )
        .await?;

        for (index, _, password) in &logins {
            let hash = crate::accounts::password::hash(password.to_string()).await?;
            crate::accounts::db::set_password_hash(&mut *conn, user_id(*index), &hash).await?;
        }

        // Students who are inactive left just before the current term.
        let left_at = clock::start_of_day(self.terms[1].starts_on) - 2 * 86_400;
        let students: Vec<(usize, &Student)> = self.students.iter().enumerate().collect();
        insert_all(
            conn,
            "INSERT INTO students (id, school_id, sis_id, first_name, last_name, preferred_name, grade, homeroom, is_active, created_at, updated_at) ",
            11,
            &students,
            |mut row, (index, student)| {
                row.push_bind(student_id(*index))
                    .push_bind(school_id)
                    .push_bind(student.sis_id.as_str())
                    .push_bind(student.first)
                    .push_bind(student.last)
                    .push_bind(student.preferred)
                    .push_bind(student.grade)
                    .push_bind(student.homeroom.as_str())
                    .push_bind(student.active)
                    .push_bind(created_at)
                    .push_bind(if student.active { created_at } else { left_at });
            },
        )
        .await?;

        let attributes: Vec<(usize, &'static str, &'static str)> = students
            .iter()
            .flat_map(|(index, student)| {
                let yes_no = |flag: bool| if flag { "yes" } else { "no" };
                [
                    (*index, "gender", student.gender),
                    (*index, "ell", yes_no(student.ell)),
                    (*index, "iep", yes_no(student.iep)),
                    (*index, "new_arrival", yes_no(student.new_arrival)),
                ]
            })
            .collect();
        insert_all(
            conn,
            "INSERT INTO student_attributes (school_id, student_id, name, value) ",
            4,
            &attributes,
            |mut row, (index, name, value)| {
                row.push_bind(school_id)
                    .push_bind(student_id(*index))
                    .push_bind(*name)
                    .push_bind(*value);
            },
        )
        .await?;

        let class_id = |class: usize| ids.class + class as i64;
        let classes: Vec<(usize, &Class)> = self.classes.iter().enumerate().collect();
        insert_all(
            conn,
            "INSERT INTO classes (id, school_id, sis_id, name, is_homeroom) ",
            5,
            &classes,
            |mut row, (index, class)| {
                row.push_bind(class_id(*index))
                    .push_bind(school_id)
                    .push_bind(format!("SEC-{:05}", index + 1))
                    .push_bind(class.name.as_str())
                    .push_bind(class.is_homeroom);
            },
        )
        .await?;
        insert_all(
            conn,
            "INSERT INTO class_staff (school_id, class_id, staff_id) ",
            3,
            &classes,
            |mut row, (index, class)| {
                row.push_bind(school_id)
                    .push_bind(class_id(*index))
                    .push_bind(user_id(class.teacher));
            },
        )
        .await?;
        let enrollments: Vec<(usize, usize)> = classes
            .iter()
            .flat_map(|(index, class)| class.students.iter().map(move |student| (*index, *student)))
            .collect();
        insert_all(
            conn,
            "INSERT INTO class_students (school_id, class_id, student_id) ",
            3,
            &enrollments,
            |mut row, (class, student)| {
                row.push_bind(school_id)
                    .push_bind(class_id(*class))
                    .push_bind(student_id(*student));
            },
        )
        .await?;

        insert_all(
            conn,
            "INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at, removed_at) ",
            7,
            &self.marks,
            |mut row, mark| {
                row.push_bind(school_id)
                    .push_bind(term_ids[mark.term])
                    .push_bind(user_id(mark.staff))
                    .push_bind(student_id(mark.student))
                    .push_bind(mark.level)
                    .push_bind(mark.made_at)
                    .push_bind(mark.removed_at);
            },
        )
        .await?;
        insert_all(
            conn,
            "INSERT INTO concerns (school_id, term_id, student_id, raised_by, reason, raised_at) ",
            6,
            &self.concerns,
            |mut row, concern| {
                row.push_bind(school_id)
                    .push_bind(term_ids[1])
                    .push_bind(student_id(concern.student))
                    .push_bind(user_id(concern.raised_by))
                    .push_bind(concern.reason)
                    .push_bind(concern.raised_at);
            },
        )
        .await?;

        let take_on_id = |take_on: usize| ids.take_on + take_on as i64;
        let take_ons: Vec<(usize, &TakeOn)> = self.take_ons.iter().enumerate().collect();
        insert_all(
            conn,
            "INSERT INTO take_ons (id, school_id, term_id, student_id, staff_id, assigned_by, started_at) ",
            7,
            &take_ons,
            |mut row, (index, take_on)| {
                row.push_bind(take_on_id(*index))
                    .push_bind(school_id)
                    .push_bind(term_ids[1])
                    .push_bind(student_id(take_on.student))
                    .push_bind(user_id(take_on.staff))
                    .push_bind(take_on.assigned_by.map(user_id))
                    .push_bind(clock::start_of_day(take_on.started_on) + 9 * 3600);
            },
        )
        .await?;
        let check_ins: Vec<(usize, usize, Date, Option<&'static str>)> = take_ons
            .iter()
            .flat_map(|(index, take_on)| {
                take_on
                    .check_ins
                    .iter()
                    .map(move |(day, note)| (*index, take_on.staff, *day, *note))
            })
            .collect();
        insert_all(
            conn,
            "INSERT INTO check_ins (school_id, take_on_id, checked_on, note, created_by, created_at) ",
            6,
            &check_ins,
            |mut row, (take_on, staff, day, note)| {
                row.push_bind(school_id)
                    .push_bind(take_on_id(*take_on))
                    .push_bind(clock::day_to_string(*day))
                    .push_bind(*note)
                    .push_bind(user_id(*staff))
                    .push_bind(clock::start_of_day(*day) + 12 * 3600);
            },
        )
        .await?;

        let live_current = self
            .marks
            .iter()
            .filter(|m| m.term == 1 && m.removed_at.is_none());
        let mut strong_students = HashSet::new();
        let (mut strong_marks, mut knows_marks) = (0, 0);
        for mark in live_current {
            if mark.level == "strong" {
                strong_marks += 1;
                strong_students.insert(mark.student);
            } else {
                knows_marks += 1;
            }
        }
        let active: Vec<usize> = (0..self.students.len())
            .filter(|&s| self.students[s].active)
            .collect();
        Ok(DemoSummary {
            school_id,
            school_name: self.school_name.clone(),
            students: active.len(),
            staff: self.staff.len(),
            classes: self.classes.len(),
            strong_marks,
            knows_marks,
            concerns: self.concerns.len(),
            unconnected: active
                .iter()
                .filter(|s| !strong_students.contains(s))
                .count(),
        })
    }
}

/// Inserts `rows` with as few statements as SQLite's bind limit allows.
async fn insert_all<'a, T: 'a>(
    conn: &mut SqliteConnection,
    insert_into: &str,
    columns: usize,
    rows: &'a [T],
    mut push_row: impl FnMut(Separated<'_, 'a, Sqlite, &'static str>, &'a T),
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(MAX_BINDS / columns) {
        let mut builder = QueryBuilder::<'a, Sqlite>::new(insert_into);
        builder.push_values(chunk, &mut push_row);
        builder
            .build()
            .persistent(false)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn make_staff(rng: &mut Rng, count: usize, students: usize) -> Vec<StaffMember> {
    let counselors = (students / 400).clamp(1, (count / 5).max(1));
    (0..count)
        .map(|index| {
            let (role, title, teaches) = if index == 0 {
                ("admin", "Principal".to_string(), false)
            } else if index == 1 && count >= 20 {
                ("admin", "Assistant principal".to_string(), false)
            } else if index <= counselors + usize::from(count >= 20) {
                ("counselor", "School counselor".to_string(), false)
            } else if rng.percent(72) || index == count - 1 {
                ("staff", "Teacher".to_string(), true)
            } else {
                ("staff", rng.pick(SUPPORT_TITLES).to_string(), false)
            };
            StaffMember {
                first: rng.pick(FIRST_NAMES),
                last: rng.pick(LAST_NAMES),
                role,
                title,
                teaches,
                // The first three (the demo's admin, counselor and first
                // teacher) always take part so their screens show marks.
                marks: index < 3 || rng.percent(90),
            }
        })
        .collect()
}

fn make_students(rng: &mut Rng, count: usize, grades: &[i64]) -> Vec<Student> {
    (0..count)
        .map(|index| {
            let preferred = rng.percent(8).then(|| rng.pick(PREFERRED_NAMES));
            Student {
                // Seven digits with leading zeros, as many SIS ids have.
                sis_id: format!("{:07}", 40_000 + index * 7 + rng.below(7)),
                first: rng.pick(FIRST_NAMES),
                last: rng.pick(LAST_NAMES),
                preferred,
                grade: grades[index * grades.len() / count],
                homeroom: String::new(),
                active: !rng.percent(1),
                gender: ["female", "male", "nonbinary"][rng.weighted(&[49, 49, 2])],
                ell: rng.percent(10),
                iep: rng.percent(13),
                new_arrival: rng.percent(4),
                teachers: Vec::new(),
            }
        })
        .collect()
}

/// Homerooms of about 25 and class sections of about 28 per subject and
/// grade, taught by the teaching staff in turn.
fn make_classes(
    rng: &mut Rng,
    staff: &[StaffMember],
    students: &mut [Student],
    grades: &[i64],
    k8: bool,
) -> Vec<Class> {
    let teachers: Vec<usize> = (0..staff.len()).filter(|&s| staff[s].teaches).collect();
    let subjects = if k8 {
        K8_SUBJECTS
    } else {
        HIGH_SCHOOL_SUBJECTS
    };
    let mut classes = Vec::new();
    let mut next_teacher = rng.below(teachers.len());
    let mut take_teacher = || {
        next_teacher = (next_teacher + 1) % teachers.len();
        teachers[next_teacher]
    };
    for (grade_index, grade) in grades.iter().enumerate() {
        let mut in_grade: Vec<usize> = (0..students.len())
            .filter(|&s| students[s].grade == *grade)
            .collect();
        if in_grade.is_empty() {
            continue;
        }
        let homerooms = in_grade.len().div_ceil(25);
        for room in 0..homerooms {
            let label = format!("{}{:02}", grade_index + 1, room + 1);
            let teacher = take_teacher();
            let members: Vec<usize> = in_grade
                .iter()
                .copied()
                .skip(room)
                .step_by(homerooms)
                .collect();
            for &student in &members {
                students[student].homeroom = label.clone();
                students[student].teachers.push(teacher);
            }
            classes.push(Class {
                name: format!("Homeroom {label}"),
                is_homeroom: true,
                teacher,
                students: members,
            });
        }
        let sections = in_grade.len().div_ceil(28);
        for subject in subjects {
            // A different mix of classmates in every subject.
            for i in (1..in_grade.len()).rev() {
                in_grade.swap(i, rng.below(i + 1));
            }
            for section in 0..sections {
                let teacher = take_teacher();
                let members: Vec<usize> = in_grade
                    .iter()
                    .copied()
                    .skip(section)
                    .step_by(sections)
                    .collect();
                for &student in &members {
                    if !students[student].teachers.contains(&teacher) {
                        students[student].teachers.push(teacher);
                    }
                }
                classes.push(Class {
                    name: format!(
                        "{subject} {} · section {}",
                        crate::format::grade(*grade),
                        section + 1
                    ),
                    is_homeroom: false,
                    teacher,
                    students: members,
                });
            }
        }
    }
    classes
}

/// The current term contains `today` (it began eight weeks ago); the
/// previous one ended the day before it began.
fn make_terms(today: Date) -> [TermPlan; 2] {
    let current_start = today - Duration::weeks(8);
    let previous_end = current_start - Duration::days(1);
    let previous_start = previous_end - Duration::weeks(20);
    let current_name = season_name(current_start);
    let mut previous_name = season_name(previous_start);
    if previous_name == current_name {
        previous_name.push_str(" (earlier)");
    }
    [
        TermPlan {
            name: previous_name,
            starts_on: previous_start,
            ends_on: previous_end,
            meetings: [
                previous_start + Duration::days(7),
                previous_start + Duration::days(63),
            ],
            last_mark_day: previous_end,
        },
        TermPlan {
            name: current_name,
            starts_on: current_start,
            ends_on: current_start + Duration::weeks(20),
            meetings: [
                current_start + Duration::days(7),
                today - Duration::days(14),
            ],
            last_mark_day: today - Duration::days(1),
        },
    ]
}

fn season_name(start: Date) -> String {
    let season = if start.month() >= Month::August {
        "Fall"
    } else {
        "Spring"
    };
    format!("{season} {}", start.year())
}

/// The day a mark was made: most at the two staff meetings, the rest spread
/// over the term so far.
fn mark_day(rng: &mut Rng, term: &TermPlan) -> Date {
    match rng.weighted(&[55, 30, 15]) {
        0 => term.meetings[0],
        1 => term.meetings[1],
        _ => {
            let span = (term.last_mark_day - term.starts_on).whole_days().max(0) as usize;
            term.starts_on + Duration::days(rng.below(span + 1) as i64)
        }
    }
}

/// An address at a reserved domain (`.example`), so it can never reach
/// anyone. Accents are dropped; everything else is kept readable.
fn demo_email(member: &StaffMember, index: usize) -> String {
    let ascii = |text: &str| -> String {
        text.chars()
            .filter_map(|c| match c {
                'á' | 'à' | 'ä' | 'â' => Some('a'),
                'é' | 'è' | 'ë' | 'ê' => Some('e'),
                'í' | 'ï' => Some('i'),
                'ó' | 'ö' => Some('o'),
                'ú' | 'ü' => Some('u'),
                'ñ' => Some('n'),
                c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    format!(
        "{}.{}{}@demo.example",
        ascii(member.first),
        ascii(member.last),
        index + 1
    )
}
