//! OneRoster 1.1 / 1.2 and Clever packages: the school of a district file,
//! students, staff accounts, homerooms and class sections.
#![cfg(feature = "ssr")]

use app::accounts::{Member, Role};
use app::connections::{marking, MarkFilters, Show};
use app::roster::db::{apply, preview, Importer};
use app::roster::parse::{roster, Mapping, Problem};
use app::roster::samples::{package, Layout, Sample};
use app::roster::Mode;
use sqlx::SqlitePool;

fn district() -> Sample {
    Sample {
        schools: vec![
            ("sch-1".into(), "Maple Grove High School".into(), 60),
            ("sch-2".into(), "Cedar Park High School".into(), 40),
        ],
        sections_per_student: 6,
        awkward_rows: true,
    }
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn import_district(pool: &SqlitePool, layout: Layout) -> (i64, app::roster::Preview) {
    let school = app::schools::db::create(pool, "Maple Grove High School", 0)
        .await
        .unwrap()
        .id;
    let bytes = package(&district(), layout);
    // A district file asks which school is this one.
    match roster("district.zip", &bytes, &Mapping::new(), None) {
        Err(Problem::ChooseSchool { schools }) => {
            let names: Vec<&str> = schools.iter().map(|(_, n)| n.as_str()).collect();
            assert_eq!(names, ["Maple Grove High School", "Cedar Park High School"]);
        }
        other => panic!(
            "expected a choice of school, got {:?}",
            other.map(|p| p.format)
        ),
    }
    assert!(matches!(
        roster("district.zip", &bytes, &Mapping::new(), Some("Elm Street")),
        Err(Problem::Unusable(text)) if text.contains("no school called or numbered “Elm Street”")
    ));
    let parsed = roster(
        "district.zip",
        &bytes,
        &Mapping::new(),
        Some("Maple Grove High School"),
    )
    .unwrap();
    let done = apply(
        pool,
        school,
        &parsed,
        Mode::Full,
        "district.zip",
        Importer { user_id: None },
        0,
    )
    .await
    .unwrap();
    (school, done)
}

async fn check_district(pool: &SqlitePool, school: i64, done: &app::roster::Preview) {
    // Only this school's 60 students (the deleted and disabled ones left out).
    assert_eq!(done.new.len(), 60, "{}", done.counts());
    assert_eq!(count(pool, "SELECT COUNT(*) FROM students").await, 60);
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM students WHERE sis_id IN ('9999001', '9999002')"
        )
        .await,
        0
    );
    // Leading zeros kept; homerooms from homeroom classes.
    let (sis, homeroom): (String, Option<String>) =
        sqlx::query_as("SELECT sis_id, homeroom FROM students ORDER BY sis_id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (sis.as_str(), homeroom.as_deref()),
        ("0100000", Some("Homeroom 100"))
    );
    // Staff: accounts without passwords; the one without an email rejected.
    assert_eq!(done.new_staff.len(), 3, "{:?}", done.new_staff);
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM users WHERE password_hash IS NULL"
        )
        .await,
        3
    );
    assert!(done
        .rejections
        .iter()
        .any(|r| r.reason.contains("Pat Nomail (staff) has no email address")));
    // Sections with their teacher and students: "my classes" works.
    assert_eq!(
        count(pool, "SELECT COUNT(*) FROM classes WHERE is_homeroom = 1").await,
        3
    );
    assert_eq!(
        count(pool, "SELECT COUNT(*) FROM classes WHERE is_homeroom = 0").await,
        12
    );
    let teacher: (i64, String) = sqlx::query_as(
        "SELECT u.id, u.email FROM users u JOIN class_staff cs ON cs.staff_id = u.id ORDER BY u.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let member = Member {
        user_id: teacher.0,
        name: "Teacher".into(),
        email: teacher.1,
        role: Role::Staff,
        school_id: school,
        school_name: "Maple Grove High School".into(),
        school_is_demo: false,
    };
    let mine = MarkFilters {
        show: Show::MyClasses,
        page: 1,
        ..MarkFilters::default()
    };
    let list = marking::list(pool, &member, &mine, "2026-11-24")
        .await
        .unwrap();
    let taught: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT cs.student_id) FROM class_students cs
         JOIN class_staff t ON t.class_id = cs.class_id WHERE t.staff_id = $1",
    )
    .bind(member.user_id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(taught > 0);
    assert_eq!(
        list.total, taught,
        "my classes lists the students the teacher teaches"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_one_roster_1_1_district_file_imports_one_school(pool: SqlitePool) {
    let (school, done) = import_district(&pool, Layout::OneRoster11).await;
    assert!(done.format.starts_with("OneRoster 1.1"), "{}", done.format);
    check_district(&pool, school, &done).await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_one_roster_1_2_file_brings_roles_and_preferred_names(pool: SqlitePool) {
    let (school, done) = import_district(&pool, Layout::OneRoster12).await;
    assert!(done.format.starts_with("OneRoster 1.2"), "{}", done.format);
    check_district(&pool, school, &done).await;
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM students WHERE preferred_name = 'Sunny'"
        )
        .await,
        6
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_clever_file_imports_one_school(pool: SqlitePool) {
    let school = app::schools::db::create(&pool, "Maple Grove High School", 0)
        .await
        .unwrap()
        .id;
    let bytes = package(&district(), Layout::Clever);
    let parsed = roster("clever.zip", &bytes, &Mapping::new(), Some("sch-2")).unwrap();
    assert_eq!(parsed.format, "Clever (Cedar Park High School)");
    let done = apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "clever.zip",
        Importer { user_id: None },
        0,
    )
    .await
    .unwrap();
    assert_eq!(done.new.len(), 40);
    assert_eq!(done.new_staff.len(), 2);
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM students WHERE homeroom LIKE 'Homeroom %'"
        )
        .await,
        40
    );
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM class_students").await,
        40 + 40 * 6
    );
    // The same package again changes nothing.
    let parsed = roster("clever.zip", &bytes, &Mapping::new(), Some("sch-2")).unwrap();
    let again = preview(&pool, school, &parsed, Mode::Full, "clever.zip")
        .await
        .unwrap();
    assert_eq!(
        (again.new.len(), again.changed.len(), again.unchanged),
        (0, 0, 40)
    );
    assert!(again.new_staff.is_empty());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_zip_that_is_not_a_roster_is_refused(pool: SqlitePool) {
    let _ = pool;
    let mut sample = Sample::school(5);
    sample.awkward_rows = false;
    let bytes = package(&sample, Layout::OneRoster11);
    // Damaged: cut in half.
    let Err(Problem::Unusable(text)) =
        roster("cut.zip", &bytes[..bytes.len() / 2], &Mapping::new(), None)
    else {
        panic!("refused")
    };
    assert!(
        text.contains("is not a zip file Tether can open") || text.contains("damaged"),
        "{text}"
    );
    // A zip of something else.
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    out.start_file("photo.jpg", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut out, b"not a roster").unwrap();
    let other = out.finish().unwrap().into_inner();
    let Err(Problem::Unusable(text)) = roster("photos.zip", &other, &Mapping::new(), None) else {
        panic!("refused")
    };
    assert!(
        text.contains("photos.zip is not a roster package"),
        "{text}"
    );
}
