//! The unconnected list, take-ons, check-ins and the meeting board.
#![cfg(feature = "ssr")]

use app::accounts::{Member, Role};
use app::clock;
use app::connections::{marking, Level};
use app::db::Db;
use app::takeons::db::{self, Settings};
use app::takeons::{ListFilters, Sort, View};
use app::terms::db::{self as terms, Draft};
use app::terms::Term;
use app::AppError;
use sqlx::SqlitePool;

const TODAY: &str = "2026-11-24";

fn today() -> time::Date {
    clock::parse_day(TODAY).unwrap()
}

fn now() -> i64 {
    clock::start_of_day(today()) + 12 * 3600
}

struct School {
    id: i64,
    fall: Term,
    spring: Term,
    /// Ana, Ben, Cleo, Dev, Eli (grades 9, 9, 10, 10, 11).
    students: Vec<i64>,
}

async fn member(pool: &Db, school: i64, who: &str, role: Role) -> Member {
    let user_id = app::accounts::db::upsert_member(
        pool,
        &format!("{who}@cedar.example"),
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
        email: format!("{who}@cedar.example"),
        role,
        school_id: school,
        school_name: "Cedar Hollow High School".into(),
        school_is_demo: false,
    }
}

async fn school(pool: &Db) -> School {
    let id = app::schools::db::create(pool, "Cedar Hollow High School", 0)
        .await
        .unwrap()
        .id;
    let draft = |name: &str, starts: &str, ends: &str| Draft {
        name: name.into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
    };
    terms::create(
        pool,
        id,
        &draft("Spring 2026", "2026-01-20", "2026-06-10"),
        0,
    )
    .await
    .unwrap();
    terms::create(pool, id, &draft("Fall 2026", "2026-08-31", "2027-01-22"), 0)
        .await
        .unwrap();
    let fall = terms::current(pool, id, TODAY).await.unwrap().unwrap();
    let spring = terms::current(pool, id, "2026-03-01")
        .await
        .unwrap()
        .unwrap();
    let mut students = Vec::new();
    for (n, (first, last, grade)) in [
        ("Ana", "Alvarez", 9),
        ("Ben", "Brooks", 9),
        ("Cleo", "Chen", 10),
        ("Dev", "Desai", 10),
        ("Eli", "Evans", 11),
    ]
    .into_iter()
    .enumerate()
    {
        let student: i64 = sqlx::query_scalar(
            "INSERT INTO students (school_id, sis_id, first_name, last_name, grade, homeroom, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0) RETURNING id",
        )
        .bind(id)
        .bind(format!("S{n}"))
        .bind(first)
        .bind(last)
        .bind(grade)
        .bind(format!("H{grade}"))
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

async fn mark(pool: &Db, who: &Member, student: i64, level: Option<Level>, day: &str) {
    let when = clock::start_of_day(clock::parse_day(day).unwrap()) + 9 * 3600;
    marking::mark(pool, who, student, level, when, day)
        .await
        .unwrap();
}

async fn names(pool: &Db, school: &School, filters: &ListFilters) -> Vec<String> {
    db::unconnected(pool, school.id, &school.fall, filters)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|row| row.name)
        .collect()
}

fn filters(view: View) -> ListFilters {
    ListFilters {
        view,
        sort: Sort::Name,
        page: 1,
        ..ListFilters::default()
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_list_shows_students_with_no_or_one_strong_connection_this_term(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let [ana, ben, cleo, dev, eli] = school.students[..] else {
        unreachable!()
    };
    let kim = member(&pool, school.id, "kim", Role::Staff).await;
    let lou = member(&pool, school.id, "lou", Role::Staff).await;
    // Spring marks never count in the fall.
    mark(&pool, &kim, ana, Some(Level::Strong), "2026-03-02").await;
    // Ben: strong, then removed: unconnected again.
    mark(&pool, &kim, ben, Some(Level::Strong), "2026-09-07").await;
    mark(&pool, &kim, ben, None, "2026-09-14").await;
    // Cleo: one strong; Dev: two; Eli leaves the school.
    mark(&pool, &kim, cleo, Some(Level::Strong), "2026-09-07").await;
    mark(&pool, &kim, dev, Some(Level::Strong), "2026-09-07").await;
    mark(&pool, &lou, dev, Some(Level::Strong), "2026-09-07").await;
    mark(&pool, &lou, ana, Some(Level::Knows), "2026-09-07").await;
    sqlx::query("UPDATE students SET is_active = 0, updated_at = 1 WHERE id = $1")
        .bind(eli)
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(
        names(&pool, &school, &filters(View::None)).await,
        ["Ana Alvarez", "Ben Brooks"]
    );
    let one = db::unconnected(&pool, school.id, &school.fall, &filters(View::One))
        .await
        .unwrap();
    assert_eq!(one.1, 1);
    assert_eq!(one.0[0].name, "Cleo Chen");
    assert_eq!(one.0[0].strong_by.as_deref(), Some("kim"));

    // "No one even knows them" first: Ben (nobody) before Ana (lou knows her).
    let unknown_first = ListFilters {
        sort: Sort::Unknown,
        ..filters(View::None)
    };
    let rows = db::unconnected(&pool, school.id, &school.fall, &unknown_first)
        .await
        .unwrap()
        .0;
    assert_eq!(rows[0].name, "Ben Brooks");
    assert!(rows[0].known_by.is_empty());
    assert_eq!(rows[1].known_by, ["lou"]);

    // Filters: grade, homeroom and an imported attribute.
    let grade_10 = ListFilters {
        grade: Some(10),
        ..filters(View::None)
    };
    assert!(names(&pool, &school, &grade_10).await.is_empty());
    sqlx::query(
        "INSERT INTO student_attributes (school_id, student_id, name, value) VALUES ($1, $2, 'ell', 'yes')",
    )
    .bind(school.id)
    .bind(ben)
    .execute(&pool)
    .await
    .unwrap();
    let ell = ListFilters {
        group: "ell=yes".into(),
        ..filters(View::None)
    };
    assert_eq!(names(&pool, &school, &ell).await, ["Ben Brooks"]);
    let homeroom = ListFilters {
        homeroom: "H9".into(),
        ..filters(View::None)
    };
    assert_eq!(names(&pool, &school, &homeroom).await.len(), 2);

    // Spring's own list is separate.
    let spring = db::unconnected(&pool, school.id, &school.spring, &filters(View::None))
        .await
        .unwrap();
    assert!(!spring.0.iter().any(|row| row.name == "Ana Alvarez"));

    // Concerns show with their count and reasons on the list.
    sqlx::query(
        "INSERT INTO concerns (school_id, term_id, student_id, raised_by, reason, raised_at)
         VALUES ($1, $2, $3, $4, 'often alone at lunch', 5)",
    )
    .bind(school.id)
    .bind(school.fall.id)
    .bind(ben)
    .bind(kim.user_id)
    .execute(&pool)
    .await
    .unwrap();
    let rows = db::unconnected(&pool, school.id, &school.fall, &filters(View::None))
        .await
        .unwrap()
        .0;
    let ben_row = rows.iter().find(|r| r.name == "Ben Brooks").unwrap();
    assert_eq!(ben_row.concerns, 1);
    assert_eq!(ben_row.concern_reasons, ["often alone at lunch"]);

    let csv = db::unconnected_csv(&pool, school.id, &school.fall, &filters(View::None))
        .await
        .unwrap();
    assert_eq!(
        csv,
        "student_id,name,grade,homeroom,strong_connection,known_by,concerns,taken_on_by\r\n\
         S0,Ana Alvarez,9,H9,,lou,0,\r\n\
         S1,Ben Brooks,9,H9,,,1,\r\n"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_take_on_becomes_connected_when_its_adult_marks_strong(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let [ana, ben, ..] = school.students[..] else {
        unreachable!()
    };
    let kim = member(&pool, school.id, "kim", Role::Staff).await;
    let lou = member(&pool, school.id, "lou", Role::Staff).await;
    let cal = member(&pool, school.id, "cal", Role::Counselor).await;

    // Kim volunteers for Ana; Cal assigns Ben to Lou.
    let kims = db::start(&pool, &kim, &school.fall, ana, kim.user_id, now())
        .await
        .unwrap();
    assert_eq!(kims.load, 1);
    let lous = db::start(&pool, &cal, &school.fall, ben, lou.user_id, now())
        .await
        .unwrap();
    // Twice is refused; staff cannot assign someone else.
    assert!(matches!(
        db::start(&pool, &kim, &school.fall, ana, kim.user_id, now()).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        db::start(&pool, &kim, &school.fall, ben, lou.user_id, now())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    // The list shows who took them on.
    let rows = db::unconnected(&pool, school.id, &school.fall, &filters(View::None))
        .await
        .unwrap()
        .0;
    let ana_row = rows.iter().find(|r| r.student_id == ana).unwrap();
    assert_eq!(ana_row.take_ons[0].staff_name, "kim");
    assert_eq!(ana_row.take_ons[0].status, "active");

    // Lou's mark of someone else's student changes nothing; Kim's strong
    // mark of Ana connects the take-on and Ana leaves the list.
    mark(&pool, &lou, ana, Some(Level::Strong), TODAY).await;
    let take_on = db::find(&pool, &kim, kims.id, today()).await.unwrap();
    assert_eq!(take_on.status, "active");
    mark(&pool, &lou, ana, None, TODAY).await;
    mark(&pool, &kim, ana, Some(Level::Strong), TODAY).await;
    assert_eq!(
        db::find(&pool, &kim, kims.id, today())
            .await
            .unwrap()
            .status,
        "connected"
    );
    assert!(!names(&pool, &school, &filters(View::None))
        .await
        .contains(&"Ana Alvarez".to_string()));
    // Already connected: a new take-on is refused.
    assert!(matches!(
        db::start(&pool, &kim, &school.fall, ana, kim.user_id, now()).await,
        Err(AppError::Invalid(_))
    ));

    // Releasing needs a reason, a short one; then it is over.
    assert!(matches!(
        db::release(&pool, &lou, lous.id, "  ", today(), now()).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        db::release(&pool, &lou, lous.id, &"é".repeat(501), today(), now()).await,
        Err(AppError::Invalid(
            "The reason is longer than 500 characters; shorten it.".into()
        ))
    );
    let released = db::release(&pool, &lou, lous.id, "schedule changed", today(), now())
        .await
        .unwrap();
    assert_eq!(released.status, "released");
    assert_eq!(released.release_reason.as_deref(), Some("schedule changed"));
    assert!(db::release(&pool, &lou, lous.id, "again", today(), now())
        .await
        .is_err());
    // Someone else's take-on is closed to other staff.
    assert_eq!(
        db::find(&pool, &kim, lous.id, today()).await.unwrap_err(),
        AppError::Forbidden
    );
    assert!(db::find(&pool, &cal, lous.id, today()).await.is_ok());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn suggestions_come_first_by_lowest_load_and_the_cap_warns(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let [ana, ben, cleo, ..] = school.students[..] else {
        unreachable!()
    };
    let cal = member(&pool, school.id, "cal", Role::Counselor).await;
    let kim = member(&pool, school.id, "kim", Role::Staff).await;
    let lou = member(&pool, school.id, "lou", Role::Staff).await;
    let max = member(&pool, school.id, "max", Role::Staff).await;
    // Kim knows Ana; Lou is her homeroom teacher; Max teaches her.
    mark(&pool, &kim, ana, Some(Level::Knows), TODAY).await;
    for (name, homeroom, teacher) in [("H9", true, lou.user_id), ("Biology", false, max.user_id)] {
        let class: i64 = sqlx::query_scalar(
            "INSERT INTO classes (school_id, name, is_homeroom) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(school.id)
        .bind(name)
        .bind(homeroom)
        .fetch_one(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO class_students (school_id, class_id, student_id) VALUES ($1, $2, $3)",
        )
        .bind(school.id)
        .bind(class)
        .bind(ana)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO class_staff (school_id, class_id, staff_id) VALUES ($1, $2, $3)")
            .bind(school.id)
            .bind(class)
            .bind(teacher)
            .execute(&pool)
            .await
            .unwrap();
    }
    // Kim already has two students.
    db::start(&pool, &cal, &school.fall, ben, kim.user_id, now())
        .await
        .unwrap();
    db::start(&pool, &cal, &school.fall, cleo, kim.user_id, now())
        .await
        .unwrap();
    let choice = db::assign_choice(&pool, school.id, &school.fall, ana)
        .await
        .unwrap();
    let suggested: Vec<(&str, i64, Vec<String>)> = choice
        .suggested
        .iter()
        .map(|c| (c.name.as_str(), c.load, c.reasons.clone()))
        .collect();
    assert_eq!(
        suggested,
        [
            ("lou", 0, vec!["homeroom teacher".to_string()]),
            ("max", 0, vec!["teaches them".to_string()]),
            ("kim", 2, vec!["knows them".to_string()]),
        ]
    );
    assert_eq!(
        choice
            .others
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["cal"]
    );
    assert_eq!(choice.cap, 5);

    // A cap of 2: the third take-on is allowed, with a warning.
    let admin = member(&pool, school.id, "ada", Role::Admin).await;
    db::set_settings(
        &pool,
        &admin,
        Settings {
            take_on_cap: 2,
            meeting_names: false,
        },
        now(),
    )
    .await
    .unwrap();
    let started = db::start(&pool, &cal, &school.fall, ana, kim.user_id, now())
        .await
        .unwrap();
    assert_eq!((started.load, started.cap), (3, 2));
    assert!(started
        .message(false)
        .contains("over the suggested limit of 2"));
    assert_eq!(
        db::set_settings(
            &pool,
            &cal,
            Settings {
                take_on_cap: 9,
                meeting_names: true
            },
            now()
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn check_ins_are_logged_by_the_adult_and_every_view_is_audited(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let ana = school.students[0];
    let kim = member(&pool, school.id, "kim", Role::Staff).await;
    let lou = member(&pool, school.id, "lou", Role::Staff).await;
    let cal = member(&pool, school.id, "cal", Role::Counselor).await;
    let started_at = clock::start_of_day(clock::parse_day("2026-11-01").unwrap());
    let id = db::start(&pool, &kim, &school.fall, ana, kim.user_id, started_at)
        .await
        .unwrap()
        .id;
    let quiet = db::mine(&pool, school.id, school.fall.id, kim.user_id, today())
        .await
        .unwrap();
    assert_eq!(quiet[0].days_quiet, 23, "no check-in since Nov 1");
    let follow_up = db::follow_up(&pool, school.id, school.fall.id, today())
        .await
        .unwrap();
    assert!(follow_up[0].days_quiet >= app::takeons::STALE_DAYS);

    for (day, note) in [
        ("2026-11-20", "talked about soccer"),
        ("2026-11-20", ""),
        ("2026-11-23", ""),
    ] {
        db::check_in(&pool, &kim, id, day, note, today(), now())
            .await
            .unwrap();
    }
    let mine = db::mine(&pool, school.id, school.fall.id, kim.user_id, today())
        .await
        .unwrap();
    assert_eq!((mine[0].check_in_days, mine[0].days_quiet), (2, 1));
    assert_eq!(
        db::check_in(&pool, &kim, id, TODAY, &"é".repeat(2001), today(), now())
            .await
            .unwrap_err(),
        AppError::Invalid("The note is longer than 2000 characters; shorten it.".into())
    );
    assert!(matches!(
        db::check_in(&pool, &kim, id, "2026-12-01", "", today(), now()).await,
        Err(AppError::Invalid(_))
    ));
    assert!(
        matches!(
            db::check_in(&pool, &kim, id, "2026-10-01", "", today(), now()).await,
            Err(AppError::Invalid(_))
        ),
        "before the take-on began"
    );
    assert_eq!(
        db::check_in(&pool, &cal, id, TODAY, "", today(), now())
            .await
            .unwrap_err(),
        AppError::Forbidden,
        "only the adult logs check-ins"
    );
    assert_eq!(
        db::find(&pool, &lou, id, today()).await.unwrap_err(),
        AppError::Forbidden
    );

    let take_on = db::find(&pool, &cal, id, today()).await.unwrap();
    let notes = db::check_ins(&pool, &cal, &take_on, now()).await.unwrap();
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[2].note.as_deref(), Some("talked about soccer"));
    let viewed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'check_ins.viewed' AND user_id = $1",
    )
    .bind(cal.user_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(viewed, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_meeting_board_counts_live_and_shows_names_only_when_switched_on(pool: SqlitePool) {
    let pool = Db::from(pool);
    let school = school(&pool).await;
    let kim = member(&pool, school.id, "kim", Role::Admin).await;
    let board = db::board(&pool, school.id, Some(&school.fall))
        .await
        .unwrap();
    assert_eq!((board.students, board.unconnected), (5, 5));
    assert_eq!(board.names, None);
    mark(&pool, &kim, school.students[0], Some(Level::Strong), TODAY).await;
    db::set_settings(
        &pool,
        &kim,
        Settings {
            take_on_cap: 5,
            meeting_names: true,
        },
        now(),
    )
    .await
    .unwrap();
    let board = db::board(&pool, school.id, Some(&school.fall))
        .await
        .unwrap();
    assert_eq!(board.unconnected, 4);
    assert_eq!(
        board.names,
        Some(vec![
            (9, vec!["Ben B.".to_string()]),
            (10, vec!["Cleo C.".to_string(), "Dev D.".to_string()]),
            (11, vec!["Eli E.".to_string()]),
        ])
    );
}
