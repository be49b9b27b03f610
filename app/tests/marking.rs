//! The marking page's queries and actions, and terms: what each person sees
//! (filters, counts, hints, private concerns) and what saving does.
#![cfg(feature = "ssr")]

use app::accounts::{Member, Role};
use app::connections::{marking, Level, MarkFilters, Show};
use app::db::Db;
use app::terms::db::{self as terms, Draft};
use app::AppError;
use sqlx::SqlitePool;

const TODAY: &str = "2026-11-24";
const NOW: i64 = 1_795_000_000;

struct School {
    id: i64,
    fall: i64,
    spring: i64,
    students: Vec<i64>,
}

async fn member(pool: &Db, school: i64, who: &str, role: Role) -> Member {
    let user_id = app::accounts::db::upsert_member(
        pool,
        &format!("{who}@willow.example"),
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
        email: format!("{who}@willow.example"),
        role,
        school_id: school,
        school_name: "Willow Creek High School".into(),
        school_is_demo: false,
    }
}

async fn school(pool: &Db) -> School {
    let id = app::schools::db::create(pool, "Willow Creek High School", 0)
        .await
        .unwrap()
        .id;
    let term = |name: &str, starts: &str, ends: &str| Draft {
        name: name.into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
    };
    let spring = terms::create(
        pool,
        id,
        &term("Spring 2026", "2026-01-20", "2026-06-10"),
        0,
    )
    .await
    .unwrap();
    let fall = terms::create(pool, id, &term("Fall 2026", "2026-08-31", "2027-01-22"), 0)
        .await
        .unwrap();
    let mut students = Vec::new();
    // (sis id, first, preferred, last, grade, homeroom)
    for (sis, first, preferred, last, grade, homeroom) in [
        ("00017", "Robert", Some("Bobby"), "Nakamura", 9, "101"),
        ("00023", "Zoë", None, "D'Angelo", 9, "101"),
        ("00031", "Ana", None, "de la Cruz", 10, "204"),
        ("00042", "Kwame", None, "Mensah", 11, "204"),
        ("00057", "Li", None, "Wei", 12, "310"),
    ] {
        let student: i64 = sqlx::query_scalar(
            "INSERT INTO students (school_id, sis_id, first_name, preferred_name, last_name, grade, homeroom, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0) RETURNING id",
        )
        .bind(id)
        .bind(sis)
        .bind(first)
        .bind(preferred)
        .bind(last)
        .bind(grade)
        .bind(homeroom)
        .fetch_one(pool)
        .await
        .unwrap();
        students.push(student);
    }
    School {
        id,
        fall,
        spring,
        students,
    }
}

fn filters(show: Show) -> MarkFilters {
    MarkFilters {
        show,
        page: 1,
        ..MarkFilters::default()
    }
}

