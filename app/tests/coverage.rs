//! The coverage dashboard's arithmetic: one, two or no strong connections,
//! removed marks, students who leave, past dates, term boundaries, small
//! groups, the series against a direct recount, participation and CSV.
#![cfg(feature = "ssr")]

use app::accounts::{Member, Role};
use app::clock;
use app::connections::{marking, Level};
use app::coverage::figures::{count_at, dashboard, end_of_day};
use app::coverage::{Dashboard, Figures};
use app::db::Db;
use app::terms::db::{self as terms, Draft};
use app::terms::Term;
use sqlx::SqlitePool;
use time::{Date, Duration};

fn day(text: &str) -> Date {
    clock::parse_day(text).unwrap()
}

/// An instant on `date` at `hour` UTC.
fn at(date: &str, hour: i64) -> i64 {
    clock::start_of_day(day(date)) + hour * 3600
}

const TODAY: &str = "2026-11-24";

fn now() -> i64 {
    at(TODAY, 12)
}

fn figures(students: i64, connected: i64, connected_two: i64) -> Figures {
    Figures {
        students,
        connected,
        connected_two,
    }
}

struct School {
    id: i64,
    fall: Term,
    students: Vec<i64>,
}

async fn member(pool: &Db, school: i64, who: &str, role: Role) -> Member {
    let user_id = app::accounts::db::upsert_member(
        pool,
        &format!("{who}@aspen.example"),
        who,
        None,
        school,
        role,
        0,
    )
    .await
    .unwrap();
    Member {
        user_id,
        name: who.to_string(),
        email: format!("{who}@aspen.example"),
        role,
        school_id: school,
        school_name: "Aspen Ridge High School".into(),
        school_is_demo: false,
    }
}

/// Spring and Fall 2026; `grades` gives each student's grade.
async fn school(pool: &Db, grades: &[i64]) -> School {
    let id = app::schools::db::create(pool, "Aspen Ridge High School", 0)
        .await
        .unwrap()
        .id;
    let term = |name: &str, starts: &str, ends: &str| Draft {
        name: name.into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
    };
    terms::create(
        pool,
        id,
        &term("Spring 2026", "2026-01-20", "2026-06-10"),
        0,
    )
    .await
    .unwrap();
    terms::create(pool, id, &term("Fall 2026", "2026-08-31", "2027-01-22"), 0)
        .await
        .unwrap();
    let fall = terms::current(pool, id, TODAY).await.unwrap().unwrap();
    let mut students = Vec::new();
    for (n, grade) in grades.iter().enumerate() {
        let student: i64 = sqlx::query_scalar(
            "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, homeroom, created_at, updated_at)
             VALUES ($1, $2, 'Sam', $3, $4, $5, 0, 0) RETURNING id",
        )
        .bind(id)
        .bind(format!("{:05}", n + 1))
        .bind(format!("Student{n}"))
        .bind(grade)
        .bind(format!("Room {}", grade * 10))
        .fetch_one(pool)
        .await
        .unwrap();
        students.push(student);
    }
    School { id, fall, students }
}

async fn mark(pool: &Db, who: &Member, student: i64, level: Option<Level>, when: i64) {
    let today = clock::day_to_string(
        time::OffsetDateTime::from_unix_timestamp(when)
            .unwrap()
            .date(),
    );
    marking::mark(pool, who, student, level, when, &today)
        .await
        .unwrap();
}

async fn set_active(pool: &Db, student: i64, active: bool, when: i64) {
    sqlx::query("UPDATE students SET is_active = $1, updated_at = $2 WHERE id = $3")
        .bind(active)
        .bind(when)
        .bind(student)
        .execute(pool)
        .await
        .unwrap();
}

async fn view(pool: &Db, who: &Member) -> Dashboard {
    dashboard(pool, who, day(TODAY), now()).await.unwrap()
}

