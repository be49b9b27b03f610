//! Roster import: the school's student list from its student information
//! system, previewed (new, changed, unchanged, to be deactivated, every
//! rejected row) and then applied all at once.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod parse;

use serde::{Deserialize, Serialize};

/// One student row of a roster file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterStudent {
    /// Line in the file where the row starts (1 = the header).
    pub line: u64,
    pub sis_id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub grade: i64,
    pub homeroom: Option<String>,
    /// Extra columns: group attributes such as `ell` or `iep`.
    pub attributes: Vec<(String, String)>,
}

/// A row that will not be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
}

impl Rejection {
    pub fn new(file: &str, line: u64, column: Option<String>, reason: &str) -> Self {
        Rejection {
            file: file.to_string(),
            line,
            column,
            reason: reason.to_string(),
        }
    }
}

/// Whether students missing from the file leave the school.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// The file is the whole roster: students not in it become inactive
    /// (their marks and history are kept; they come back if they return).
    #[default]
    Full,
    /// Only adds and updates; nobody is deactivated.
    AddOnly,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::AddOnly => "add_only",
        }
    }

    pub fn parse(text: &str) -> Mode {
        if text == "add_only" {
            Mode::AddOnly
        } else {
            Mode::Full
        }
    }
}

/// A student named in a preview list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub sis_id: String,
    pub name: String,
}

/// A student whose record changes, and what changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub sis_id: String,
    pub name: String,
    pub changes: Vec<String>,
}

/// What an import would do (or did).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub file_name: String,
    pub format: String,
    pub mode: Mode,
    pub new: Vec<Named>,
    pub changed: Vec<Changed>,
    pub unchanged: usize,
    pub reactivated: Vec<Named>,
    pub deactivated: Vec<Named>,
    pub rejections: Vec<Rejection>,
    pub warnings: Vec<String>,
    /// Active students before the import.
    pub active_before: i64,
}

/// Share of the active students above which deactivating needs an extra
/// confirmation: probably the wrong file.
pub const DEACTIVATION_GUARD_PERCENT: i64 = 10;

impl Preview {
    /// Whether the import would deactivate more than 10 % of the active
    /// students.
    pub fn needs_extra_confirmation(&self) -> bool {
        self.active_before > 0
            && self.deactivated.len() as i64 * 100 > self.active_before * DEACTIVATION_GUARD_PERCENT
    }

    /// The counts as one line, for the history and the command line.
    pub fn counts(&self) -> String {
        format!(
            "{} new, {} changed, {} unchanged, {} reactivated, {} deactivated, {} rows rejected",
            self.new.len(),
            self.changed.len(),
            self.unchanged,
            self.reactivated.len(),
            self.deactivated.len(),
            self.rejections.len()
        )
    }
}
