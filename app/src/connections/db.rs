//! Database functions for connections. The callers (server functions) check
//! who may mark and that the term is the current one; these functions keep
//! the history straight.

use sqlx::SqlitePool;

use super::Level;
use crate::db::Db;
use crate::AppError;

/// One mark: who, whom, which term.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    pub school_id: i64,
    pub term_id: i64,
    pub staff_id: i64,
    pub student_id: i64,
}

/// Who marks: the signed-in person and the school they act for.
#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub user_id: i64,
    pub school_id: i64,
    /// The session's generation, when the mark's write is to check it
    /// (`None`: the caller has looked the member up already).
    pub epoch: Option<i64>,
}

impl From<&crate::accounts::Member> for Marker {
    fn from(member: &crate::accounts::Member) -> Self {
        Marker {
            user_id: member.user_id,
            school_id: member.school_id,
            epoch: None,
        }
    }
}

/// The marking page's progress line for staff member `staff` at school
/// `school` in term `term` (SQL expressions), every figure kept by triggers
/// (migrations 0003 and 0009): marked, strong, connected, active.
pub fn progress_columns(school: &str, staff: &str, term: &str) -> String {
    format!(
        "(SELECT marked FROM staff_term_marks WHERE term_id = {term} AND staff_id = {staff}),
         (SELECT strong FROM staff_term_marks WHERE term_id = {term} AND staff_id = {staff}),
         (SELECT connected FROM term_coverage WHERE term_id = {term}),
         (SELECT active FROM school_students WHERE school_id = {school})"
    )
}

/// Parameters of one mark in a batch.
const MARK_PARAMETERS: usize = 7;

/// One mark, its parameters numbered from `$first`: the write (migration
/// 0009: the checks, closing a different live mark, making the new one),
/// then one row that says whether it was allowed and answers it: member
/// active, student active, the term, the student's strong count and the
/// progress line.
fn mark_sql(first: usize) -> String {
    let [school, today, staff, student, level, now, epoch] =
        std::array::from_fn::<_, MARK_PARAMETERS, _>(|i| format!("${}", first + i));
    let current = crate::terms::db::current_sql(&school, &today);
    let term = format!("(SELECT id {current})");
    let progress = progress_columns(&school, &staff, "t.id");
    let epoch_or_current =
        format!("COALESCE({epoch}, (SELECT session_epoch FROM users WHERE id = {staff}))");
    format!(
        "INSERT INTO mark_requests (school_id, term_id, staff_id, student_id, level, at, session_epoch)
         VALUES ({school}, {term}, {staff}, {student}, {level}, {now}, {epoch_or_current});
         SELECT
            EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.user_id = {staff} AND m.school_id = {school}
                      AND m.is_active = 1 AND u.is_active = 1
                      AND u.session_epoch = {epoch_or_current}),
            EXISTS (SELECT 1 FROM students
                    WHERE id = {student} AND school_id = {school} AND is_active = 1),
            t.id,
            (SELECT COUNT(*) FROM connections x INDEXED BY connections_live_by_student
             WHERE x.term_id = t.id AND x.student_id = {student}
               AND x.level = 'strong' AND x.removed_at IS NULL),
            {progress}
         FROM (SELECT 1) LEFT JOIN (SELECT id {current}) t ON 1;"
    )
}