async fn names(pool: &Db, who: &Member, filters: &MarkFilters) -> Vec<String> {
    marking::list(pool, who, filters, TODAY)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|row| row.name)
        .collect()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn marks_show_on_the_list_and_in_the_progress_line(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let ben = member(&pool, school.id, "ben", Role::Staff).await;
    let [bobby, zoe, ana, ..] = school.students[..] else {
        unreachable!()
    };

    let saved = marking::mark(&pool, &ada, bobby, Some(Level::Strong), NOW, TODAY)
        .await
        .unwrap();
    assert_eq!(
        (
            saved.strong,
            saved.progress.marked,
            saved.progress.connected
        ),
        (1, 1, 1)
    );
    let saved = marking::mark(&pool, &ben, bobby, Some(Level::Strong), NOW, TODAY)
        .await
        .unwrap();
    assert_eq!(saved.strong, 2);
    marking::mark(&pool, &ada, zoe, Some(Level::Knows), NOW, TODAY)
        .await
        .unwrap();
    let saved = marking::mark(&pool, &ada, ana, Some(Level::Strong), NOW, TODAY)
        .await
        .unwrap();
    assert_eq!(saved.progress.marked, 3);
    assert_eq!(saved.progress.strong, 2);
    assert_eq!(saved.progress.connected, 2);
    assert_eq!(saved.progress.active, 5);
    // Removing a mark is counted straight away.
    let saved = marking::mark(&pool, &ada, ana, None, NOW + 5, TODAY)
        .await
        .unwrap();
    assert_eq!(
        (
            saved.strong,
            saved.progress.connected,
            saved.progress.marked
        ),
        (0, 1, 2)
    );

    let list = marking::list(&pool, &ada, &filters(Show::All), TODAY)
        .await
        .unwrap();
    assert_eq!(list.total, 5);
    // Sorted by last name; the preferred name is the one shown.
    let shown: Vec<_> = list
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.strong, r.mine))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("Zoë D'Angelo", 0, Some(Level::Knows)),
            ("Ana de la Cruz", 0, None),
            ("Kwame Mensah", 0, None),
            ("Bobby Nakamura", 2, Some(Level::Strong)),
            ("Li Wei", 0, None),
        ]
    );
    // Each person sees their own marks only.
    let for_ben = marking::list(&pool, &ben, &filters(Show::MarkedByMe), TODAY)
        .await
        .unwrap();
    assert_eq!(for_ben.rows.len(), 1);
    assert_eq!(for_ben.rows[0].mine, Some(Level::Strong));
    assert_eq!(for_ben.progress.marked, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn search_and_filters_narrow_the_list(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let [bobby, _, ana, kwame, _] = school.students[..] else {
        unreachable!()
    };
    marking::mark(&pool, &ada, bobby, Some(Level::Strong), NOW, TODAY)
        .await
        .unwrap();
    marking::mark(&pool, &ada, ana, Some(Level::Knows), NOW, TODAY)
        .await
        .unwrap();
    let search = |q: &str| MarkFilters {
        q: q.into(),
        page: 1,
        ..MarkFilters::default()
    };
    // First, last, preferred name, "first last", SIS id (leading zeros).
    assert_eq!(
        names(&pool, &ada, &search("robert")).await,
        ["Bobby Nakamura"]
    );
    assert_eq!(
        names(&pool, &ada, &search("bobby n")).await,
        ["Bobby Nakamura"]
    );
    assert_eq!(names(&pool, &ada, &search("d'ang")).await, ["Zoë D'Angelo"]);
    assert_eq!(names(&pool, &ada, &search("00042")).await, ["Kwame Mensah"]);
    assert_eq!(
        names(&pool, &ada, &search("ana de la")).await,
        ["Ana de la Cruz"]
    );
    assert!(names(&pool, &ada, &search("%")).await.is_empty());

    let grade_nine = MarkFilters {
        grade: Some(9),
        page: 1,
        ..MarkFilters::default()
    };
    assert_eq!(
        names(&pool, &ada, &grade_nine).await,
        ["Zoë D'Angelo", "Bobby Nakamura"]
    );
    let room = MarkFilters {
        homeroom: "204".into(),
        page: 1,
        ..MarkFilters::default()
    };
    assert_eq!(
        names(&pool, &ada, &room).await,
        ["Ana de la Cruz", "Kwame Mensah"]
    );
    // Knows is not a strong connection: Ana still needs someone.
    assert_eq!(
        names(&pool, &ada, &filters(Show::NoStrong)).await,
        ["Zoë D'Angelo", "Ana de la Cruz", "Kwame Mensah", "Li Wei"]
    );
    assert_eq!(
        names(&pool, &ada, &filters(Show::MarkedByMe)).await,
        ["Ana de la Cruz", "Bobby Nakamura"]
    );

    // My classes: the students of the sections Ada teaches.
    let class: i64 = sqlx::query_scalar(
        "INSERT INTO classes (school_id, name) VALUES ($1, 'Biology 2') RETURNING id",
    )
    .bind(school.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO class_staff (school_id, class_id, staff_id) VALUES ($1, $2, $3)")
        .bind(school.id)
        .bind(class)
        .bind(ada.user_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO class_students (school_id, class_id, student_id) VALUES ($1, $2, $3)")
        .bind(school.id)
        .bind(class)
        .bind(kwame)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        names(&pool, &ada, &filters(Show::MyClasses)).await,
        ["Kwame Mensah"]
    );
    let ben = member(&pool, school.id, "ben", Role::Staff).await;
    assert!(names(&pool, &ben, &filters(Show::MyClasses))
        .await
        .is_empty());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_list_is_paged(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    for n in 0..120 {
        sqlx::query(
            "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, created_at, updated_at)
             VALUES ($1, $2, 'Student', $3, 10, 0, 0)",
        )
        .bind(school.id)
        .bind(format!("9{n:04}"))
        .bind(format!("Zz{n:04}"))
        .execute(&pool)
        .await
        .unwrap();
    }
    let page = |n| MarkFilters {
        page: n,
        ..MarkFilters::default()
    };
    let first = marking::list(&pool, &ada, &page(1), TODAY).await.unwrap();
    assert_eq!((first.total, first.pages, first.rows.len()), (125, 3, 50));
    let last = marking::list(&pool, &ada, &page(3), TODAY).await.unwrap();
    assert_eq!(last.rows.len(), 25);
    assert_eq!(last.rows.last().unwrap().name, "Student Zz0119");
    // A page past the end (its offset would overflow) shows the last page.
    for beyond in [4, 85_899_347, u32::MAX] {
        let shown = marking::list(&pool, &ada, &page(beyond), TODAY)
            .await
            .unwrap();
        assert_eq!((shown.page, shown.pages), (3, 3), "page {beyond}");
        assert_eq!(shown.rows, last.rows, "page {beyond}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn inactive_students_and_other_schools_cannot_be_marked(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let gone = school.students[4];
    sqlx::query("UPDATE students SET is_active = 0 WHERE id = $1")
        .bind(gone)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        marking::mark(&pool, &ada, gone, Some(Level::Strong), NOW, TODAY)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let list = marking::list(&pool, &ada, &filters(Show::All), TODAY)
        .await
        .unwrap();
    assert_eq!(list.total, 4);
    assert_eq!(list.progress.active, 4);

    let other = app::schools::db::create(&pool, "Cedar Hollow Middle School", 0)
        .await
        .unwrap();
    let outsider = member(&pool, other.id, "cy", Role::Admin).await;
    assert_eq!(
        marking::mark(
            &pool,
            &outsider,
            school.students[0],
            Some(Level::Strong),
            NOW,
            TODAY
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );
    assert!(marking::list(&pool, &outsider, &filters(Show::All), TODAY)
        .await
        .unwrap()
        .rows
        .is_empty());
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn marking_needs_an_open_term_and_goes_to_the_current_one(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let student = school.students[0];
    // Between terms (summer), nothing is open.
    let error = marking::mark(&pool, &ada, student, Some(Level::Strong), NOW, "2026-07-04")
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::Invalid(ref text) if text.contains("No term is open")));
    // In the fall, marks go to Fall 2026.
    marking::mark(&pool, &ada, student, Some(Level::Strong), NOW, TODAY)
        .await
        .unwrap();
    let term: i64 = sqlx::query_scalar("SELECT term_id FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(term, school.fall);
    // A pinned term wins over the dates.
    let winter = terms::create(
        &pool,
        school.id,
        &Draft {
            name: "Winter 2027".into(),
            starts_on: "2027-01-25".into(),
            ends_on: "2027-03-31".into(),
        },
        0,
    )
    .await
    .unwrap();
    terms::pin(&pool, school.id, winter, true, TODAY)
        .await
        .unwrap();
    assert_eq!(
        terms::current(&pool, school.id, TODAY)
            .await
            .unwrap()
            .unwrap()
            .id,
        winter
    );
    // A new term starts with no marks.
    let list = marking::list(&pool, &ada, &filters(Show::MarkedByMe), TODAY)
        .await
        .unwrap();
    assert!(list.rows.is_empty());
    terms::pin(&pool, school.id, winter, false, TODAY)
        .await
        .unwrap();
    assert_eq!(
        terms::current(&pool, school.id, TODAY)
            .await
            .unwrap()
            .unwrap()
            .id,
        school.fall
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn last_terms_marks_are_hints(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let student = school.students[2];
    // Ada marked Ana in the spring.
    marking::mark(
        &pool,
        &ada,
        student,
        Some(Level::Strong),
        NOW - 20_000_000,
        "2026-03-01",
    )
    .await
    .unwrap();
    let list = marking::list(&pool, &ada, &filters(Show::All), TODAY)
        .await
        .unwrap();
    let ana = list.rows.iter().find(|r| r.id == student).unwrap();
    assert_eq!(
        (ana.mine, ana.last_term, ana.strong),
        (None, Some(Level::Strong), 0)
    );
    assert_eq!(
        list.progress.connected, 0,
        "a new term starts with no marks"
    );
    // Keeping the hint is one mark in the current term.
    marking::mark(&pool, &ada, student, ana.last_term, NOW, TODAY)
        .await
        .unwrap();
    let list = marking::list(&pool, &ada, &filters(Show::MarkedByMe), TODAY)
        .await
        .unwrap();
    assert_eq!(list.rows[0].mine, Some(Level::Strong));
    let terms_used: Vec<i64> = sqlx::query_scalar("SELECT term_id FROM connections ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(terms_used, [school.spring, school.fall]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn concerns_are_private_to_their_author_counselors_and_admins(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ada = member(&pool, school.id, "ada", Role::Staff).await;
    let ben = member(&pool, school.id, "ben", Role::Staff).await;
    let cora = member(&pool, school.id, "cora", Role::Counselor).await;
    let student = school.students[3];
    let open = marking::concern(
        &pool,
        &ada,
        student,
        true,
        "  Seems withdrawn lately ",
        NOW,
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!(open.as_deref(), Some("Seems withdrawn lately"));
    // Raising again updates the reason; still one open concern.
    marking::concern(
        &pool,
        &ada,
        student,
        true,
        "Withdrawn; missed a week",
        NOW + 1,
        TODAY,
    )
    .await
    .unwrap();
    let row =
        |list: app::connections::MarkList| list.rows.into_iter().find(|r| r.id == student).unwrap();
    let for_ada = row(marking::list(&pool, &ada, &filters(Show::All), TODAY)
        .await
        .unwrap());
    assert_eq!(
        for_ada.my_concern.as_deref(),
        Some("Withdrawn; missed a week")
    );
    let for_ben = row(marking::list(&pool, &ben, &filters(Show::All), TODAY)
        .await
        .unwrap());
    assert_eq!((for_ben.my_concern, for_ben.other_concerns), (None, 0));
    let for_cora = row(marking::list(&pool, &cora, &filters(Show::All), TODAY)
        .await
        .unwrap());
    assert_eq!((for_cora.my_concern, for_cora.other_concerns), (None, 1));

    // A reason over the limit is refused with the limit.
    let too_long = "é".repeat(501);
    assert!(matches!(
        marking::concern(&pool, &ben, student, true, &too_long, NOW, TODAY).await,
        Err(AppError::Invalid(ref text)) if text.contains("longer than 500 characters")
    ));
    // Withdrawing keeps the record, resolved.
    assert_eq!(
        marking::concern(&pool, &ada, student, false, "", NOW + 2, TODAY)
            .await
            .unwrap(),
        None
    );
    let rows: Vec<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT reason, resolved_at FROM concerns")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [(Some("Withdrawn; missed a week".to_string()), Some(NOW + 2))]
    );
    let for_cora = row(marking::list(&pool, &cora, &filters(Show::All), TODAY)
        .await
        .unwrap());
    assert_eq!(for_cora.other_concerns, 0);
    let logged: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'concern.%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(logged, 3);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn terms_do_not_overlap_and_past_terms_are_read_only(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let draft = |name: &str, starts: &str, ends: &str| Draft {
        name: name.into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
    };
    let invalid = |result: Result<i64, AppError>| match result {
        Err(AppError::Invalid(text)) => text,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let text = invalid(
        terms::create(
            &pool,
            school.id,
            &draft("Winter", "2027-01-10", "2027-03-01"),
            0,
        )
        .await,
    );
    assert!(text.contains("overlap “Fall 2026”"), "{text}");
    let text = invalid(
        terms::create(
            &pool,
            school.id,
            &draft("Odd", "2027-05-01", "2027-04-01"),
            0,
        )
        .await,
    );
    assert!(text.contains("before its first day"), "{text}");
    let text = invalid(
        terms::create(
            &pool,
            school.id,
            &draft("Odd", "2027-02-30", "2027-04-01"),
            0,
        )
        .await,
    );
    assert!(text.contains("not a date"), "{text}");
    let text =
        invalid(terms::create(&pool, school.id, &draft(" ", "2027-02-01", "2027-04-01"), 0).await);
    assert!(text.contains("name"), "{text}");
    let text = invalid(
        terms::create(
            &pool,
            school.id,
            &draft("Fall 2026", "2027-02-01", "2027-04-01"),
            0,
        )
        .await,
    );
    assert!(text.contains("already called"), "{text}");
    let spring = terms::create(
        &pool,
        school.id,
        &draft("Spring 2027", "2027-01-25", "2027-06-11"),
        0,
    )
    .await
    .unwrap();
    // The current term's own dates may change without overlapping itself.
    terms::update(
        &pool,
        school.id,
        school.fall,
        &draft("Fall 2026", "2026-08-31", "2027-01-20"),
        TODAY,
    )
    .await
    .unwrap();
    // An ended term is the record of that term.
    let past = terms::update(
        &pool,
        school.id,
        school.spring,
        &draft("Renamed", "2026-01-20", "2026-06-10"),
        TODAY,
    )
    .await;
    assert!(matches!(past, Err(AppError::Invalid(ref t)) if t.contains("read-only")));
    assert!(terms::pin(&pool, school.id, school.spring, true, TODAY)
        .await
        .is_err());
    // Pinning one term unpins any other.
    terms::pin(&pool, school.id, spring, true, TODAY)
        .await
        .unwrap();
    terms::pin(&pool, school.id, school.fall, true, TODAY)
        .await
        .unwrap();
    let pinned: Vec<i64> = sqlx::query_scalar("SELECT id FROM terms WHERE is_pinned = 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(pinned, [school.fall]);
    // Another school's term is not found.
    let other = app::schools::db::create(&pool, "Cedar Hollow Middle School", 0)
        .await
        .unwrap();
    assert_eq!(
        terms::pin(&pool, other.id, school.fall, true, TODAY)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

/// The live coverage figure is kept by triggers; after any mix of marks,
/// changes, removals and students leaving or returning it equals a recount.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_term_is_at_most_a_school_year_and_its_name_short(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let draft = |name: &str, starts: &str, ends: &str| Draft {
        name: name.into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
    };
    // A year typed wrong: 2000 for 2026.
    let refused = terms::update(
        &pool,
        school.id,
        school.fall,
        &draft("Fall 2026", "2000-08-31", "2027-01-22"),
        TODAY,
    )
    .await;
    assert_eq!(
        refused,
        Err(AppError::Invalid(
            "A term can be at most 366 days long (a school year); these dates make it 9641 days. Check the years of both dates.".into()
        ))
    );
    let refused = terms::create(
        &pool,
        school.id,
        &draft("Two years", "2027-08-01", "2029-07-31"),
        0,
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Invalid(ref text)) if text.contains("at most 366 days")),
        "{refused:?}"
    );
    // A whole leap school year, and a name of 80 characters (of two bytes
    // each), are fine; one character more is not.
    terms::create(
        &pool,
        school.id,
        &draft(&"é".repeat(80), "2027-08-01", "2028-07-31"),
        0,
    )
    .await
    .unwrap();
    assert_eq!(
        terms::create(
            &pool,
            school.id,
            &draft(&"é".repeat(81), "2028-08-01", "2029-06-30"),
            0
        )
        .await,
        Err(AppError::Invalid(
            "The term's name is longer than 80 characters; shorten it.".into()
        ))
    );
    let fall: (String, String) =
        sqlx::query_as("SELECT starts_on, ends_on FROM terms WHERE id = $1")
            .bind(school.fall)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(fall, ("2026-08-31".into(), "2027-01-22".into()));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn live_coverage_always_equals_a_recount(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let mut staff = Vec::new();
    for who in ["ada", "ben", "cora"] {
        staff.push(member(&pool, school.id, who, Role::Staff).await);
    }
    let recount = || async {
        let counted: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT c.student_id) FROM connections c
             JOIN students s ON s.id = c.student_id AND s.is_active = 1
             WHERE c.term_id = $1 AND c.level = 'strong' AND c.removed_at IS NULL",
        )
        .bind(school.fall)
        .fetch_one(&pool)
        .await
        .unwrap();
        let kept: i64 =
            sqlx::query_scalar("SELECT connected FROM term_coverage WHERE term_id = $1")
                .bind(school.fall)
                .fetch_one(&pool)
                .await
                .unwrap();
        (kept, counted)
    };
    // A fixed pseudo-random walk: repeatable, no dependency.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for step in 0..400 {
        let student = school.students[next(5) as usize];
        if next(10) == 0 {
            sqlx::query("UPDATE students SET is_active = 1 - is_active WHERE id = $1")
                .bind(student)
                .execute(&pool)
                .await
                .unwrap();
        } else {
            let who = &staff[next(3) as usize];
            let level = [Some(Level::Strong), Some(Level::Knows), None][next(3) as usize];
            // Marks on inactive students are refused; that is fine here.
            let _ = marking::mark(&pool, who, student, level, NOW + step, TODAY).await;
        }
        let (kept, counted) = recount().await;
        assert_eq!(kept, counted, "after step {step}");
    }
    let progress = marking::progress(&pool, &staff[0], school.fall)
        .await
        .unwrap();
    assert_eq!(progress.connected, recount().await.1);
    // Each person's kept counts of their marks on active students too.
    for who in &staff {
        let kept = marking::progress(&pool, who, school.fall).await.unwrap();
        let (marked, strong): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN c.level = 'strong' THEN 1 END)
             FROM connections c JOIN students s ON s.id = c.student_id AND s.is_active = 1
             WHERE c.term_id = $1 AND c.staff_id = $2 AND c.removed_at IS NULL",
        )
        .bind(school.fall)
        .bind(who.user_id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((kept.marked, kept.strong), (marked, strong), "{}", who.name);
    }
    // The kept count of active students too.
    let active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE school_id = $1 AND is_active = 1")
            .bind(school.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(progress.active, active);
}

/// Marks that arrive together are written together (one transaction), and
/// each is still answered on its own: refused marks in the same batch (a
/// student who left, a member switched off) change nothing and do not
/// hold up the others.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn marks_arriving_together_are_each_answered(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let mut staff = Vec::new();
    for i in 0..12 {
        staff.push(member(&pool, school.id, &format!("teacher{i}"), Role::Staff).await);
    }
    let gone = school.students[4];
    sqlx::query("UPDATE students SET is_active = 0 WHERE id = $1")
        .bind(gone)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE memberships SET is_active = 0 WHERE user_id = $1")
        .bind(staff[11].user_id)
        .execute(&pool)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, who) in staff.iter().enumerate() {
        for (j, student) in school.students.iter().enumerate() {
            let (pool, who, student) = (pool.clone(), who.clone(), *student);
            let level = if (i + j) % 2 == 0 {
                Level::Strong
            } else {
                Level::Knows
            };
            tasks.spawn(async move {
                let outcome = marking::mark(&pool, &who, student, Some(level), NOW, TODAY).await;
                (i, student, level, outcome)
            });
        }
    }
    let mut saved = 0;
    while let Some(done) = tasks.join_next().await {
        let (i, student, level, outcome) = done.unwrap();
        match outcome {
            Ok(answer) => {
                assert!(i != 11 && student != gone, "{i} marked {student}");
                assert_eq!(answer.level, Some(level));
                assert!(answer.progress.marked >= 1);
                assert_eq!(answer.progress.active, 4);
                saved += 1;
            }
            Err(error) if i == 11 => assert_eq!(error, AppError::Unauthorized),
            Err(error) => {
                assert_eq!(student, gone);
                assert_eq!(error, AppError::NotFound);
            }
        }
    }
    assert_eq!(saved, 11 * 4);
    let live: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT staff_id, student_id, level FROM connections WHERE removed_at IS NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(live.len(), 11 * 4, "every saved mark, nothing else");
    for (i, who) in staff.iter().enumerate().take(11) {
        for (j, student) in school.students.iter().enumerate().take(4) {
            let level = if (i + j) % 2 == 0 { "strong" } else { "knows" };
            assert!(
                live.contains(&(who.user_id, *student, level.to_string())),
                "{} marked {student} {level}",
                who.name
            );
        }
    }
    // The kept coverage figure agrees with the marks.
    let progress = marking::progress(&pool, &staff[0], school.fall)
        .await
        .unwrap();
    assert_eq!(progress.connected, 4);
}
