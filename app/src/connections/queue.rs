//! The browser's queue of marks: a mark shows on screen at once and is sent
//! in the background, one request at a time, in the order made. A mark that
//! cannot be sent (network down, server restarting, session ended) stays in
//! the queue — and in the browser's local storage, so closing the tab does
//! not lose it — and is sent again with growing pauses, and at once when the
//! browser reports the network back. Only a refusal by the server (the
//! student left the school, no open term) drops a mark, with its reason
//! shown on the row.
//!
//! On the server the queue exists but is never used: nothing here runs
//! until someone clicks.

use std::collections::HashMap;

use leptos::prelude::*;

use super::{choice_str, parse_choice, save_mark, Level, Progress, StudentRow};
use crate::AppError;

/// The state of a row's mark, shown next to its buttons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    Saving,
    Saved,
    /// Kept and to be sent again; the text says why it is waiting.
    Waiting(String),
    /// Refused by the server; the text is its reason.
    Failed(String),
}

/// What the queue needs to update a row on screen.
#[derive(Clone, Copy)]
pub struct RowSignals {
    pub name: StoredValue<String>,
    pub level: RwSignal<Option<Level>>,
    pub strong: RwSignal<i64>,
    pub status: RwSignal<Status>,
}

impl RowSignals {
    pub fn new(row: &StudentRow, just_saved: bool) -> Self {
        RowSignals {
            name: StoredValue::new(row.name.clone()),
            level: RwSignal::new(row.mine),
            strong: RwSignal::new(row.strong),
            status: RwSignal::new(if just_saved {
                Status::Saved
            } else {
                Status::Idle
            }),
        }
    }

    /// Shows `choice` at once, keeping the student's count in step.
    fn show(&self, choice: Option<Level>, status: Status) {
        if let Some(before) = self.level.try_get_untracked() {
            let was = before == Some(Level::Strong);
            let is = choice == Some(Level::Strong);
            if was != is {
                self.strong
                    .try_update(|n| *n = (*n + if is { 1 } else { -1 }).max(0));
            }
        }
        self.level.try_set(choice);
        self.status.try_set(status);
    }
}

const LONGEST_PAUSE_MS: u64 = 15_000;

#[derive(Clone, Copy)]
pub struct Queue {
    /// Local-storage key for this person at this school; empty until the
    /// page has started the queue in the browser.
    key: StoredValue<String>,
    /// Marks not yet acknowledged, oldest first, at most one per student.
    pending: StoredValue<Vec<(i64, Option<Level>)>>,
    rows: StoredValue<HashMap<i64, RowSignals>>,
    progress: StoredValue<Option<RwSignal<Progress>>>,
    announcement: RwSignal<String>,
    sending: StoredValue<bool>,
    pause_ms: StoredValue<u64>,
    listening: StoredValue<bool>,
}

impl Queue {
    /// Makes the page's queue and offers it to the page's components.
    pub fn provide() -> Queue {
        let queue = Queue {
            key: StoredValue::new(String::new()),
            pending: StoredValue::new(Vec::new()),
            rows: StoredValue::new(HashMap::new()),
            progress: StoredValue::new(None),
            announcement: RwSignal::new(String::new()),
            sending: StoredValue::new(false),
            pause_ms: StoredValue::new(0),
            listening: StoredValue::new(false),
        };
        provide_context(queue);
        queue
    }

    pub fn announcement(&self) -> String {
        self.announcement.get()
    }

    pub fn announce(&self, text: String) {
        self.announcement.try_set(text);
    }

    pub fn show_progress(&self, progress: RwSignal<Progress>) {
        self.progress.try_set_value(Some(progress));
    }

    /// A row on screen; if a mark for its student is still queued, the row
    /// shows that mark rather than the server's.
    pub fn register(&self, student_id: i64, row: RowSignals) {
        self.rows
            .try_update_value(|rows| rows.insert(student_id, row));
        if let Some(choice) = self.queued(student_id) {
            row.show(
                choice,
                Status::Waiting("Not saved yet — will be sent".into()),
            );
        }
    }

    fn queued(&self, student_id: i64) -> Option<Option<Level>> {
        self.pending
            .try_with_value(|p| p.iter().find(|(id, _)| *id == student_id).map(|(_, c)| *c))
            .flatten()
    }

    fn row(&self, student_id: i64) -> Option<RowSignals> {
        self.rows
            .try_with_value(|rows| rows.get(&student_id).copied())
            .flatten()
    }

    /// In the browser, once the page is shown: picks up marks an earlier
    /// visit could not send and listens for the network coming back.
    pub fn start(&self, key: String) {
        self.key.try_set_value(key);
        let stored = self.load();
        if !stored.is_empty() {
            self.pending.try_update_value(|pending| {
                for (id, choice) in stored {
                    if !pending.iter().any(|(p, _)| *p == id) {
                        pending.push((id, choice));
                    }
                }
            });
            let queued = self.pending.try_get_value().unwrap_or_default();
            for (id, choice) in &queued {
                if let Some(row) = self.row(*id) {
                    row.show(
                        *choice,
                        Status::Waiting("Not saved yet — sending now".into()),
                    );
                }
            }
            self.announce(match queued.len() {
                1 => "1 unsent mark from earlier is being sent now.".to_string(),
                n => format!("{n} unsent marks from earlier are being sent now."),
            });
        }
        if self.listening.try_get_value() == Some(false) {
            self.listening.try_set_value(true);
            let queue = *self;
            let handle = window_event_listener(leptos::ev::online, move |_| {
                queue.pause_ms.try_set_value(0);
                queue.kick();
            });
            on_cleanup(move || handle.remove());
        }
        self.kick();
    }

