//! The `tether` command line. Every flag can also be set by an environment
//! variable (shown in `--help`), which is how a service manager configures it.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use app::accounts::throttle::Throttle;
use app::accounts::Role;
use app::audit::db::{record, Event};
use app::demo::{DemoOptions, DemoSummary};
use app::state::AppState;
use clap::{Args, Parser, Subcommand};
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;

#[derive(Debug, Parser)]
#[command(
    name = "tether",
    version,
    about = "Tether: make sure every student at school has at least one adult they trust."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (creates and migrates the database if needed).
    Serve(ServeArgs),
    /// Generate a demo school (invented people) into an empty database.
    Demo(DemoArgs),
    /// Manage accounts from the server's command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import a student roster CSV (for nightly automation): prints what
    /// changes, then applies it all at once unless --dry-run.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The school to import into: its name or its number.
    #[arg(long)]
    pub school: String,
    /// The roster file: a student CSV, or a OneRoster or Clever zip.
    pub file: PathBuf,
    /// In a district package: which school of the file is this one (its
    /// name or id in the file).
    #[arg(long)]
    pub source_school: Option<String>,
    /// Show what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The file is the whole roster: students not in it become inactive
    /// (the default).
    #[arg(long, conflicts_with = "add_only")]
    pub full: bool,
    /// Only add and update students; deactivate nobody.
    #[arg(long)]
    pub add_only: bool,
    /// Apply even if more than 10 % of active students would be
    /// deactivated (otherwise such an import stops, changing nothing).
    #[arg(long)]
    pub allow_mass_deactivation: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin (and the school, if new). The password is read from
    /// standard input or asked for, never taken from the command line.
    Create(AdminCreateArgs),
    /// Print a one-time link that lets a person set a new password: for
    /// someone who works at several schools (no school's admin may reset
    /// such an account) or who has no admin left to ask.
    Link(AdminLinkArgs),
}

#[derive(Debug, Args)]
pub struct AdminLinkArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The person's email.
    #[arg(long)]
    pub email: String,
    /// The address people use to reach Tether, to print the whole link.
    #[arg(
        long,
        env = "TETHER_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The admin's email, used to sign in.
    #[arg(long)]
    pub email: String,
    /// The admin's name as colleagues know it.
    #[arg(long)]
    pub name: String,
    /// The school's name; created if no school has it yet.
    #[arg(long)]
    pub school: String,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Where the data lives: a SQLite file, created if missing.
    #[arg(
        long,
        env = "TETHER_DATABASE_URL",
        default_value = "sqlite://data/tether.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Keep 127.0.0.1 behind a reverse proxy.
    #[arg(long, env = "TETHER_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Load the demo school first if the database is empty.
    #[arg(long, env = "TETHER_DEMO")]
    pub demo: bool,
    /// Folder with the built browser files (pkg/tether.js, .wasm, .css).
    #[arg(long, env = "TETHER_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Send session cookies without `Secure`, for plain-http use on this
    /// machine only (demo, tests). Behind HTTPS, leave it off.
    #[arg(long, env = "TETHER_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// The address of a reverse proxy in front of Tether (repeat for
    /// several). Only its `X-Forwarded-For` header is believed, so that
    /// sign-in limits count each visitor's own address, not the proxy's.
    #[arg(long, env = "TETHER_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Number of students.
    #[arg(long, env = "TETHER_DEMO_STUDENTS", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    pub students: u32,
    /// Number of staff (at least 3: an admin, a counselor and a teacher).
    #[arg(long, env = "TETHER_DEMO_STAFF", default_value_t = 40, value_parser = clap::value_parser!(u32).range(3..=20_000))]
    pub staff: u32,
    /// Seed: the same seed gives the same school.
    #[arg(long, env = "TETHER_DEMO_SEED", default_value_t = 1)]
    pub seed: u64,
    /// Grades K–8 instead of 9–12.
    #[arg(long, env = "TETHER_DEMO_K8")]
    pub k8: bool,
    /// The demo's "today" (YYYY-MM-DD); defaults to the real today.
    #[arg(long, env = "TETHER_DEMO_TODAY", value_parser = parse_day)]
    pub today: Option<time::Date>,
}

fn parse_day(text: &str) -> Result<time::Date, String> {
    app::clock::parse_day(text)
        .ok_or_else(|| format!("`{text}` is not a date of the form YYYY-MM-DD"))
}

/// A failure the person running `tether` can act on, printed as one line.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<app::db::OpenError> for Failure {
    fn from(error: app::db::OpenError) -> Self {
        Failure(error.to_string())
    }
}

