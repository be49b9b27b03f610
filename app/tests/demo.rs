//! The demo school is repeatable and looks like a real school mid-term.
#![cfg(feature = "ssr")]

use app::demo::{generate, DemoOptions};
use sqlx::SqlitePool;
use time::macros::date;

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        students: 600,
        staff: 40,
        seed,
        k8: false,
        today: date!(2026 - 11 - 24),
    }
}

/// Everything a seed decides, as text, table by table.
async fn dump(pool: &SqlitePool) -> Vec<String> {
    let queries = [
        "SELECT name || '|' || is_demo FROM schools ORDER BY id",
        "SELECT name || '|' || starts_on || '|' || ends_on FROM terms ORDER BY id",
        "SELECT email || '|' || name FROM users ORDER BY id",
        "SELECT user_id || '|' || role || '|' || coalesce(title, '') FROM memberships ORDER BY id",
        "SELECT sis_id || '|' || first_name || '|' || last_name || '|' || coalesce(preferred_name, '') || '|' || grade || '|' || coalesce(homeroom, '') || '|' || is_active FROM students ORDER BY id",
        "SELECT student_id || '|' || name || '|' || value FROM student_attributes ORDER BY student_id, name",
        "SELECT name || '|' || is_homeroom FROM classes ORDER BY id",
        "SELECT class_id || '|' || student_id FROM class_students ORDER BY class_id, student_id",
        "SELECT term_id || '|' || staff_id || '|' || student_id || '|' || level || '|' || made_at || '|' || coalesce(removed_at, '') FROM connections ORDER BY id",
        "SELECT student_id || '|' || raised_by || '|' || coalesce(reason, '') FROM concerns ORDER BY id",
        "SELECT student_id || '|' || staff_id || '|' || coalesce(assigned_by, '') FROM take_ons ORDER BY id",
        "SELECT take_on_id || '|' || checked_on || '|' || coalesce(note, '') FROM check_ins ORDER BY id",
    ];
    let mut lines = Vec::new();
    for query in queries {
        let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(pool).await.unwrap();
        lines.push(format!("-- {query}: {} rows", rows.len()));
        lines.extend(rows);
    }
    lines
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_same_seed_gives_the_same_school(pool: SqlitePool) {
    generate(&pool, &options(7)).await.unwrap();
    let first = dump(&pool).await;

    let other = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(app::db::connect_options("sqlite::memory:").unwrap())
        .await
        .unwrap();
    app::db::MIGRATOR.run(&other).await.unwrap();
    generate(&other, &options(7)).await.unwrap();
    assert_eq!(first, dump(&other).await);

    let third = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(app::db::connect_options("sqlite::memory:").unwrap())
        .await
        .unwrap();
    app::db::MIGRATOR.run(&third).await.unwrap();
    generate(&third, &options(8)).await.unwrap();
    assert_ne!(first, dump(&third).await, "another seed, another school");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_demo_has_the_promised_spread_of_marks(pool: SqlitePool) {
    let summary = generate(&pool, &options(1)).await.unwrap();
    let term: i64 = sqlx::query_scalar(
        "SELECT id FROM terms WHERE starts_on <= '2026-11-24' AND ends_on >= '2026-11-24'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // Strong connections per active student in the current term.
    let per_student: Vec<i64> = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM connections c
                 WHERE c.student_id = s.id AND c.term_id = $1 AND c.level = 'strong' AND c.removed_at IS NULL)
         FROM students s WHERE s.is_active = 1",
    )
    .bind(term)
    .fetch_all(&pool)
    .await
    .unwrap();
    let active = per_student.len() as f64;
    let none = per_student.iter().filter(|&&n| n == 0).count() as f64;
    let one_to_three = per_student
        .iter()
        .filter(|&&n| (1..=3).contains(&n))
        .count() as f64;
    assert!(
        (0.10..=0.20).contains(&(none / active)),
        "about 15 % unconnected, got {}",
        none / active
    );
    assert!(
        one_to_three / active >= 0.6,
        "most have 1–3, got {}",
        one_to_three / active
    );
    assert_eq!(
        summary.unconnected as f64, none,
        "the summary tells the truth"
    );
    assert!(per_student.iter().any(|&n| n >= 4), "some have many");

    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(term)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let knows = count("SELECT COUNT(*) FROM connections WHERE term_id = $1 AND level = 'knows' AND removed_at IS NULL").await;
    assert!(
        knows as f64 > active * 0.5,
        "plenty of 'knows' marks: {knows}"
    );
    let history =
        count("SELECT COUNT(*) FROM connections WHERE term_id = $1 AND removed_at IS NOT NULL")
            .await;
    assert!(history > 0, "some marks changed level during the term");
    let concerns = count("SELECT COUNT(*) FROM concerns WHERE term_id = $1").await;
    assert!((3..=60).contains(&concerns), "a few concerns: {concerns}");
    let take_ons = count("SELECT COUNT(*) FROM take_ons WHERE term_id = $1").await;
    assert!(take_ons > 0, "some unconnected students are being taken on");
    let future =
        count("SELECT COUNT(*) FROM connections WHERE term_id = $1 AND made_at >= 1795478400")
            .await;
    assert_eq!(
        future, 0,
        "every mark was made before the demo's today (2026-11-24)"
    );

    // Marks come from several adults, not all from the same few.
    let markers =
        count("SELECT COUNT(DISTINCT staff_id) FROM connections WHERE term_id = $1").await;
    assert!(markers >= 30, "most of the 40 staff take part: {markers}");
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT role FROM memberships ORDER BY role")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(roles, vec!["admin", "counselor", "staff"]);
    let homerooms: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE homeroom IS NULL OR homeroom = ''")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(homerooms, 0, "every student has a homeroom");
    let grades: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT grade FROM students ORDER BY grade")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(grades, vec![9, 10, 11, 12]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn k8_schools_have_kindergarten_to_grade_8(pool: SqlitePool) {
    let mut k8 = options(3);
    k8.k8 = true;
    k8.students = 300;
    k8.staff = 25;
    let summary = generate(&pool, &k8).await.unwrap();
    assert!(
        summary.school_name.ends_with("K-8 School"),
        "{}",
        summary.school_name
    );
    let grades: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT grade FROM students ORDER BY grade")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(grades, (0..=8).collect::<Vec<_>>());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_database_with_a_school_is_never_mixed_with_demo_data(pool: SqlitePool) {
    generate(&pool, &options(1)).await.unwrap();
    let error = generate(&pool, &options(2)).await.unwrap_err();
    assert!(error.to_string().contains("empty database"), "{error}");
    let schools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schools")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(schools, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn tiny_schools_still_work(pool: SqlitePool) {
    let tiny = DemoOptions {
        students: 1,
        staff: 3,
        ..options(1)
    };
    let summary = generate(&pool, &tiny).await.unwrap();
    assert_eq!(summary.staff, 3);
    let too_small = DemoOptions {
        staff: 2,
        ..options(1)
    };
    assert!(generate(&pool, &too_small).await.is_err());
}
