//! Terms: the periods a school maps connections in (usually a semester or a
//! school year). Marking always goes to the current term: the one an admin
//! pinned, otherwise the one containing today. Past terms are read-only.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod routes;
mod server;
mod views;

use serde::{Deserialize, Serialize};

pub use server::*;
pub use views::TermsPage;

/// The longest term, in days with both ends counted: a school year, in a
/// leap year too. A mistyped year (2000 for 2026) would otherwise make a
/// term of decades, with a coverage figure for every one of its days.
pub const MAX_TERM_DAYS: i64 = 366;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: i64,
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub ends_on: String,
    pub is_pinned: bool,
}

impl Term {
    /// Whether the term ended before `today` (`YYYY-MM-DD`); such a term is
    /// read-only. Days compare as text because they are zero-padded.
    pub fn is_past(&self, today: &str) -> bool {
        self.ends_on.as_str() < today
    }
}

/// The terms page: every term of the school, which one is current, and a
/// message left by the last change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsOverview {
    pub terms: Vec<Term>,
    pub current_id: Option<i64>,
    pub today: String,
    pub flash: Option<Flash>,
}

/// The outcome of the last change, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flash {
    Done(String),
    Problem(String),
}
