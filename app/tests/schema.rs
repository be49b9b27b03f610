//! The schema protects the data: migrations apply to an empty database and
//! the constraints reject what must never be stored.
#![cfg(feature = "ssr")]

use sqlx::SqlitePool;

async fn insert_school(pool: &SqlitePool, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO schools (name, created_at) VALUES ($1, 0) RETURNING id")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A school with one term, one staff member and one student.
struct Fixture {
    school: i64,
    term: i64,
    staff: i64,
    student: i64,
}

async fn fixture(pool: &SqlitePool, name: &str) -> Fixture {
    let school = insert_school(pool, name).await;
    let term = sqlx::query_scalar(
        "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at)
         VALUES ($1, 'Fall 2026', '2026-08-31', '2027-01-22', 0) RETURNING id",
    )
    .bind(school)
    .fetch_one(pool)
    .await
    .unwrap();
    let staff: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, created_at) VALUES ($1, 'Pat Rivera', 0) RETURNING id",
    )
    .bind(format!(
        "pat@{}.example",
        name.to_lowercase().replace(' ', "")
    ))
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO memberships (school_id, user_id, role, created_at) VALUES ($1, $2, 'staff', 0)")
        .bind(school)
        .bind(staff)
        .execute(pool)
        .await
        .unwrap();
    let student = sqlx::query_scalar(
        "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, created_at, updated_at)
         VALUES ($1, '000123', 'Ana', 'García', 9, 0, 0) RETURNING id",
    )
    .bind(school)
    .fetch_one(pool)
    .await
    .unwrap();
    Fixture {
        school,
        term,
        staff,
        student,
    }
}

async fn mark(pool: &SqlitePool, f: &Fixture, level: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at)
         VALUES ($1, $2, $3, $4, $5, 100) RETURNING id",
    )
    .bind(f.school)
    .bind(f.term)
    .bind(f.staff)
    .bind(f.student)
    .bind(level)
    .fetch_one(pool)
    .await
}