/// The answer row of one mark.
type MarkRow = (
    bool,
    bool,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// A mark waiting for its batch.
struct Pending {
    marker: Marker,
    student_id: i64,
    level: Option<Level>,
    now: i64,
    today: String,
    answer: tokio::sync::oneshot::Sender<Result<(i64, super::Progress), AppError>>,
}

/// At most this many marks are written in one transaction.
const BATCH_MAX: usize = 100;

/// Marks waiting to be written to one database (kept by its [`Db`]), and
/// whether a writer is at work on them.
#[derive(Default)]
struct Waiting {
    marks: Vec<Pending>,
    writing: bool,
}

/// The queue of marks of one database, kept by its [`Db`].
#[derive(Default)]
pub struct MarkQueue(std::sync::Mutex<Waiting>);

fn lock(queue: &MarkQueue) -> std::sync::MutexGuard<'_, Waiting> {
    queue
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The writer's duty on a queue, made before the writer is spawned. Should
/// the writer stop other than by finding the queue empty (a panic, its task
/// dropped as the runtime shuts down, or never run at all), the queue is
/// not left with a writer "at work" that is not: the marks still waiting
/// are answered with an error (the browser sends them again) and the next
/// mark starts a new writer.
struct WriterOnDuty {
    db: Db,
    queue: std::sync::Arc<MarkQueue>,
    finished: bool,
}

impl Drop for WriterOnDuty {
    fn drop(&mut self) {
        if !self.finished {
            let mut waiting = lock(&self.queue);
            waiting.writing = false;
            waiting.marks.clear();
        }
    }
}

/// The writer of a queue: while marks wait, takes the write turn, writes
/// up to [`BATCH_MAX`] of them in one transaction, answers each and gives
/// the turn back (so an import can interleave); stops when none is left.
async fn write_waiting(mut duty: WriterOnDuty) {
    loop {
        let turn = duty.db.write_turn().await;
        let batch: Option<Vec<Pending>> = {
            let mut waiting = lock(&duty.queue);
            let n = waiting.marks.len().min(BATCH_MAX);
            if n == 0 {
                waiting.writing = false;
                None
            } else {
                Some(waiting.marks.drain(..n).collect())
            }
        };
        let Some(batch) = batch else {
            // No await since `writing` was cleared: no other writer can
            // have started yet.
            duty.finished = true;
            return;
        };
        write_and_answer(duty.db.pool(), batch).await;
        drop(turn);
    }
}

/// The query of a batch of `n` marks, built once per size.
fn batch_sql(n: usize) -> &'static str {
    static SQL: std::sync::LazyLock<Vec<std::sync::OnceLock<String>>> =
        std::sync::LazyLock::new(|| {
            (0..=BATCH_MAX)
                .map(|_| std::sync::OnceLock::new())
                .collect()
        });
    SQL[n.min(BATCH_MAX)].get_or_init(|| {
        let marks: String = (0..n).map(|i| mark_sql(i * MARK_PARAMETERS + 1)).collect();
        format!("BEGIN IMMEDIATE; {marks} COMMIT;")
    })
}

/// Writes `batch` in one transaction and one round trip to the database.
async fn write(pool: &SqlitePool, batch: &[Pending]) -> Result<Vec<MarkRow>, sqlx::Error> {
    // The transaction is part of the one query, so the batch costs one
    // round trip to the database's thread (each round trip waits for the
    // async runtime, busy with everyone's requests, while the turn is held).
    let mut query = sqlx::query_as::<_, MarkRow>(batch_sql(batch.len()));
    for mark in batch {
        query = query
            .bind(mark.marker.school_id)
            .bind(&mark.today)
            .bind(mark.marker.user_id)
            .bind(mark.student_id)
            .bind(mark.level.map(Level::as_str))
            .bind(mark.now)
            .bind(mark.marker.epoch);
    }
    let mut connection = pool.acquire().await?;
    match query.fetch_all(&mut *connection).await {
        Ok(rows) if rows.len() == batch.len() => Ok(rows),
        Ok(rows) => Err(sqlx::Error::Protocol(format!(
            "{} answers to {} marks",
            rows.len(),
            batch.len()
        ))),
        Err(error) => {
            // Whatever failed, nothing of the batch stays, and no open
            // transaction goes back to the pool: it is rolled back, and the
            // connection is closed rather than reused (errors are rare).
            let _ = sqlx::query("ROLLBACK").execute(&mut *connection).await;
            connection.close_on_drop();
            Err(error)
        }
    }
}

/// What a mark's answer row means.
fn answer(row: MarkRow) -> Result<(i64, super::Progress), AppError> {
    let (member, student, term, strong, marked, mine_strong, connected, active) = row;
    let [marked, mine_strong, connected, active] =
        [marked, mine_strong, connected, active].map(|n| n.unwrap_or(0));
    if !member {
        return Err(AppError::Unauthorized);
    }
    if !student {
        return Err(AppError::NotFound);
    }
    if term.is_none() {
        return Err(AppError::Invalid(super::marking::NO_TERM.into()));
    }
    Ok((
        strong,
        super::Progress {
            marked,
            strong: mine_strong,
            connected,
            active,
        },
    ))
}