fn point(dashboard: &Dashboard, date: &str) -> Figures {
    dashboard
        .series
        .iter()
        .find(|p| p.day == date)
        .unwrap_or_else(|| panic!("no point for {date}"))
        .figures
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn one_two_and_none_count_live_strong_marks_of_active_students(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool, &[9, 9, 9, 9, 10, 10, 10]).await;
    let ada = member(&pool, school.id, "ada", Role::Counselor).await;
    let ben = member(&pool, school.id, "ben", Role::Staff).await;
    let [a, b, c, _, _, _, g] = school.students[..] else {
        unreachable!()
    };
    // A spring mark never counts in the fall.
    mark(&pool, &ada, b, Some(Level::Strong), at("2026-03-02", 15)).await;
    // First staff meeting.
    mark(&pool, &ada, a, Some(Level::Strong), at("2026-09-07", 15)).await;
    mark(&pool, &ben, a, Some(Level::Strong), at("2026-09-07", 15)).await;
    mark(&pool, &ada, b, Some(Level::Strong), at("2026-09-07", 16)).await;
    mark(&pool, &ada, c, Some(Level::Knows), at("2026-09-07", 16)).await;
    mark(&pool, &ada, g, Some(Level::Strong), at("2026-09-07", 16)).await;
    // A week later: B's mark removed, C now strong (by ben).
    mark(&pool, &ada, b, None, at("2026-09-14", 10)).await;
    mark(&pool, &ben, c, Some(Level::Strong), at("2026-09-14", 10)).await;
    // G leaves the school.
    set_active(&pool, g, false, at("2026-10-01", 9)).await;

    let board = view(&pool, &ada).await;
    // Now: A (two), C (one); B removed, G inactive; 6 active students.
    assert_eq!(board.now, figures(6, 2, 1));
    assert_eq!(board.now.unconnected(), 4);
    assert_eq!(
        board.start,
        figures(7, 0, 0),
        "the term began with no marks"
    );
    assert_eq!(board.series.first().unwrap().day, "2026-08-31");
    assert_eq!(board.series.last().unwrap().day, TODAY);
    assert_eq!(board.series.last().unwrap().figures, board.now);
    assert_eq!(point(&board, "2026-09-06"), figures(7, 0, 0));
    assert_eq!(point(&board, "2026-09-07"), figures(7, 3, 1));
    assert_eq!(point(&board, "2026-09-14"), figures(7, 3, 1));
    assert_eq!(point(&board, "2026-10-01"), figures(6, 2, 1));
    assert_eq!(board.week_ago, Some(figures(6, 2, 1)));

    // Across terms: spring at its end (B's one mark), fall now.
    let spring = &board.terms[0];
    assert_eq!(spring.name, "Spring 2026");
    assert_eq!(spring.figures, figures(7, 1, 0));
    assert!(board.terms[1].is_current);
    assert_eq!(board.terms[1].figures, board.now);

    // A past date, counted directly, agrees; and kept days are reused.
    assert_eq!(
        count_at(
            &pool,
            school.id,
            &school.fall,
            end_of_day(day("2026-09-07"))
        )
        .await
        .unwrap(),
        figures(7, 3, 1)
    );
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM coverage_days")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(kept > 80, "the days that are over are kept ({kept})");
    assert_eq!(view(&pool, &ada).await, board);

    // Participation: ada and ben marked; the counselor-only view has no
    // per-person list.
    assert_eq!(
        (board.participation.staff, board.participation.marking),
        (2, 2)
    );
    assert_eq!(board.staff, None);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_student_who_returns_counts_again_and_a_term_boundary_is_exact(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool, &[9, 9, 9, 9, 9]).await;
    let ada = member(&pool, school.id, "ada", Role::Admin).await;
    let a = school.students[0];
    // Marked at the term's very first second.
    mark(&pool, &ada, a, Some(Level::Strong), at("2026-08-31", 0)).await;
    set_active(&pool, a, false, at("2026-09-10", 8)).await;
    set_active(&pool, a, true, at("2026-09-20", 8)).await;
    let board = view(&pool, &ada).await;
    assert_eq!(board.start, figures(5, 0, 0));
    assert_eq!(point(&board, "2026-08-31"), figures(5, 1, 0));
    assert_eq!(point(&board, "2026-09-10"), figures(4, 0, 0));
    assert_eq!(point(&board, "2026-09-20"), figures(5, 1, 0));
    assert_eq!(board.now, figures(5, 1, 0));
    // Admins see who has not started.
    let staff = board.staff.unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!((staff[0].strong, staff[0].knows), (1, 0));
}

