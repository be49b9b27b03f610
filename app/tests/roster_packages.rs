//! OneRoster 1.1 / 1.2 and Clever packages: the school of a district file,
//! students, staff accounts, homerooms and class sections.
#![cfg(feature = "ssr")]

use app::accounts::{Member, Role};
use app::connections::{marking, MarkFilters, Show};
use app::db::Db;
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

async fn count(pool: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn import_district(pool: &Db, layout: Layout) -> (i64, app::roster::Preview) {
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

async fn check_district(pool: &Db, school: i64, done: &app::roster::Preview) {
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
    let pool = Db::from(pool);
    let (school, done) = import_district(&pool, Layout::OneRoster11).await;
    assert!(done.format.starts_with("OneRoster 1.1"), "{}", done.format);
    check_district(&pool, school, &done).await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_one_roster_1_2_file_brings_roles_and_preferred_names(pool: SqlitePool) {
    let pool = Db::from(pool);
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
    let pool = Db::from(pool);
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
    let pool = Db::from(pool);
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

/// (class SIS id, student SIS id) or (class SIS id, teacher email) pairs.
type Pairs = Vec<(String, String)>;

/// Every (class SIS id, student SIS id) and (class SIS id, teacher email)
/// pair stored for the school, sorted.
async fn stored_pairs(pool: &Db, school: i64) -> (Pairs, Pairs) {
    let students = sqlx::query_as(
        "SELECT c.sis_id, s.sis_id FROM class_students cs
         JOIN classes c ON c.id = cs.class_id JOIN students s ON s.id = cs.student_id
         WHERE cs.school_id = $1 ORDER BY 1, 2",
    )
    .bind(school)
    .fetch_all(pool)
    .await
    .unwrap();
    let staff = sqlx::query_as(
        "SELECT c.sis_id, u.email FROM class_staff cs
         JOIN classes c ON c.id = cs.class_id JOIN users u ON u.id = cs.staff_id
         WHERE cs.school_id = $1 ORDER BY 1, 2",
    )
    .bind(school)
    .fetch_all(pool)
    .await
    .unwrap();
    (students, staff)
}

/// The pairs a parsed package asks for, sorted like [`stored_pairs`].
fn file_pairs(parsed: &app::roster::parse::Parsed) -> (Pairs, Pairs) {
    let mut students = Vec::new();
    let mut staff = Vec::new();
    for class in &parsed.classes {
        students.extend(
            class
                .students
                .iter()
                .map(|s| (class.sis_id.clone(), s.clone())),
        );
        staff.extend(
            class
                .teachers
                .iter()
                .map(|t| (class.sis_id.clone(), t.clone())),
        );
    }
    for list in [&mut students, &mut staff] {
        list.sort();
        list.dedup();
    }
    (students, staff)
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_changed_package_moves_enrollments_and_keeps_history(pool: SqlitePool) {
    let pool = Db::from(pool);
    let (school, _) = import_district(&pool, Layout::OneRoster12).await;
    let bytes = package(&district(), Layout::OneRoster12);
    let mut parsed = roster(
        "district.zip",
        &bytes,
        &Mapping::new(),
        Some("Maple Grove High School"),
    )
    .unwrap();
    assert_eq!(stored_pairs(&pool, school).await, file_pairs(&parsed));

    // Next term's file: one student moves from one section to another, a
    // section loses its teacher, a new teacher takes a section, a student
    // leaves the school and a new one arrives with a section of their own.
    let moving = parsed.classes[3].students[0].clone();
    parsed.classes[3].students.retain(|s| *s != moving);
    if !parsed.classes[4].students.contains(&moving) {
        parsed.classes[4].students.push(moving.clone());
    }
    parsed.classes[5].teachers.clear();
    parsed.staff.push(app::roster::RosterStaff {
        line: 999,
        email: "new.teacher@maplegrove.example".into(),
        name: "New Teacher".into(),
    });
    parsed.classes[6]
        .teachers
        .push("new.teacher@maplegrove.example".into());
    let leaving = parsed.students.pop().unwrap();
    for class in &mut parsed.classes {
        class.students.retain(|s| *s != leaving.sis_id);
    }
    let mut arriving = parsed.students[0].clone();
    arriving.sis_id = "0199999".into();
    arriving.first_name = "Noor".into();
    parsed.students.push(arriving);
    parsed.classes[7].students.push("0199999".into());

    let done = apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "district.zip",
        Importer { user_id: None },
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        (done.new.len(), done.deactivated.len(), done.new_staff.len()),
        (1, 1, 1),
        "{}",
        done.counts()
    );
    assert_eq!(stored_pairs(&pool, school).await, file_pairs(&parsed));
    // The student who left keeps their record, inactive.
    assert_eq!(
        count(
            &pool,
            &format!(
                "SELECT COUNT(*) FROM students WHERE sis_id = '{}' AND is_active = 0",
                leaving.sis_id
            )
        )
        .await,
        1
    );
    // The same file again writes nothing new.
    let again = apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "district.zip",
        Importer { user_id: None },
        200,
    )
    .await
    .unwrap();
    assert_eq!(
        again.counts(),
        format!(
            "0 new, 0 changed, {} unchanged, 0 reactivated, 0 deactivated, {} rows rejected; 0 new staff accounts, {} class sections",
            parsed.students.len(),
            parsed.rejections.len(),
            parsed.classes.len()
        )
    );
    assert_eq!(stored_pairs(&pool, school).await, file_pairs(&parsed));
}

/// A package cannot hand this school an account that belongs to another
/// school: the person is invited (pending membership), keeps their name,
/// and this school's admin gets no password link for them.
#[sqlx::test(migrations = false)]
async fn a_package_only_invites_staff_whose_account_belongs_elsewhere(pool: SqlitePool) {
    let pool = Db::from(pool);
    app::db::prepare(&pool).await.unwrap();
    let bytes = package(&district(), Layout::OneRoster12);
    let parsed = roster(
        "district.zip",
        &bytes,
        &Mapping::new(),
        Some("Maple Grove High School"),
    )
    .unwrap();
    let email = parsed.staff[0].email.clone();
    let elsewhere = app::schools::db::create(&pool, "Elsewhere Academy", 0)
        .await
        .unwrap()
        .id;
    let person = app::accounts::db::upsert_member(
        &pool,
        &email,
        "Their Own Name",
        Some("their-own-hash"),
        elsewhere,
        Role::Staff,
        0,
    )
    .await
    .unwrap();
    let school = app::schools::db::create(&pool, "Maple Grove High School", 0)
        .await
        .unwrap()
        .id;
    apply(
        &pool,
        school,
        &parsed,
        Mode::Full,
        "district.zip",
        Importer { user_id: None },
        0,
    )
    .await
    .unwrap();
    let (name, hash, pending, active): (String, Option<String>, bool, bool) = sqlx::query_as(
        "SELECT u.name, u.password_hash, m.pending, m.is_active FROM users u
         JOIN memberships m ON m.user_id = u.id AND m.school_id = $2 WHERE u.id = $1",
    )
    .bind(person)
    .bind(school)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(name, "Their Own Name");
    assert_eq!(hash.as_deref(), Some("their-own-hash"));
    assert!(pending && !active, "invited, not a member yet");
    let link = app::staff::db::issue_link(&pool, school, person, Some(1), 0)
        .await
        .unwrap();
    assert_eq!(
        app::staff::db::link_holder(&pool, &link, 1)
            .await
            .unwrap()
            .purpose,
        "join"
    );
    // The others of the file, new to Tether, are members at once.
    let members = count(
        &pool,
        "SELECT COUNT(*) FROM memberships WHERE pending = 0 AND is_active = 1 AND school_id <> (SELECT id FROM schools WHERE name = 'Elsewhere Academy')",
    )
    .await;
    assert_eq!(members, 2);
}