    /// The person chose `choice` for a student.
    pub fn mark(&self, student_id: i64, choice: Option<Level>) {
        let row = self.row(student_id);
        if let Some(row) = row {
            let same = row.level.try_get_untracked() == Some(choice);
            let settled = matches!(
                row.status.try_get_untracked(),
                Some(Status::Idle | Status::Saved)
            );
            if same && settled && self.queued(student_id).is_none() {
                let name = row.name.try_get_value().unwrap_or_default();
                self.announce(format!("{name}: {} already.", describe(choice)));
                return;
            }
            row.show(choice, Status::Saving);
            let name = row.name.try_get_value().unwrap_or_default();
            self.announce(format!("{name}: {}. Saving.", describe(choice)));
        }
        self.pending.try_update_value(|pending| {
            pending.retain(|(id, _)| *id != student_id);
            pending.push((student_id, choice));
        });
        self.save();
        self.kick();
    }

    /// Starts sending unless a send is under way.
    fn kick(&self) {
        if self.sending.try_get_value() != Some(false) {
            return;
        }
        self.sending.try_set_value(true);
        let queue = *self;
        leptos::task::spawn_local(async move { queue.drain().await });
    }

    async fn drain(self) {
        while let Some((student_id, choice)) = self
            .pending
            .try_with_value(|p| p.first().copied())
            .flatten()
        {
            let result = save_mark(student_id, choice_str(choice).to_string()).await;
            match result {
                Ok(saved) => {
                    self.pause_ms.try_set_value(0);
                    self.pending.try_update_value(|pending| {
                        if let Some(at) = pending.iter().position(|e| *e == (student_id, choice)) {
                            pending.remove(at);
                        }
                    });
                    self.save();
                    if let Some(Some(progress)) = self.progress.try_get_value() {
                        progress.try_set(saved.progress);
                    }
                    // A newer mark for the student may be queued: leave
                    // the row showing that one.
                    if let (Some(row), None) = (self.row(student_id), self.queued(student_id)) {
                        row.strong.try_set(saved.strong);
                        row.status.try_set(Status::Saved);
                        let name = row.name.try_get_value().unwrap_or_default();
                        self.announce(format!("{name}: {}. Saved.", describe(choice)));
                    }
                }
                Err(error) if can_retry(&error) => {
                    let why = match error {
                        AppError::Unauthorized => "Not saved yet: you are signed out. Sign in again in another tab; this mark is kept and will be sent.",
                        _ => "Not saved yet: can't reach Tether. Kept — it will be sent when the connection is back.",
                    };
                    let queued = self.pending.try_get_value().unwrap_or_default();
                    for (id, _) in &queued {
                        if let Some(row) = self.row(*id) {
                            row.status.try_set(Status::Waiting(why.to_string()));
                        }
                    }
                    if self.pause_ms.try_get_value() == Some(0) {
                        let marks = if queued.len() == 1 { "mark" } else { "marks" };
                        self.announce(format!("{} {marks} not saved yet. {why}", queued.len()));
                    }
                    let pause = self
                        .pause_ms
                        .try_get_value()
                        .unwrap_or(0)
                        .saturating_mul(2)
                        .clamp(1_000, LONGEST_PAUSE_MS);
                    self.pause_ms.try_set_value(pause);
                    self.sending.try_set_value(false);
                    let queue = self;
                    set_timeout(
                        move || queue.kick(),
                        std::time::Duration::from_millis(pause),
                    );
                    return;
                }
                Err(error) => {
                    self.pending.try_update_value(|pending| {
                        pending.retain(|e| *e != (student_id, choice));
                    });
                    self.save();
                    if let Some(row) = self.row(student_id) {
                        row.status
                            .try_set(Status::Failed(format!("Not saved: {error}")));
                        let name = row.name.try_get_value().unwrap_or_default();
                        self.announce(format!("{name}: mark not saved. {error}"));
                    }
                }
            }
        }
        self.sending.try_set_value(false);
    }

    /// Keeps the unsent marks in local storage (browser only).
    fn save(&self) {
        let key = self.key.try_get_value().unwrap_or_default();
        if key.is_empty() {
            return;
        }
        let text = self
            .pending
            .try_with_value(|pending| {
                pending
                    .iter()
                    .map(|(id, choice)| format!("{id}:{}", choice_str(*choice)))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        if let Some(storage) = storage() {
            let _ = if text.is_empty() {
                storage.remove_item(&key)
            } else {
                storage.set_item(&key, &text)
            };
        }
    }

    fn load(&self) -> Vec<(i64, Option<Level>)> {
        let key = self.key.try_get_value().unwrap_or_default();
        let Some(text) = storage().and_then(|s| s.get_item(&key).ok().flatten()) else {
            return Vec::new();
        };
        text.split(',')
            .filter_map(|entry| {
                let (id, choice) = entry.split_once(':')?;
                Some((id.parse().ok()?, parse_choice(choice)?))
            })
            .collect()
    }
}

fn storage() -> Option<leptos::web_sys::Storage> {
    leptos::web_sys::window()?.local_storage().ok().flatten()
}

/// Errors after which the same mark is worth sending again.
fn can_retry(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Unreachable | AppError::Database | AppError::Internal | AppError::Unauthorized
    )
}

fn describe(choice: Option<Level>) -> String {
    match choice {
        Some(level) => level.label().to_lowercase(),
        None => "no mark".into(),
    }
}
