//! Marking semantics: set, change, remove, history, term isolation and
//! concurrent marking.
#![cfg(feature = "ssr")]

use app::connections::db::{current, set, strong_count_at, Mark, Marker};
use app::connections::Level;
use app::connections::Progress;
use app::db::Db;
use app::AppError;
use sqlx::SqlitePool;

struct School {
    id: i64,
    terms: [i64; 2],
    staff: Vec<i64>,
    student: i64,
}

async fn school(pool: &Db, staff_count: usize) -> School {
    let id: i64 = sqlx::query_scalar("INSERT INTO schools (name, created_at) VALUES ('Willow Creek High School', 0) RETURNING id")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut terms = [0; 2];
    for (slot, (name, starts, ends)) in [
        ("Fall 2026", "2026-08-31", "2027-01-22"),
        ("Spring 2027", "2027-01-25", "2027-06-11"),
    ]
    .into_iter()
    .enumerate()
    {
        terms[slot] = sqlx::query_scalar(
            "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, 0) RETURNING id",
        )
        .bind(id)
        .bind(name)
        .bind(starts)
        .bind(ends)
        .fetch_one(pool)
        .await
        .unwrap();
    }
    let mut staff = Vec::new();
    for index in 0..staff_count {
        let user = app::accounts::db::upsert_member(
            pool,
            &format!("teacher{index}@willow.example"),
            &format!("Teacher {index}"),
            None,
            id,
            app::accounts::Role::Staff,
            0,
        )
        .await
        .unwrap();
        staff.push(user);
    }
    let student = sqlx::query_scalar(
        "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, created_at, updated_at)
         VALUES ($1, '0001', 'Mia', 'Nguyen', 10, 0, 0) RETURNING id",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    School {
        id,
        terms,
        staff,
        student,
    }
}

fn mark(school: &School, term: usize, staff: usize) -> Mark {
    Mark {
        school_id: school.id,
        term_id: school.terms[term],
        staff_id: school.staff[staff],
        student_id: school.student,
    }
}

/// Sets the mark of staff member `staff` on the student, on a day of term
/// `term` (marks go to the term containing the day).
async fn set_in(
    pool: &Db,
    school: &School,
    term: usize,
    staff: usize,
    level: Option<Level>,
    now: i64,
) -> Result<(i64, Progress), AppError> {
    let day = ["2026-10-01", "2027-03-01"][term];
    let marker = Marker {
        user_id: school.staff[staff],
        school_id: school.id,
        epoch: None,
    };
    set(pool, marker, school.student, level, now, day).await
}

async fn history(pool: &Db) -> Vec<(String, i64, Option<i64>)> {
    sqlx::query_as("SELECT level, made_at, removed_at FROM connections ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn changing_and_removing_a_mark_keeps_its_history(pool: SqlitePool) {
    let pool = Db::from(pool);
    let s = school(&pool, 1).await;
    let m = mark(&s, 0, 0);
    set_in(&pool, &s, 0, 0, Some(Level::Knows), 100)
        .await
        .unwrap();
    set_in(&pool, &s, 0, 0, Some(Level::Knows), 150)
        .await
        .unwrap();
    let (strong, progress) = set_in(&pool, &s, 0, 0, Some(Level::Strong), 200)
        .await
        .unwrap();
    assert_eq!((strong, progress.marked, progress.strong), (1, 1, 1));
    assert_eq!((progress.connected, progress.active), (1, 1));
    assert_eq!(current(&pool, m).await.unwrap(), Some(Level::Strong));
    set_in(&pool, &s, 0, 0, None, 300).await.unwrap();
    set_in(&pool, &s, 0, 0, None, 350).await.unwrap();
    assert_eq!(current(&pool, m).await.unwrap(), None);
    assert_eq!(
        history(&pool).await,
        vec![
            ("knows".into(), 100, Some(200)),
            ("strong".into(), 200, Some(300))
        ],
        "a repeated mark changes nothing; a change closes the old row"
    );
    // Coverage on past dates comes back from the history.
    assert_eq!(
        strong_count_at(&pool, s.terms[0], s.student, 199)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        strong_count_at(&pool, s.terms[0], s.student, 250)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        strong_count_at(&pool, s.terms[0], s.student, 300)
            .await
            .unwrap(),
        0
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn terms_are_separate(pool: SqlitePool) {
    let pool = Db::from(pool);
    let s = school(&pool, 1).await;
    set_in(&pool, &s, 0, 0, Some(Level::Strong), 100)
        .await
        .unwrap();
    assert_eq!(
        current(&pool, mark(&s, 1, 0)).await.unwrap(),
        None,
        "a new term starts with no marks"
    );
    set_in(&pool, &s, 1, 0, Some(Level::Knows), 200)
        .await
        .unwrap();
    assert_eq!(
        current(&pool, mark(&s, 0, 0)).await.unwrap(),
        Some(Level::Strong)
    );
    assert_eq!(
        strong_count_at(&pool, s.terms[1], s.student, 300)
            .await
            .unwrap(),
        0
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn many_adults_marking_one_student_at_once_lose_nothing(pool: SqlitePool) {
    let pool = Db::from(pool);
    let s = school(&pool, 30).await;
    let tasks: Vec<_> = (0..30)
        .map(|staff| {
            let pool = pool.clone();
            let marker = Marker {
                user_id: s.staff[staff],
                school_id: s.id,
                epoch: None,
            };
            let student = s.student;
            tokio::spawn(async move {
                set(
                    &pool,
                    marker,
                    student,
                    Some(Level::Strong),
                    100 + staff as i64,
                    "2026-10-01",
                )
                .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        strong_count_at(&pool, s.terms[0], s.student, 1_000)
            .await
            .unwrap(),
        30
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_tabs_marking_the_same_thing_leave_one_live_mark(pool: SqlitePool) {
    let pool = Db::from(pool);
    let s = school(&pool, 1).await;
    let m = mark(&s, 0, 0);
    let tabs: Vec<_> = (0..10)
        .map(|tab| {
            let pool = pool.clone();
            let level = if tab % 2 == 0 {
                Level::Strong
            } else {
                Level::Knows
            };
            let marker = Marker {
                user_id: s.staff[0],
                school_id: s.id,
                epoch: None,
            };
            let student = s.student;
            tokio::spawn(async move {
                set(&pool, marker, student, Some(level), 100 + tab, "2026-10-01").await
            })
        })
        .collect();
    for tab in tabs {
        tab.await.unwrap().unwrap();
    }
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE removed_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(live, 1);
    assert!(current(&pool, m).await.unwrap().is_some());
}