/// A small deterministic generator for the recount test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_series_equals_a_recount_on_every_day(pool: SqlitePool) {
    let pool = Db::from(pool);
    let grades: Vec<i64> = (0..40).map(|n| 9 + n % 4).collect();
    let school = school(&pool, &grades).await;
    let mut staff = Vec::new();
    for who in ["ada", "ben", "cy", "dee"] {
        staff.push(member(&pool, school.id, who, Role::Staff).await);
    }
    let mut rng = Lcg(7);
    let first = day("2026-08-31");
    let mut active = vec![true; school.students.len()];
    // 300 actions over 80 days, in time order: marks, changes, removals,
    // students leaving and coming back.
    for step in 0..300i64 {
        let date = first + Duration::days(step * 80 / 300);
        let when = clock::start_of_day(date) + 8 * 3600 + step * 60;
        let s = rng.below(school.students.len() as u64) as usize;
        if rng.below(10) == 0 {
            active[s] = !active[s];
            set_active(&pool, school.students[s], active[s], when).await;
            continue;
        }
        if !active[s] {
            continue;
        }
        let level = match rng.below(4) {
            0 => None,
            1 => Some(Level::Knows),
            _ => Some(Level::Strong),
        };
        let who = &staff[rng.below(staff.len() as u64) as usize];
        mark(&pool, who, school.students[s], level, when).await;
    }
    let admin = member(&pool, school.id, "eve", Role::Admin).await;
    for round in ["computed", "kept"] {
        let board = view(&pool, &admin).await;
        assert_eq!(board.series.len(), 86, "Aug 31 to Nov 24");
        for point in &board.series {
            let instant = end_of_day(day(&point.day)).min(now());
            let recount = count_at(&pool, school.id, &school.fall, instant)
                .await
                .unwrap();
            assert_eq!(point.figures, recount, "{round}: {}", point.day);
        }
        let before = count_at(
            &pool,
            school.id,
            &school.fall,
            end_of_day(first - Duration::days(1)),
        )
        .await
        .unwrap();
        assert_eq!(board.start, before);
    }
    // A day later only the one new day is computed (from the marks live at
    // its end), and it still equals the recount.
    let tomorrow = day(TODAY) + Duration::days(1);
    let later = dashboard(&pool, &admin, tomorrow, now() + 86_400)
        .await
        .unwrap();
    let today_end = end_of_day(day(TODAY));
    assert_eq!(
        point(&later, TODAY),
        count_at(&pool, school.id, &school.fall, today_end)
            .await
            .unwrap()
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_term_stored_decades_long_still_has_a_dashboard(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool, &[9, 9, 10]).await;
    let ada = member(&pool, school.id, "ada", Role::Admin).await;
    let a = school.students[0];
    mark(&pool, &ada, a, Some(Level::Strong), at("2026-09-07", 15)).await;
    // Stored before terms were bounded (the form refuses it now): over
    // 9,000 days are over, each kept as a row of figures.
    sqlx::query("UPDATE terms SET starts_on = '2000-08-31' WHERE id = $1")
        .bind(school.fall.id)
        .execute(&pool)
        .await
        .unwrap();
    let board = view(&pool, &ada).await;
    assert_eq!(board.series.first().unwrap().day, "2000-08-31");
    assert_eq!(point(&board, "2026-09-06"), figures(3, 0, 0));
    assert_eq!(point(&board, "2026-09-07"), figures(3, 1, 0));
    assert_eq!(board.now, figures(3, 1, 0));
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM coverage_days WHERE term_id = $1")
        .bind(school.fall.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(kept > 9_000, "every day that is over is kept ({kept})");
    assert_eq!(view(&pool, &ada).await, board, "and read back the same");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn groups_under_five_students_are_never_shown_and_csv_matches(pool: SqlitePool) {
    let pool = Db::from(pool);
    // Grade 9: six students; grade 10: two.
    let school = school(&pool, &[9, 9, 9, 9, 9, 9, 10, 10]).await;
    let admin = member(&pool, school.id, "ada", Role::Admin).await;
    let counselor = member(&pool, school.id, "cal", Role::Counselor).await;
    let s = &school.students;
    for (n, student) in s.iter().enumerate().take(3) {
        mark(
            &pool,
            &admin,
            *student,
            Some(Level::Strong),
            at("2026-09-07", 9),
        )
        .await;
        if n == 0 {
            mark(
                &pool,
                &counselor,
                *student,
                Some(Level::Strong),
                at("2026-09-07", 9),
            )
            .await;
        }
    }
    mark(
        &pool,
        &admin,
        s[6],
        Some(Level::Strong),
        at("2026-09-07", 9),
    )
    .await;
    for (student, ell) in s
        .iter()
        .zip(["yes", "no", "no", "no", "no", "no", "yes", "no"])
    {
        sqlx::query(
            "INSERT INTO student_attributes (school_id, student_id, name, value) VALUES ($1, $2, 'ell', $3)",
        )
        .bind(school.id)
        .bind(student)
        .bind(ell)
        .execute(&pool)
        .await
        .unwrap();
    }
    let board = view(&pool, &admin).await;
    let grade = board.breakdowns.iter().find(|b| b.key == "grade").unwrap();
    assert_eq!(grade.rows.len(), 2);
    assert_eq!(grade.rows[0].label, "9");
    assert_eq!(grade.rows[0].figures, Some(figures(6, 3, 1)));
    assert_eq!(grade.rows[1].label, "10");
    assert_eq!(grade.rows[1].figures, None, "two students: suppressed");
    let ell = board
        .breakdowns
        .iter()
        .find(|b| b.key == "group-ell")
        .unwrap();
    assert_eq!(ell.title, "ell");
    assert_eq!(ell.rows[0].label, "no");
    assert_eq!(ell.rows[0].figures, Some(figures(6, 2, 0)));
    assert_eq!(ell.rows[1].figures, None);

    assert_eq!(
        board.csv("grade").unwrap(),
        "grade,students,with_1_or_more,with_2_or_more,with_none,percent_connected\r\n\
         9,6,3,1,3,50.0\r\n\
         10,fewer than 5,,,,\r\n"
    );
    assert_eq!(
        board.csv("groups").unwrap(),
        "group,value,students,with_1_or_more,with_2_or_more,with_none,percent_connected\r\n\
         ell,no,6,2,0,4,33.3\r\n\
         ell,yes,fewer than 5,,,,\r\n"
    );
    let staff_csv = board.csv("staff").unwrap();
    assert_eq!(
        staff_csv,
        "name,role,strong,knows\r\nada,Admin,4,0\r\ncal,Counselor,1,0\r\n"
    );
    let over_the_term = board.csv("over-the-term").unwrap();
    assert!(over_the_term.contains("\r\n2026-09-07,8,4,1,4,50.0\r\n"));
    assert_eq!(over_the_term.lines().count(), 1 + board.series.len());
    assert!(board
        .csv("terms")
        .unwrap()
        .contains("Fall 2026,2026-08-31,2027-01-22,yes,8,4,1,4,50.0"));
    assert_eq!(board.csv("nonsense"), None);
    // A counselor's dashboard has no per-person table to export.
    assert_eq!(view(&pool, &counselor).await.csv("staff"), None);

    // The roster's part is read again when the roster changes: a new
    // attribute, a student who leaves.
    sqlx::query(
        "INSERT INTO student_attributes (school_id, student_id, name, value) VALUES ($1, $2, 'iep', 'yes')",
    )
    .bind(school.id)
    .bind(s[0])
    .execute(&pool)
    .await
    .unwrap();
    set_active(&pool, s[5], false, now() - 60).await;
    let board = view(&pool, &admin).await;
    assert!(board.breakdowns.iter().any(|b| b.key == "group-iep"));
    let grade = board.breakdowns.iter().find(|b| b.key == "grade").unwrap();
    assert_eq!(grade.rows[0].figures, Some(figures(5, 3, 1)));
}
