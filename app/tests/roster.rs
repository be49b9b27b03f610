//! Roster import: formats, messy files, rejections, re-import semantics and
//! all-or-nothing application. Files are generated here; no real data.
#![cfg(feature = "ssr")]

use app::db::Db;
use app::roster::db::{apply, preview, Importer};
use app::roster::parse::{students_csv, MAX_FILE_BYTES};
use app::roster::{Mode, Preview};
use sqlx::SqlitePool;

const NOW: i64 = 1_795_000_000;

/// A generated roster in Tether's template: `count` students, ids with
/// leading zeros, two group attributes.
fn template(count: usize, grade_of: impl Fn(usize) -> u32) -> String {
    let mut csv =
        String::from("student_id,first_name,last_name,preferred_name,grade,homeroom,ell,iep\n");
    for n in 0..count {
        csv.push_str(&format!(
            "{:06},Student{n},Family{},{},{},{},{},{}\n",
            n + 1,
            n % 7,
            if n % 5 == 0 { "Sam" } else { "" },
            grade_of(n),
            100 + n % 4,
            if n % 3 == 0 { "Y" } else { "" },
            if n % 4 == 0 { "Y" } else { "N" },
        ));
    }
    csv
}

async fn school(pool: &Db) -> i64 {
    app::schools::db::create(pool, "Willow Creek High School", 0)
        .await
        .unwrap()
        .id
}

async fn import(pool: &Db, school: i64, csv: &str, mode: Mode) -> Preview {
    let parsed = students_csv("students.csv", csv.as_bytes()).unwrap();
    apply(
        pool,
        school,
        &parsed,
        mode,
        "students.csv",
        Importer { user_id: None },
        NOW,
    )
    .await
    .unwrap()
}

