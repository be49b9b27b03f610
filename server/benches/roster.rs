//! Roster import benchmark (`make bench`): a generated 50,000-student
//! OneRoster 1.2 package with staff, homerooms and about 6 class sections
//! per student, previewed and applied on a release build; then the same
//! file again, unchanged. Prints times, rows per second and peak memory.
//!
//! Settings (environment): BENCH_ROSTER_STUDENTS (50000).

use std::time::Instant;

use app::roster::db::{apply, preview, Importer};
use app::roster::parse::{roster, Mapping};
use app::roster::samples::{package, Layout, Sample};
use app::roster::Mode;

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    // RUST_LOG=sqlx::query=debug shows every statement with its time.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let students: usize = std::env::var("BENCH_ROSTER_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    println!("Roster import benchmark: release build");
    println!(
        "Reproduce: make bench   (or BENCH_ROSTER_STUDENTS={students} cargo bench -p server --bench roster)"
    );
    let bytes = package(&Sample::school(students), Layout::OneRoster12);
    let dir = std::env::temp_dir().join(format!("tether-roster-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let pool = app::db::open(&format!("sqlite://{}", dir.join("tether.db").display()))
        .await
        .expect("database");
    let school = app::schools::db::create(&pool, "Maple Grove High School", 0)
        .await
        .expect("school")
        .id;
    let baseline = peak_mb();
    println!(
        "Package: {} students, {:.1} MB zipped (memory before import: {baseline:.0} MB)",
        students,
        bytes.len() as f64 / 1e6
    );
    for round in ["First import", "Same file again (unchanged)"] {
        let began = Instant::now();
        let parsed = roster("district.zip", &bytes, &Mapping::new(), None).expect("parses");
        let parsed_at = began.elapsed();
        let plan = preview(&pool, school, &parsed, Mode::Full, "district.zip")
            .await
            .expect("preview");
        let previewed_at = began.elapsed();
        let done = apply(
            &pool,
            school,
            &parsed,
            Mode::Full,
            "district.zip",
            Importer { user_id: None },
            0,
        )
        .await
        .expect("apply");
        let total = began.elapsed();
        let enrollments: usize = parsed
            .classes
            .iter()
            .map(|c| c.students.len() + c.teachers.len())
            .sum();
        let rows = parsed.students.len() + parsed.staff.len() + parsed.classes.len() + enrollments;
        println!("{round}: {}", done.counts());
        println!(
            "  parse {:.2} s, preview {:.2} s, apply {:.2} s: preview + apply {:.2} s (target < 3 s); {:.0} rows/s ({rows} rows: students, staff, classes, enrollments)",
            parsed_at.as_secs_f64(),
            (previewed_at - parsed_at).as_secs_f64(),
            (total - previewed_at).as_secs_f64(),
            total.as_secs_f64(),
            rows as f64 / total.as_secs_f64()
        );
        let _ = plan;
        println!(
            "  peak memory so far: {:.0} MB (target < 200 MB)",
            peak_mb()
        );
        drop(parsed);
    }
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
