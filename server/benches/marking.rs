//! Marking benchmark (`make bench`): the real Tether router on loopback, on
//! a release build, with a generated school.
//!
//! 1. Server-side render time of `/mark` for a 3,000-student school.
//! 2. A staff meeting: 250 signed-in staff marking at once through the real
//!    endpoint (`POST /api/mark`: session cookie, origin check, gate,
//!    history-keeping write, counts) for 60 s, each marking a random student
//!    about once a second (0.5–1.5 s between answer and next mark — faster
//!    than anyone reads a name and decides); latency percentiles, errors,
//!    then every acknowledged mark is checked in the database.
//! 3. Saturation: the same 250 sessions sending marks back to back (no
//!    pause), against Tether and against a bare axum + SQLite insert
//!    endpoint in the same process, in alternating rounds (Tether, bare,
//!    Tether, bare …: the host's speed drifts during a run, and this way
//!    both sides share the drift); the ratio of their throughputs says how
//!    close marking is to the stack's limit. (Back to back, latency is just
//!    250 ÷ throughput, so it is printed but not the target.)
//!
//! Settings (environment): BENCH_SECONDS (60), BENCH_SATURATION_SECONDS
//! (20 per side), BENCH_SATURATION_ROUNDS (4), BENCH_STAFF (250),
//! BENCH_STUDENTS (3000), BENCH_RENDERS (200).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::throttle::Throttle;
use app::demo::{generate, DemoOptions};
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::routing::post;
use axum::{Form, Router};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use leptos::prelude::LeptosOptions;
use serde::Deserialize;
use sqlx::SqlitePool;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