/// Writes a batch and answers each of its marks. Should the batch fail as
/// a whole, each mark is tried alone, so one cannot fail the others.
async fn write_and_answer(pool: &SqlitePool, batch: Vec<Pending>) {
    let began = std::time::Instant::now();
    let written = write(pool, &batch).await;
    // RUST_LOG=app::connections::db=debug shows the batches.
    tracing::debug!(
        marks = batch.len(),
        micros = began.elapsed().as_micros() as u64,
        "mark batch"
    );
    match written {
        Ok(rows) => {
            for (mark, row) in batch.into_iter().zip(rows) {
                let _ = mark.answer.send(answer(row));
            }
        }
        Err(error) if batch.len() == 1 => {
            if let Some(mark) = batch.into_iter().next() {
                let _ = mark.answer.send(Err(error.into()));
            }
        }
        Err(_) => {
            for mark in batch {
                let outcome = write(pool, std::slice::from_ref(&mark)).await;
                let _ = mark.answer.send(match outcome {
                    Ok(mut rows) => answer(rows.remove(0)),
                    Err(error) => Err(error.into()),
                });
            }
        }
    }
}

/// Sets `marker`'s mark on a student in the school's current term on
/// `today` to `level` (`None` removes it), and answers with the student's
/// strong connections and the marker's progress line.
///
/// A different live mark is closed (`removed_at = now`) and a new row made;
/// the same mark again changes nothing, so a retried request is harmless.
/// `Unauthorized` when the account or membership is no longer active,
/// `NotFound` when the student is not an active student of the school.
///
/// Group commit: the mark joins its database's queue, and the queue's
/// writer (started by the first mark to find none at work) writes every
/// mark waiting, up to [`BATCH_MAX`] at a time, in one transaction and
/// answers each. Requests never queue for the write turn themselves, so
/// one batch follows the other without waiting for hundreds of answered
/// requests to pass the turn along. When the whole school marks at once,
/// many marks share a round trip and a commit; alone, a mark is written at
/// once. A mark is answered only after its commit.
pub async fn set(
    db: &Db,
    marker: Marker,
    student_id: i64,
    level: Option<Level>,
    now: i64,
    today: &str,
) -> Result<(i64, super::Progress), AppError> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let queue = db.kept::<MarkQueue>();
    let start_writer = {
        let mut waiting = lock(&queue);
        waiting.marks.push(Pending {
            marker,
            student_id,
            level,
            now,
            today: today.to_string(),
            answer: sender,
        });
        !std::mem::replace(&mut waiting.writing, true)
    };
    if start_writer {
        // On its own task: a batch is finished and answered even if this
        // request is dropped half-way (its browser went away).
        let duty = WriterOnDuty {
            db: db.clone(),
            queue,
            finished: false,
        };
        tokio::spawn(write_waiting(duty));
    }
    receiver.await.unwrap_or(Err(AppError::Database))
}

/// The staff member's live mark on the student in the term, if any.
pub async fn current(pool: &SqlitePool, mark: Mark) -> Result<Option<Level>, AppError> {
    let level: Option<String> = sqlx::query_scalar(
        "SELECT level FROM connections
         WHERE term_id = $1 AND staff_id = $2 AND student_id = $3 AND school_id = $4 AND removed_at IS NULL",
    )
    .bind(mark.term_id)
    .bind(mark.staff_id)
    .bind(mark.student_id)
    .bind(mark.school_id)
    .fetch_optional(pool)
    .await?;
    Ok(level.as_deref().and_then(Level::parse))
}

/// How many adults have a strong connection with the student in the term,
/// as of `at` (so past dates can be recomputed from the history).
pub async fn strong_count_at(
    pool: &SqlitePool,
    term_id: i64,
    student_id: i64,
    at: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM connections
         WHERE term_id = $1 AND student_id = $2 AND level = 'strong'
           AND made_at <= $3 AND (removed_at IS NULL OR removed_at > $3)",
    )
    .bind(term_id)
    .bind(student_id)
    .bind(at)
    .fetch_one(pool)
    .await?)
}
