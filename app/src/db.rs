//! Opening the SQLite database the way a web server needs it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// The schema migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Why the database could not be opened, phrased for whoever started Tether.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("`{0}` is not a SQLite database URL; use the form sqlite://path/to/tether.db")]
    BadUrl(String),
    #[error("cannot create the folder {folder} for the database: {reason}")]
    Folder { folder: String, reason: String },
    #[error(
        "cannot open the database {path}: {reason} (check that the path exists and is writable)"
    )]
    Open { path: String, reason: String },
    #[error("cannot update the database schema of {path}: {reason}")]
    Migrate { path: String, reason: String },
}

/// Opens (creating if missing) the database at `url`, applies pending
/// migrations and returns the pool every request shares.
///
/// WAL lets readers go on while one writer commits; `synchronous=NORMAL` is
/// safe under WAL (a power cut can lose the last commits, never corrupt the
/// file) and much faster; the busy timeout makes concurrent writers queue
/// instead of failing with "database is locked".
pub async fn open(url: &str) -> Result<Db, OpenError> {
    let options = connect_options(url)?;
    let path = options.get_filename().display().to_string();
    if let Some(folder) = options.get_filename().parent() {
        if !folder.as_os_str().is_empty() && !folder.exists() {
            std::fs::create_dir_all(folder).map_err(|error| OpenError::Folder {
                folder: folder.display().to_string(),
                reason: error.to_string(),
            })?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|error| OpenError::Open {
            path: path.clone(),
            reason: describe(&error),
        })?;
    prepare(&pool).await.map_err(|error| OpenError::Migrate {
        path,
        reason: error.to_string(),
    })?;
    Ok(Db::new(pool))
}

/// Brings a database's schema up to date: Tether's migrations and the
/// session store's table.
pub async fn prepare(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    MIGRATOR.run(pool).await?;
    session_store(pool).migrate().await
}

/// Where signed-in sessions are kept: a table in the same database.
pub fn session_store(pool: &SqlitePool) -> tower_sessions_sqlx_store::SqliteStore {
    tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
}

/// Signed-in sessions as the server uses them: the table in the database,
/// with the sessions in use also kept in memory in front of it, so that a
/// request does not read its session from the database. Every write (sign
/// in, sign out, activity) goes to both; only the server writes sessions.
pub fn cached_session_store(
    pool: &SqlitePool,
) -> tower_sessions::CachingSessionStore<SessionCache, tower_sessions_sqlx_store::SqliteStore> {
    tower_sessions::CachingSessionStore::new(SessionCache::default(), session_store(pool))
}

/// Sessions kept in memory: at most [`SESSIONS_CACHED`]; expired ones are
/// dropped when met and whenever the cache is full.
#[derive(Clone, Debug, Default)]
pub struct SessionCache(
    std::sync::Arc<
        std::sync::Mutex<
            std::collections::HashMap<tower_sessions::session::Id, tower_sessions::session::Record>,
        >,
    >,
);

/// Far more than a school has people signed in at once.
pub const SESSIONS_CACHED: usize = 10_000;

impl SessionCache {
    fn sessions(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<tower_sessions::session::Id, tower_sessions::session::Record>,
    > {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many sessions are kept in memory.
    pub fn len(&self) -> usize {
        self.sessions().len()
    }

    /// True when no session is kept in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionCache {
    async fn create(
        &self,
        record: &mut tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        self.save(record).await
    }

    async fn save(
        &self,
        record: &tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        let mut sessions = self.sessions();
        if sessions.len() >= SESSIONS_CACHED && !sessions.contains_key(&record.id) {
            let now = time::OffsetDateTime::now_utc();
            sessions.retain(|_, kept| kept.expiry_date > now);
            if sessions.len() >= SESSIONS_CACHED {
                // Still full of live sessions: they are read again from
                // the database when next used.
                sessions.clear();
            }
        }
        sessions.insert(record.id, record.clone());
        Ok(())
    }

    async fn load(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<Option<tower_sessions::session::Record>> {
        let mut sessions = self.sessions();
        match sessions.get(id) {
            Some(kept) if kept.expiry_date > time::OffsetDateTime::now_utc() => {
                Ok(Some(kept.clone()))
            }
            Some(_) => {
                sessions.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<()> {
        self.sessions().remove(id);
        Ok(())
    }
}

/// The connection settings for `url`, with the server pragmas applied.
pub fn connect_options(url: &str) -> Result<SqliteConnectOptions, OpenError> {
    if !url.starts_with("sqlite:") {
        return Err(OpenError::BadUrl(url.to_string()));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| OpenError::BadUrl(url.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // The write-ahead log is copied back into the database (with a
        // flush to disk) after this many pages rather than SQLite's 1,000:
        // busy pages are copied once per checkpoint however often they
        // changed, so a staff meeting's marks cost far fewer writes. The log
        // file grows to about 32 MB.
        .pragma("wal_autocheckpoint", "8000");
    Ok(options)
}

/// True when the database answers a trivial query (used by `/healthz`).
pub async fn is_healthy(pool: &SqlitePool) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}

fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// Tether's database as every part of Tether uses it: the pool of
/// connections, and what this process keeps beside that one database — the
/// write turn, the queue of marks waiting to be written and the coverage
/// page's roster snapshots. `AppState` owns one; tests and benchmarks build
/// their own (`Db::from(pool)`). Clones share everything.
///
/// It reads and writes like the pool it holds (`&db` is an executor, and
/// `begin`, `acquire`… come through `Deref`), so queries take `&Db` or
/// `&SqlitePool` alike.
#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    kept: std::sync::Arc<Kept>,
}

/// What the process keeps for one database: the write turn, and each
/// feature's own state (one value per type, made on first use), so that
/// this module needs to know none of them.
#[derive(Default)]
struct Kept {
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    features: std::sync::Mutex<
        Vec<(
            std::any::TypeId,
            std::sync::Arc<dyn std::any::Any + Send + Sync>,
        )>,
    >,
}

impl Db {
    pub fn new(pool: SqlitePool) -> Db {
        Db {
            pool,
            kept: Default::default(),
        }
    }

    /// The pool of connections.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for this process's turn to write.
    ///
    /// SQLite lets one writer in at a time, and a connection that finds the
    /// database busy sleeps (1, 2, 5, 10 … ms) before trying again — under
    /// many people marking at once that wastes more time than the writes
    /// take. Frequent writers (marks, concerns, imports, take-ons) take
    /// their turn here first, so they queue in order inside the process
    /// instead of sleeping. The turn ends when the guard is dropped (after
    /// the transaction commits).
    pub async fn write_turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.kept.turn.clone().lock_owned().await
    }

    /// A feature's state for this database, made on first use: the queue
    /// of marks waiting to be written (`connections::db`), the coverage
    /// page's roster snapshots (`coverage::cache`).
    pub(crate) fn kept<T: std::any::Any + Default + Send + Sync>(&self) -> std::sync::Arc<T> {
        let id = std::any::TypeId::of::<T>();
        let mut features = self
            .kept
            .features
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let value = match features.iter().find(|(kept, _)| *kept == id) {
            Some((_, value)) => value.clone(),
            None => {
                let value: std::sync::Arc<dyn std::any::Any + Send + Sync> =
                    std::sync::Arc::new(T::default());
                features.push((id, value.clone()));
                value
            }
        };
        value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("kept by its type"))
    }
}

impl From<SqlitePool> for Db {
    fn from(pool: SqlitePool) -> Db {
        Db::new(pool)
    }
}

impl std::ops::Deref for Db {
    type Target = SqlitePool;

    fn deref(&self) -> &SqlitePool {
        &self.pool
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("pool", &self.pool).finish()
    }
}

/// `&db` runs queries as `&pool` does.
impl<'c> sqlx::Executor<'c> for &'c Db {
    type Database = sqlx::Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_core::stream::BoxStream<
        'e,
        Result<
            either::Either<sqlx::sqlite::SqliteQueryResult, sqlx::sqlite::SqliteRow>,
            sqlx::Error,
        >,
    >
    where
        'c: 'e,
        E: 'q + sqlx::Execute<'q, sqlx::Sqlite>,
    {
        self.pool.fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_core::future::BoxFuture<'e, Result<Option<sqlx::sqlite::SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + sqlx::Execute<'q, sqlx::Sqlite>,
    {
        self.pool.fetch_optional(query)
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [sqlx::sqlite::SqliteTypeInfo],
    ) -> futures_core::future::BoxFuture<'e, Result<sqlx::sqlite::SqliteStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> futures_core::future::BoxFuture<'e, Result<sqlx::Describe<sqlx::Sqlite>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.describe(sql)
    }
}