impl From<app::AppError> for Failure {
    fn from(error: app::AppError) -> Self {
        Failure(error.to_string())
    }
}

pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Demo(args) => demo(args).await,
        Command::Admin(AdminCommand::Create(args)) => admin_create(args).await,
        Command::Admin(AdminCommand::Link(args)) => admin_link(args).await,
        Command::Import(args) => import(args).await,
    }
}

async fn import(args: ImportArgs) -> Result<(), Failure> {
    use app::roster::{db, parse, Mode};
    let pool = app::db::open(&args.database.database_url).await?;
    let school = match args.school.trim().parse::<i64>() {
        Ok(id) => app::schools::db::school(&pool, id).await.ok(),
        Err(_) => app::schools::db::find_by_name(&pool, &args.school).await?,
    }
    .ok_or_else(|| {
        Failure(format!(
            "no school called or numbered `{}` in this database",
            args.school
        ))
    })?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.display().to_string());
    let bytes = std::fs::read(&args.file)
        .map_err(|error| Failure(format!("cannot read {}: {error}", args.file.display())))?;
    let mapping = db::mapping(&pool, school.id).await?;
    let parsed = parse::roster(&file_name, &bytes, &mapping, args.source_school.as_deref())
        .map_err(|problem| match problem {
            parse::Problem::ChooseSchool { .. } => Failure(format!(
                "{file_name}: {problem} Pass --source-school NAME|ID."
            )),
            problem => Failure(format!("{file_name} was rejected: {problem}")),
        })?;
    let mode = if args.add_only {
        Mode::AddOnly
    } else {
        Mode::Full
    };
    let preview = db::preview(&pool, school.id, &parsed, mode, &file_name).await?;
    print!("{}", app::roster::preview_text(&preview, &school.name));
    if args.dry_run {
        println!("Dry run: nothing was changed.");
        return Ok(());
    }
    if preview.needs_extra_confirmation() && !args.allow_mass_deactivation {
        return Err(Failure(format!(
            "not imported: this would deactivate {} of {} active students (more than 10 %); check the file, or pass --allow-mass-deactivation (or --add-only)",
            preview.deactivated.len(),
            preview.active_before
        )));
    }
    let now = app::clock::now();
    let done = db::apply(
        &pool,
        school.id,
        &parsed,
        mode,
        &file_name,
        db::Importer { user_id: None },
        now,
    )
    .await?;
    let event = Event {
        school_id: Some(school.id),
        action: "roster.imported",
        detail: Some(format!("{file_name} (command line): {}", done.counts())),
        ..Event::default()
    };
    record(&pool, event, now).await?;
    println!("Imported: {}.", done.counts());
    pool.close().await;
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<(), Failure> {
    // Bind first: a port in use is the most common start-up mistake, and
    // it should not leave a half-initialised database behind.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|error| Failure(describe_bind_error(args.addr, &error)))?;
    let pool = app::db::open(&args.database.database_url).await?;
    if args.demo {
        load_demo_if_empty(&pool).await?;
    }
    let pkg = args.site_root.join("pkg");
    if !pkg.join("tether.js").exists() {
        eprintln!(
            "warning: no browser files in {} (build them with `cargo leptos build`); pages will work without styles or scripts",
            pkg.display()
        );
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("tether")
        .site_root(args.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let state = AppState {
        leptos_options,
        db: pool.clone(),
        throttle: Arc::new(Throttle::new()),
        secure_cookies: !args.insecure_cookies,
        trusted_proxies: args.trusted_proxy.clone(),
    };
    let router = crate::routes::router(state);
    tokio::spawn(delete_expired_sessions(pool.pool().clone()));
    println!(
        "Tether is running at http://{}/ (press Ctrl-C to stop)",
        args.addr
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|error| Failure(format!("the server stopped: {error}")))?;
    // Let SQLite fold the write-ahead log back into the database file.
    pool.close().await;
    Ok(())
}

/// Expired sessions are deleted from the database, not merely ignored.
async fn delete_expired_sessions(pool: SqlitePool) {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = app::db::session_store(&pool);
    loop {
        if let Err(error) = store.delete_expired().await {
            tracing::warn!(%error, "could not delete expired sessions");
        }
        tokio::time::sleep(std::time::Duration::from_secs(15 * 60)).await;
    }
}

async fn load_demo_if_empty(pool: &SqlitePool) -> Result<(), Failure> {
    if app::schools::db::count(pool).await? > 0 {
        println!("The database already has a school; not loading the demo school.");
        return Ok(());
    }
    let summary = app::demo::generate(pool, &DemoOptions::default()).await?;
    print_summary(&summary);
    Ok(())
}

async fn demo(args: DemoArgs) -> Result<(), Failure> {
    let pool = app::db::open(&args.database.database_url).await?;
    let options = DemoOptions {
        students: args.students,
        staff: args.staff,
        seed: args.seed,
        k8: args.k8,
        today: args.today.unwrap_or_else(app::clock::today),
    };
    let started = std::time::Instant::now();
    let summary = app::demo::generate(&pool, &options).await?;
    pool.close().await;
    print_summary(&summary);
    println!("Generated in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn admin_link(args: AdminLinkArgs) -> Result<(), Failure> {
    let pool = app::db::open(&args.database.database_url).await?;
    let email = args.email.trim().to_lowercase();
    let school: Option<(i64, i64)> = app::accounts::db::first_school_of(&pool, &email).await?;
    let Some((user_id, school_id)) = school else {
        return Err(Failure(format!(
            "no account with the email {email} belongs to a school"
        )));
    };
    let now = app::clock::now();
    let token = app::staff::db::issue_link(&pool, school_id, user_id, None, now).await?;
    let event = Event {
        school_id: None,
        user_id: None,
        action: "link.issued",
        subject: Some(format!("user:{user_id}")),
        detail: Some("by the server's operator, from the command line".into()),
        client_addr: None,
    };
    app::audit::db::record_for_account(&pool, Some(user_id), event, now).await?;
    pool.close().await;
    println!(
        "{}/welcome/{token}\nGive this link to {email} in person. It works once, within 72 hours, and sets a new password.",
        args.public_url.trim_end_matches('/')
    );
    Ok(())
}

async fn admin_create(args: AdminCreateArgs) -> Result<(), Failure> {
    let email = args.email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(Failure(format!("`{}` is not an email address", args.email)));
    }
    if args.name.trim().is_empty() || args.school.trim().is_empty() {
        return Err(Failure("--name and --school must not be empty".into()));
    }
    let password = read_password()?;
    app::accounts::password::check_new(&password, &email, &args.name)?;
    let hash = app::accounts::password::hash(password).await?;
    let pool = app::db::open(&args.database.database_url).await?;
    let now = app::clock::now();
    let school = match app::schools::db::find_by_name(&pool, &args.school).await? {
        Some(school) => school,
        None => app::schools::db::create(&pool, &args.school, now).await?,
    };
    let user_id = app::accounts::db::upsert_member(
        &pool,
        &email,
        &args.name,
        Some(&hash),
        school.id,
        Role::Admin,
        now,
    )
    .await?;
    let event = Event {
        school_id: Some(school.id),
        user_id: None,
        action: "account.admin_created",
        subject: Some(format!("user:{user_id}")),
        detail: Some("from the command line".into()),
        client_addr: None,
    };
    record(&pool, event, now).await?;
    pool.close().await;
    println!(
        "{email} is now an admin of \"{}\". Sign in at /login.",
        school.name
    );
    Ok(())
}

/// The new password: from standard input when it is piped in (automation),
/// otherwise asked for twice without echoing.
fn read_password() -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|error| {
                Failure(format!(
                    "cannot read the password from standard input: {error}"
                ))
            })?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password (at least 10 characters): ")
        .map_err(|error| Failure(format!("cannot read the password: {error}")))?;
    let second = rpassword::prompt_password("Same password again: ")
        .map_err(|error| Failure(format!("cannot read the password: {error}")))?;
    if first != second {
        return Err(Failure(
            "the two passwords differ; nothing was changed".into(),
        ));
    }
    Ok(first)
}

fn print_summary(summary: &DemoSummary) {
    println!(
        "Loaded the demo school \"{}\": {} active students, {} staff, {} classes, {} strong and {} \"knows\" marks, {} concerns; {} students have no strong connection yet.",
        summary.school_name,
        summary.students,
        summary.staff,
        summary.classes,
        summary.strong_marks,
        summary.knows_marks,
        summary.concerns,
        summary.unconnected
    );
}

fn describe_bind_error(addr: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "cannot listen on {addr}: the address is already in use (is Tether already running? choose another with --addr)"
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "cannot listen on {addr}: permission denied (ports below 1024 need privileges; use a higher port behind a reverse proxy)"
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("cannot listen on {addr}: this machine has no such address")
        }
        _ => format!("cannot listen on {addr}: {error}"),
    }
}

/// Resolves on Ctrl-C or SIGTERM, so requests in flight finish first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
