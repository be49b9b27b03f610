//! Coverage dashboard benchmark (`make bench`): every figure of the
//! dashboard for a district-sized school (50,000 students, 3,000 staff,
//! about 150,000 marks this term and a previous term of history), on a
//! release build.
//!
//! "First view" starts with nothing kept: every day of the term and the
//! previous term's end are recomputed from the marks' and the roster's
//! histories, and the roster (students by grade and homeroom, groups) is
//! read. Later views reuse the figures of days that are over (they never
//! change) and the roster read (until the roster changes: an import, a
//! student who joins or leaves), and count today's figures live from the
//! marks.
//!
//! Settings (environment): BENCH_COVERAGE_STUDENTS (50000),
//! BENCH_COVERAGE_STAFF (3000), BENCH_COVERAGE_VIEWS (20),
//! BENCH_COVERAGE_FIRSTS (5: first views, each with nothing kept).

use std::time::Instant;

use app::accounts::{Member, Role};
use app::demo::{generate, DemoOptions};

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    // RUST_LOG=sqlx::query=debug shows every statement with its time.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let students = setting("BENCH_COVERAGE_STUDENTS", 50_000);
    let staff = setting("BENCH_COVERAGE_STAFF", 3_000);
    let views = setting("BENCH_COVERAGE_VIEWS", 20) as usize;
    println!("Coverage dashboard benchmark: release build");
    println!(
        "Reproduce: make bench   (or BENCH_COVERAGE_STUDENTS={students} BENCH_COVERAGE_STAFF={staff} cargo bench -p server --bench coverage)"
    );
    let dir = std::env::temp_dir().join(format!("tether-coverage-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let pool = app::db::open(&format!("sqlite://{}", dir.join("tether.db").display()))
        .await
        .expect("database");
    let today = app::clock::today();
    let summary = generate(
        &pool,
        &DemoOptions {
            students,
            staff,
            today,
            ..DemoOptions::default()
        },
    )
    .await
    .expect("demo school");
    let marks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap();
    let admin: i64 = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE school_id = $1 AND role = 'admin' LIMIT 1",
    )
    .bind(summary.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "School: {} active students, {} staff, {} marks in all (two terms)",
        summary.students, summary.staff, marks
    );
    let member = Member {
        user_id: admin,
        name: "Bench Admin".into(),
        email: "admin@example.org".into(),
        role: Role::Admin,
        school_id: summary.school_id,
        school_name: summary.school_name.clone(),
        school_is_demo: true,
    };
    let run = || async {
        let began = Instant::now();
        let dashboard = app::coverage::figures::dashboard(&pool, &member, today, app::clock::now())
            .await
            .expect("dashboard");
        (began.elapsed(), dashboard)
    };
    // A first view: nothing kept in the database or in memory. Several
    // times over, since one figure on this machine varies.
    let firsts = setting("BENCH_COVERAGE_FIRSTS", 5) as usize;
    let mut first_times = Vec::with_capacity(firsts);
    let mut dashboard = None;
    for _ in 0..firsts.max(1) {
        sqlx::query("DELETE FROM coverage_days")
            .execute(&pool)
            .await
            .expect("forget kept days");
        app::coverage::figures::forget_snapshots(&pool);
        let (took, shown) = run().await;
        first_times.push(took);
        dashboard = Some(shown);
    }
    let dashboard = dashboard.expect("a first view");
    first_times.sort();
    println!(
        "First view (nothing kept: {} days of the term recomputed, plus the previous term's end, and the roster read), {} times: p50 {:.1} ms, max {:.1} ms",
        dashboard.series.len(),
        first_times.len(),
        ms(first_times[first_times.len() / 2]),
        ms(*first_times.last().unwrap())
    );
    let groups: usize = dashboard.breakdowns.iter().map(|b| b.rows.len()).sum();
    println!(
        "  figures: {:.1} % connected now, {} breakdown groups, {} terms, {} staff listed",
        dashboard.now.percent(),
        groups,
        dashboard.terms.len(),
        dashboard.staff.as_ref().map_or(0, |s| s.len())
    );
    let mut times = Vec::with_capacity(views);
    for _ in 0..views {
        times.push(run().await.0);
    }
    times.sort();
    let p50 = times[times.len() / 2];
    let max = *times.last().unwrap();
    println!(
        "Later views ({views}): p50 {:.1} ms, max {:.1} ms (target: whole page's figures < 150 ms)",
        ms(p50),
        ms(max)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
