//! Roster import benchmark (`make bench`): a generated 50,000-student
//! OneRoster 1.2 package with staff, homerooms and about 6 class sections
//! per student, previewed and applied on a release build; then the same
//! file again, unchanged. Prints times, rows per second and peak memory.
//!
//! Settings (environment): BENCH_ROSTER_STUDENTS (50000), BENCH_ROSTER_RUNS
//! (3: each on a new database; the median and the max are printed, as this
//! machine's timings vary from run to run).

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
        "Reproduce: make bench   (or BENCH_ROSTER_STUDENTS={students} BENCH_ROSTER_RUNS=3 cargo bench -p server --bench roster)"
    );
    let runs: usize = std::env::var("BENCH_ROSTER_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let bytes = package(&Sample::school(students), Layout::OneRoster12);
    let baseline = peak_mb();
    println!(
        "Package: {} students, {:.1} MB zipped (memory before import: {baseline:.0} MB); {runs} runs, each on a new database",
        students,
        bytes.len() as f64 / 1e6
    );
    let rounds = ["First import", "Same file again (unchanged)"];
    let mut totals: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for run in 0..runs {
        let dir =
            std::env::temp_dir().join(format!("tether-roster-bench-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let pool = app::db::open(&format!("sqlite://{}", dir.join("tether.db").display()))
            .await
            .expect("database");
        let school = app::schools::db::create(&pool, "Maple Grove High School", 0)
            .await
            .expect("school")
            .id;
        for (round, name) in rounds.iter().enumerate() {
            let began = Instant::now();
            let parsed = roster("district.zip", &bytes, &Mapping::new(), None).expect("parses");
            let parsed_at = began.elapsed();
            preview(&pool, school, &parsed, Mode::Full, "district.zip")
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
            let rows =
                parsed.students.len() + parsed.staff.len() + parsed.classes.len() + enrollments;
            if run == 0 {
                println!("{name}: {}", done.counts());
            }
            println!(
                "  run {}: {name}: parse {:.2} s, preview {:.2} s, apply {:.2} s: parse + preview + apply {:.2} s; {:.0} rows/s ({rows} rows: students, staff, classes, enrollments); peak memory so far {:.0} MB",
                run + 1,
                parsed_at.as_secs_f64(),
                (previewed_at - parsed_at).as_secs_f64(),
                (total - previewed_at).as_secs_f64(),
                total.as_secs_f64(),
                rows as f64 / total.as_secs_f64(),
                peak_mb()
            );
            totals[round].push(total.as_secs_f64());
            drop(parsed);
        }
        pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
    for (name, mut times) in rounds.into_iter().zip(totals) {
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: parse + preview + apply median {:.2} s, max {:.2} s over {runs} runs (target < 3 s)",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    println!("Peak memory: {:.0} MB (target < 200 MB)", peak_mb());
}