const PASSWORD: &str = "bench-password-not-secret";
const LEVELS: [&str; 3] = ["strong", "knows", "none"];

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    // RUST_LOG=sqlx::query=debug shows every statement with its time.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let seconds = setting("BENCH_SECONDS", 60);
    let saturation = Duration::from_secs(setting("BENCH_SATURATION_SECONDS", 20));
    let staff_count = setting("BENCH_STAFF", 250) as usize;
    let students = setting("BENCH_STUDENTS", 3000) as u32;
    let renders = setting("BENCH_RENDERS", 200) as usize;
    let dir = std::env::temp_dir().join(format!("tether-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");

    println!(
        "Marking benchmark: release build, loopback, {} cores",
        num_cpus()
    );
    println!(
        "Reproduce: make bench   (or BENCH_SECONDS={seconds} BENCH_STAFF={staff_count} BENCH_STUDENTS={students} cargo bench -p server --bench marking)"
    );

    // A generated school, and `staff_count` staff who can sign in.
    let pool = app::db::open(&format!("sqlite://{}", dir.join("tether.db").display()))
        .await
        .expect("database");
    let started = Instant::now();
    let demo = generate(
        &pool,
        &DemoOptions {
            students,
            staff: staff_count as u32 + 10,
            ..DemoOptions::default()
        },
    )
    .await
    .expect("demo school");
    let hash = app::accounts::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id
         WHERE m.school_id = $1 AND m.is_active = 1 ORDER BY u.id LIMIT $2",
    )
    .bind(demo.school_id)
    .bind(staff_count as i64)
    .fetch_all(&pool)
    .await
    .expect("staff");
    sqlx::query("UPDATE users SET password_hash = $1")
        .bind(&hash)
        .execute(&pool)
        .await
        .expect("passwords");
    let student_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM students WHERE school_id = $1 AND is_active = 1")
            .bind(demo.school_id)
            .fetch_all(&pool)
            .await
            .expect("students");
    println!(
        "School: {} active students, {} staff signing in, {} strong marks already (generated in {:.1} s)",
        student_ids.len(),
        emails.len(),
        demo.strong_marks,
        started.elapsed().as_secs_f64()
    );

    let addr = serve(tether_router(pool.clone())).await;
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(staff_count * 2)
        .build_http();

    // Sign everyone in through the real sign-in form.
    let started = Instant::now();
    let mut sessions = Vec::new();
    for chunk in emails.chunks(16) {
        let logins = chunk.iter().map(|email| {
            let client = client.clone();
            let email = email.clone();
            async move { sign_in(&client, addr, &email).await }
        });
        sessions.extend(futures_join(logins).await);
    }
    println!(
        "Signed in {} staff in {:.1} s",
        sessions.len(),
        started.elapsed().as_secs_f64()
    );

    // 1. Render time of the marking page.
    let mut times = Vec::with_capacity(renders);
    for round in 0..renders + 10 {
        let began = Instant::now();
        let (status, body) = get(&client, addr, "/mark", &sessions[0]).await;
        let took = began.elapsed();
        assert_eq!(status, StatusCode::OK, "GET /mark");
        assert!(
            body.contains("Showing 1–50 of"),
            "the marking page rendered"
        );
        if round >= 10 {
            times.push(took);
        }
    }
    report(
        &format!("Render GET /mark ({} students, first page of 50, {renders} requests after 10 warm-up, one at a time)", student_ids.len()),
        &mut times,
        "p95 target < 100 ms",
    );

    // 2. The staff meeting.
    let meeting = load(
        &client,
        addr,
        "/api/mark",
        &sessions,
        &student_ids,
        Duration::from_secs(seconds),
        true,
    )
    .await;
    let mut meeting_times = meeting.times.clone();
    report(
        &format!(
            "Staff meeting, Tether POST /api/mark: {} staff each marking about once a second for {seconds} s: {} marks, {:.0} marks/s, {} errors",
            sessions.len(),
            meeting.times.len(),
            meeting.rate(),
            meeting.errors
        ),
        &mut meeting_times,
        "p99 target < 50 ms, zero errors",
    );
    let (checked, lost) = verify(&pool, &emails, &meeting.acked).await;
    println!("  Acknowledged marks checked in the database: {checked}, missing or wrong: {lost}");

    // 3. Saturation: Tether and a bare axum + SQLite insert, in alternating
    // rounds, so that the host's speed drifting over the run (it does, by up
    // to 2x on this machine) falls on both sides alike.
    let bare_pool = app::db::open(&format!("sqlite://{}", dir.join("bare.db").display()))
        .await
        .expect("bare database");
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS marks (id INTEGER PRIMARY KEY, staff TEXT NOT NULL,
         student_id INTEGER NOT NULL, level TEXT NOT NULL, made_at INTEGER NOT NULL)",
    )
    .execute(&bare_pool)
    .await
    .expect("bare table");
    let bare_addr = serve(
        Router::new()
            .route("/bare", post(bare_insert))
            .with_state(bare_pool.pool().clone()),
    )
    .await;
    let rounds = setting("BENCH_SATURATION_ROUNDS", 4).max(1) as u32;
    let round = saturation / rounds;
    let mut tether = Load::default();
    let mut bare = Load::default();
    let mut ratios = Vec::new();
    for _ in 0..rounds {
        let t = load(
            &client,
            addr,
            "/api/mark",
            &sessions,
            &student_ids,
            round,
            false,
        )
        .await;
        let b = load(
            &client,
            bare_addr,
            "/bare",
            &sessions,
            &student_ids,
            round,
            false,
        )
        .await;
        ratios.push(format!("{:.2}", t.rate() / b.rate().max(f64::MIN_POSITIVE)));
        tether.add(t);
        bare.add(b);
    }
    let mut tether_times = tether.times.clone();
    report(
        &format!(
            "Saturation, Tether POST /api/mark: {} sessions back to back, {rounds} rounds of {:.0} s: {} marks, {:.0} marks/s, {} errors",
            sessions.len(),
            round.as_secs_f64(),
            tether.times.len(),
            tether.rate(),
            tether.errors
        ),
        &mut tether_times,
        "throughput is the figure",
    );
    let (checked, lost) = verify(&pool, &emails, &tether.acked).await;
    println!("  Acknowledged marks checked in the database: {checked}, missing or wrong: {lost}");
    let mut bare_times = bare.times.clone();
    report(
        &format!(
            "Saturation, bare axum + SQLite insert: same sessions, each round right after Tether's: {} inserts, {:.0} inserts/s, {} errors",
            bare.times.len(),
            bare.rate(),
            bare.errors
        ),
        &mut bare_times,
        "the stack's limit",
    );
    println!(
        "  Ratio of throughputs, Tether marking / bare insert: {:.2} (target >= 0.5); by round: {}",
        tether.rate() / bare.rate().max(f64::MIN_POSITIVE),
        ratios.join(", ")
    );
    pool.close().await;
    bare_pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

async fn futures_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

fn tether_router(db: app::db::Db) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("tether")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    server::routes::router(AppState {
        leptos_options,
        db,
        throttle: Arc::new(Throttle::new()),
        secure_cookies: false,
        trusted_proxies: Vec::new(),
    })
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("server");
    });
    addr
}

#[derive(Deserialize)]
struct BareForm {
    student_id: i64,
    level: String,
}