async fn count(pool: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_template_file_imports_and_re_imports_unchanged(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let csv = template(40, |n| 9 + (n % 4) as u32);
    let parsed = students_csv("students.csv", csv.as_bytes()).unwrap();
    assert_eq!(parsed.format, "Tether template");
    let before = preview(&pool, school, &parsed, Mode::Full, "students.csv")
        .await
        .unwrap();
    assert_eq!(before.new.len(), 40);
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM students").await,
        0,
        "a preview changes nothing"
    );

    let done = import(&pool, school, &csv, Mode::Full).await;
    assert_eq!(
        done.counts(),
        "40 new, 0 changed, 0 unchanged, 0 reactivated, 0 deactivated, 0 rows rejected"
    );
    let (sis, preferred): (String, Option<String>) =
        sqlx::query_as("SELECT sis_id, preferred_name FROM students WHERE first_name = 'Student0'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (sis.as_str(), preferred.as_deref()),
        ("000001", Some("Sam"))
    );
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM student_attributes WHERE name = 'ell'"
        )
        .await,
        14
    );
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM student_attributes WHERE name = 'iep'"
        )
        .await,
        40
    );

    // The same file again: nothing changes.
    let again = import(&pool, school, &csv, Mode::Full).await;
    assert_eq!(
        again.counts(),
        "0 new, 0 changed, 40 unchanged, 0 reactivated, 0 deactivated, 0 rows rejected"
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM students").await, 40);
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM student_attributes").await,
        54
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM imports").await, 2);
    let summary: String = sqlx::query_scalar("SELECT summary FROM imports ORDER BY id LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(summary.contains("\"new\":40"), "{summary}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn changes_are_listed_and_missing_students_leave_keeping_their_marks(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    import(&pool, school, &template(40, |_| 9), Mode::Full).await;
    // A mark on student 000040, who will leave and come back.
    let term = app::terms::db::create(
        &pool,
        school,
        &app::terms::db::Draft {
            name: "Fall".into(),
            starts_on: "2026-08-31".into(),
            ends_on: "2027-01-22".into(),
        },
        0,
    )
    .await
    .unwrap();
    let staff = app::accounts::db::upsert_member(
        &pool,
        "ada@willow.example",
        "Ada",
        None,
        school,
        app::accounts::Role::Staff,
        0,
    )
    .await
    .unwrap();
    let leaving: i64 = count(&pool, "SELECT id FROM students WHERE sis_id = '000040'").await;
    sqlx::query("INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at) VALUES ($1, $2, $3, $4, 'strong', 0)")
        .bind(school)
        .bind(term)
        .bind(staff)
        .bind(leaving)
        .execute(&pool)
        .await
        .unwrap();

    // Next year: everyone up a grade, the last three gone.
    let next = template(37, |_| 10);
    let done = import(&pool, school, &next, Mode::Full).await;
    assert_eq!(done.changed.len(), 37);
    assert_eq!(done.changed[0].changes, ["grade 9 → 10"]);
    assert_eq!(done.deactivated.len(), 3);
    assert!(!done.needs_extra_confirmation(), "3 of 40 is under 10 %");
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM students WHERE is_active = 0").await,
        3
    );
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM connections").await,
        1,
        "marks are kept"
    );
    let coverage = count(&pool, "SELECT connected FROM term_coverage").await;
    assert_eq!(coverage, 0, "an inactive student does not count");

    // Student 000040 comes back.
    let done = import(&pool, school, &template(40, |_| 10), Mode::Full).await;
    assert_eq!(done.reactivated.len(), 3);
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM students WHERE is_active = 0").await,
        0
    );
    assert_eq!(count(&pool, "SELECT connected FROM term_coverage").await, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn deactivating_many_needs_an_extra_confirmation_and_add_only_deactivates_nobody(
    pool: SqlitePool,
) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    import(&pool, school, &template(100, |_| 11), Mode::Full).await;
    let partial = template(60, |_| 11);
    let parsed = students_csv("grade11.csv", partial.as_bytes()).unwrap();
    let full = preview(&pool, school, &parsed, Mode::Full, "grade11.csv")
        .await
        .unwrap();
    assert_eq!(full.deactivated.len(), 40);
    assert!(full.needs_extra_confirmation());
    let add_only = preview(&pool, school, &parsed, Mode::AddOnly, "grade11.csv")
        .await
        .unwrap();
    assert!(add_only.deactivated.is_empty());
    assert!(!add_only.needs_extra_confirmation());
    import(&pool, school, &partial, Mode::AddOnly).await;
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM students WHERE is_active = 1").await,
        100
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn messy_real_files_are_read(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    // Excel on Windows: Windows-1252, semicolons, CRLF, a quoted field with
    // a semicolon and a line break, trailing empty columns and blank lines,
    // PowerSchool's header names.
    let mut file: Vec<u8> = Vec::new();
    file.extend_from_slice(b"Student_Number;Last_Name;First_Name;Grade_Level;Home_Room;;\r\n");
    file.extend_from_slice(b"00123;O'Brien;Se\xe1n;09;\"Room 4; East\r\nwing\";;\r\n");
    file.extend_from_slice(b"00124;de la Cruz;Mar\xeda Jos\xe9;Grade 10;12;;\r\n");
    file.extend_from_slice(b"00125;Smith-Jones;Ana;K;;;\r\n\r\n\r\n");
    let parsed = students_csv("powerschool.csv", &file).unwrap();
    assert_eq!(parsed.format, "PowerSchool export");
    assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
    let done = apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "powerschool.csv",
        Importer { user_id: None },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(done.new.len(), 3);
    let rows: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT sis_id, first_name, last_name, grade, homeroom FROM students ORDER BY sis_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (
                "00123".into(),
                "Seán".into(),
                "O'Brien".into(),
                9,
                Some("Room 4; East\r\nwing".into())
            ),
            (
                "00124".into(),
                "María José".into(),
                "de la Cruz".into(),
                10,
                Some("12".into())
            ),
            ("00125".into(), "Ana".into(), "Smith-Jones".into(), 0, None),
        ]
    );
    // UTF-8 with a byte-order mark and tabs.
    let tabs = "\u{feff}student_id\tfirst_name\tlast_name\tgrade\n7\tZoë\tNguyễn\t12\n";
    let parsed = students_csv("tabs.csv", tabs.as_bytes()).unwrap();
    assert_eq!(parsed.students[0].first_name, "Zoë");
    assert_eq!(parsed.students[0].last_name, "Nguyễn");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_rows_are_rejected_with_line_column_and_reason(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    import(&pool, school, &template(5, |_| 9), Mode::Full).await;
    let csv = "student_id,first_name,last_name,grade\n\
               000001,Student0,Family0,9\n\
               000002,,Family1,9\n\
               000003,Student2,Family2,ninth\n\
               000001,Again,Family0,9\n\
               ,Nobody,Family9,9\n\
               000006,Sam,Lee,10\n\
               000007,Sam,Lee,11\n";
    let parsed = students_csv("roster.csv", csv.as_bytes()).unwrap();
    let reasons: Vec<(u64, Option<&str>, &str)> = parsed
        .rejections
        .iter()
        .map(|r| (r.line, r.column.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, Some("first_name"), "The first name is empty."),
            (
                4,
                Some("grade"),
                "“ninth” is not a grade Tether can read (use PK, K or 1 to 12)."
            ),
            (
                5,
                Some("student_id"),
                "Student ID 000001 is already on line 2; each student must appear once."
            ),
            (6, Some("student_id"), "The student ID is empty."),
        ]
    );
    let plan = preview(&pool, school, &parsed, Mode::Full, "roster.csv")
        .await
        .unwrap();
    // 000002 and 000003 are on rejected rows: not deactivated; 4 and 5 are gone.
    let gone: Vec<&str> = plan.deactivated.iter().map(|n| n.sis_id.as_str()).collect();
    assert_eq!(gone, ["000004", "000005"]);
    assert_eq!(plan.warnings, ["Sam Lee appears 2 times, with student IDs 000006, 000007: check they are different students."]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn unusable_files_are_refused_whole(pool: SqlitePool) {
    let pool = Db::from(pool);
    let _ = pool;
    let missing = students_csv("x.csv", b"id,name,grade\n1,Ana Lopez,9\n").unwrap_err();
    assert!(
        missing.contains("no first_name, last_name column"),
        "{missing}"
    );
    assert!(students_csv("x.csv", b"").unwrap_err().contains("empty"));
    let huge = vec![b'a'; MAX_FILE_BYTES + 1];
    assert!(students_csv("x.csv", &huge)
        .unwrap_err()
        .contains("largest roster"));
    assert!(students_csv("x.csv", b"student_id,first_name\x81")
        .unwrap_err()
        .contains("UTF-8"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_failure_on_the_last_row_leaves_nothing_half_imported(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    import(&pool, school, &template(10, |_| 9), Mode::Full).await;
    // The database refuses the last new student (as a crash would stop it).
    sqlx::query(
        "CREATE TRIGGER refuse_last BEFORE INSERT ON students WHEN NEW.sis_id = '009999'
         BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut csv = template(8, |_| 10);
    csv.push_str("009998,New,Student,,9,,,\n009999,Last,Student,,9,,,\n");
    let parsed = students_csv("students.csv", csv.as_bytes()).unwrap();
    assert!(parsed.rejections.is_empty(), "every row is valid");
    let result = apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "students.csv",
        Importer { user_id: None },
        NOW,
    )
    .await;
    assert!(result.is_err());
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM students").await, 10);
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM students WHERE grade = 9 AND is_active = 1"
        )
        .await,
        10
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM imports").await, 1);
}