#[tokio::test]
async fn migrations_apply_to_an_empty_database_file() {
    let folder = std::env::temp_dir().join(format!("tether-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let url = format!("sqlite://{}/nested/tether.db", folder.display());
    let pool = app::db::open(&url).await.expect("opens and migrates");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
    for expected in [
        "audit_log",
        "check_ins",
        "class_staff",
        "class_students",
        "classes",
        "concerns",
        "connections",
        "imports",
        "memberships",
        "schools",
        "student_attributes",
        "students",
        "take_ons",
        "terms",
        "users",
    ] {
        assert!(
            tables.contains(&expected.to_string()),
            "missing table {expected}: {tables:?}"
        );
    }
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(foreign_keys, 1);
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(synchronous, 1, "NORMAL");
    pool.close().await;
    // Opening again applies nothing new and keeps the data.
    let pool = app::db::open(&url).await.expect("re-opens");
    insert_school(&pool, "Maple Ridge High School").await;
    pool.close().await;
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn an_unusable_database_path_is_a_clear_error() {
    let error = app::db::open("sqlite:///proc/tether/nope.db")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("/proc/tether"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    let error = app::db::open("postgres://localhost/tether")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("sqlite://"), "{error}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn one_live_connection_per_term_staff_and_student(pool: SqlitePool) {
    let f = fixture(&pool, "Maple Ridge").await;
    let first = mark(&pool, &f, "knows").await.unwrap();
    assert!(
        mark(&pool, &f, "strong").await.is_err(),
        "a second live mark is rejected"
    );
    // Changing the level: the live row is closed, a new one is made; the
    // history keeps both.
    sqlx::query("UPDATE connections SET removed_at = 200 WHERE id = $1")
        .bind(first)
        .execute(&pool)
        .await
        .unwrap();
    mark(&pool, &f, "strong").await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 2);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn enums_and_history_are_checked(pool: SqlitePool) {
    let f = fixture(&pool, "Maple Ridge").await;
    assert!(
        mark(&pool, &f, "best-friends").await.is_err(),
        "unknown level"
    );
    let id = mark(&pool, &f, "strong").await.unwrap();
    let removed_before_made = sqlx::query("UPDATE connections SET removed_at = 50 WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await;
    assert!(removed_before_made.is_err());
    let bad_role = sqlx::query("UPDATE memberships SET role = 'superuser'")
        .execute(&pool)
        .await;
    assert!(bad_role.is_err());
    let bad_term = sqlx::query(
        "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at) VALUES ($1, 'Backwards', '2027-01-01', '2026-01-01', 0)",
    )
    .bind(f.school)
    .execute(&pool)
    .await;
    assert!(bad_term.is_err(), "a term cannot end before it starts");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sis_ids_are_unique_per_school_only(pool: SqlitePool) {
    let a = fixture(&pool, "Maple Ridge").await;
    let b = fixture(&pool, "Cedar Hollow").await;
    let duplicate = sqlx::query(
        "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, created_at, updated_at)
         VALUES ($1, '000123', 'Leo', 'Park', 10, 0, 0)",
    )
    .bind(a.school)
    .execute(&pool)
    .await;
    assert!(duplicate.is_err(), "same SIS id twice in one school");
    let sis: Vec<String> = sqlx::query_scalar("SELECT sis_id FROM students WHERE id IN ($1, $2)")
        .bind(a.student)
        .bind(b.student)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        sis,
        vec!["000123", "000123"],
        "leading zeros kept, ids shared across schools"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn rows_cannot_link_two_schools(pool: SqlitePool) {
    let a = fixture(&pool, "Maple Ridge").await;
    let b = fixture(&pool, "Cedar Hollow").await;
    // A staff member of school A marking a student of school B.
    let cross = sqlx::query(
        "INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at)
         VALUES ($1, $2, $3, $4, 'strong', 100)",
    )
    .bind(a.school)
    .bind(a.term)
    .bind(a.staff)
    .bind(b.student)
    .execute(&pool)
    .await;
    assert!(cross.is_err(), "a connection must stay inside one school");
    let cross_concern = sqlx::query(
        "INSERT INTO concerns (school_id, term_id, student_id, raised_by, raised_at) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(b.school)
    .bind(b.term)
    .bind(b.student)
    .bind(a.staff)
    .execute(&pool)
    .await;
    assert!(
        cross_concern.is_err(),
        "only staff of the student's school raise concerns"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_current_term_contains_today_unless_one_is_pinned(pool: SqlitePool) {
    let f = fixture(&pool, "Maple Ridge").await;
    let spring: i64 = sqlx::query_scalar(
        "INSERT INTO terms (school_id, name, starts_on, ends_on, created_at)
         VALUES ($1, 'Spring 2027', '2027-01-25', '2027-06-11', 0) RETURNING id",
    )
    .bind(f.school)
    .fetch_one(&pool)
    .await
    .unwrap();
    let current = |day: &'static str| {
        let pool = pool.clone();
        async move {
            app::terms::db::current(&pool, f.school, day)
                .await
                .unwrap()
                .map(|t| t.id)
        }
    };
    assert_eq!(current("2026-08-31").await, Some(f.term), "first day");
    assert_eq!(current("2027-01-22").await, Some(f.term), "last day");
    assert_eq!(current("2027-01-23").await, None, "between terms");
    assert_eq!(current("2027-03-01").await, Some(spring));
    sqlx::query("UPDATE terms SET is_pinned = 1 WHERE id = $1")
        .bind(f.term)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(current("2027-03-01").await, Some(f.term), "pinned wins");
    let other = insert_school(&pool, "Cedar Hollow").await;
    assert_eq!(
        app::terms::db::current(&pool, other, "2026-09-01")
            .await
            .unwrap(),
        None,
        "terms are per school"
    );
}