async fn bare_insert(State(pool): State<SqlitePool>, Form(form): Form<BareForm>) -> StatusCode {
    let result = sqlx::query(
        "INSERT INTO marks (staff, student_id, level, made_at) VALUES ('bench', $1, $2, unixepoch())",
    )
    .bind(form.student_id)
    .bind(form.level)
    .execute(&pool)
    .await;
    match result {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: &str,
    body: String,
) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header(header::ORIGIN, format!("http://{addr}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("request")
}

async fn sign_in(client: &HttpClient, addr: SocketAddr, email: &str) -> String {
    let body = serde_urlencoded::to_string([("email", email), ("password", PASSWORD)]).unwrap();
    let reply = client
        .request(request(addr, "POST", "/login", "", body))
        .await
        .expect("sign-in request");
    assert_eq!(reply.status(), StatusCode::SEE_OTHER, "{email} signs in");
    reply
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tether_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

async fn get(
    client: &HttpClient,
    addr: SocketAddr,
    path: &str,
    cookie: &str,
) -> (StatusCode, String) {
    let reply = client
        .request(request(addr, "GET", path, cookie, String::new()))
        .await
        .expect("GET");
    let status = reply.status();
    let body = reply.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[derive(Default)]
struct Load {
    times: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    /// (staff index, student) → the last acknowledged level.
    acked: HashMap<(usize, i64), &'static str>,
}

impl Load {
    fn rate(&self) -> f64 {
        self.times.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// A later round added to this one (a later acknowledgement of the
    /// same staff member and student replaces the earlier).
    fn add(&mut self, later: Load) {
        self.times.extend(later.times);
        self.errors += later.errors;
        self.elapsed += later.elapsed;
        self.acked.extend(later.acked);
    }
}

/// Every session marks random students until `duration` is over: with a
/// pause of 0.5–1.5 s after each answer when `paced`, else back to back.
async fn load(
    client: &HttpClient,
    addr: SocketAddr,
    path: &'static str,
    sessions: &[String],
    students: &[i64],
    duration: Duration,
    paced: bool,
) -> Load {
    let students = Arc::new(students.to_vec());
    let began = Instant::now();
    let deadline = began + duration;
    let tasks = sessions.iter().enumerate().map(|(index, cookie)| {
        let client = client.clone();
        let cookie = cookie.clone();
        let students = students.clone();
        async move {
            // A small per-task generator: repeatable, no shared state.
            let mut seed =
                0x9E37_79B9_7F4A_7C15u64 ^ (index as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let mut times = Vec::new();
            let mut errors = 0;
            let mut acked = HashMap::new();
            if paced {
                // Staff do not all start in the same millisecond.
                tokio::time::sleep(Duration::from_millis(next() % 1000)).await;
            }
            while Instant::now() < deadline {
                let student = students[(next() % students.len() as u64) as usize];
                let level = LEVELS[(next() % 3) as usize];
                let body = format!("student_id={student}&level={level}");
                let began = Instant::now();
                let reply = client
                    .request(request(addr, "POST", path, &cookie, body))
                    .await;
                let ok = match reply {
                    Ok(reply) => {
                        let status = reply.status();
                        let drained = reply.into_body().collect().await.is_ok();
                        status == StatusCode::OK && drained
                    }
                    Err(_) => false,
                };
                times.push(began.elapsed());
                if ok {
                    acked.insert((index, student), level);
                } else {
                    errors += 1;
                }
                if paced {
                    tokio::time::sleep(Duration::from_millis(500 + next() % 1000)).await;
                }
            }
            (times, errors, acked)
        }
    });
    let results = futures_join(tasks).await;
    let elapsed = began.elapsed();
    let mut load = Load {
        times: Vec::new(),
        errors: 0,
        elapsed,
        acked: HashMap::new(),
    };
    for (times, errors, acked) in results {
        load.times.extend(times);
        load.errors += errors;
        load.acked.extend(acked);
    }
    load
}

/// Every acknowledged mark is the staff member's live mark now (each
/// session marks one at a time, so its last answer is the final state).
async fn verify(
    pool: &SqlitePool,
    emails: &[String],
    acked: &HashMap<(usize, i64), &'static str>,
) -> (usize, usize) {
    let live: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT u.email, c.student_id, c.level FROM connections c
         JOIN users u ON u.id = c.staff_id
         JOIN terms t ON t.id = c.term_id
         WHERE c.removed_at IS NULL AND t.starts_on <= date('now') AND t.ends_on >= date('now')",
    )
    .fetch_all(pool)
    .await
    .expect("live marks");
    let live: HashMap<(&str, i64), &str> = live
        .iter()
        .map(|(email, student, level)| ((email.as_str(), *student), level.as_str()))
        .collect();
    let mut lost = 0;
    for ((staff, student), level) in acked {
        let now = live.get(&(emails[*staff].as_str(), *student)).copied();
        let expected = (*level != "none").then_some(*level);
        if now != expected {
            lost += 1;
        }
    }
    (acked.len(), lost)
}

fn report(title: &str, times: &mut [Duration], target: &str) {
    times.sort();
    let at = |q: f64| {
        if times.is_empty() {
            return 0.0;
        }
        let index = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        times[index].as_secs_f64() * 1000.0
    };
    println!("{title}");
    println!(
        "  p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms  ({target})",
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0)
    );
}
