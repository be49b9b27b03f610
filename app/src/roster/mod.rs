//! Roster import: the school's student list from its student information
//! system, previewed (new, changed, unchanged, to be deactivated, every
//! rejected row) and then applied all at once.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod package;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod samples;
mod server;
mod views;

pub use server::*;
pub use views::{ImportPage, ImportPreviewPage};

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

/// A staff member of a roster package: an account without a password (an
/// admin issues them a sign-in link).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterStaff {
    pub line: u64,
    pub email: String,
    pub name: String,
}

/// A class section (or homeroom) of a roster package, with its teachers
/// (by email) and students (by student ID).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterClass {
    pub sis_id: String,
    pub name: String,
    pub is_homeroom: bool,
    pub teachers: Vec<String>,
    pub students: Vec<String>,
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
    /// Staff of a package who get an account (not yet at this school).
    pub new_staff: Vec<Named>,
    /// Class sections in a package (their teachers and students are
    /// replaced by the file's).
    pub classes: usize,
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
        let mut counts = format!(
            "{} new, {} changed, {} unchanged, {} reactivated, {} deactivated, {} rows rejected",
            self.new.len(),
            self.changed.len(),
            self.unchanged,
            self.reactivated.len(),
            self.deactivated.len(),
            self.rejections.len()
        );
        if self.classes > 0 || !self.new_staff.is_empty() {
            counts.push_str(&format!(
                "; {} new staff accounts, {} class sections",
                self.new_staff.len(),
                self.classes
            ));
        }
        counts
    }
}

/// One line of the import history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: i64,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
    pub who: String,
    pub format: String,
    pub file_name: String,
    pub mode: Mode,
    pub counts: String,
}

/// The import page: history, the outcome of the last action, and whether a
/// file waits for confirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOverview {
    pub history: Vec<ImportRecord>,
    pub flash: Option<crate::terms::Flash>,
    pub waiting: Option<String>,
}

/// The preview page: what a file would do, or, when required columns were
/// not recognised, the step where the admin says which column is which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStep {
    Preview(Box<PreviewPage>),
    Mapping(MappingPage),
    /// A district file: which of its schools is this one.
    ChooseSchool {
        file_name: String,
        schools: Vec<(String, String)>,
    },
}

/// The column-mapping step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingPage {
    pub file_name: String,
    /// The file's column names.
    pub headers: Vec<String>,
    /// Fields not recognised yet (labels such as `student_id`).
    pub missing: Vec<String>,
}

/// Roster fields as the mapping form names them, with what they mean.
pub const MAPPABLE_FIELDS: [(&str, &str, bool); 6] = [
    (
        "student_id",
        "Student ID (from your student information system)",
        true,
    ),
    ("first_name", "First name", true),
    ("last_name", "Last name", true),
    ("grade", "Grade", true),
    ("preferred_name", "Preferred name", false),
    ("homeroom", "Homeroom", false),
];

/// How many of each list a preview page shows; the counts are always whole.
pub const PREVIEW_LIST_LIMIT: usize = 500;

/// A preview as the page shows it: lists cut to [`PREVIEW_LIST_LIMIT`],
/// with the whole counts alongside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPage {
    pub preview: Preview,
    pub counts: String,
    pub new: usize,
    pub changed: usize,
    pub reactivated: usize,
    pub deactivated: usize,
    pub rejected: usize,
    pub needs_extra_confirmation: bool,
}

impl PreviewPage {
    pub fn of(mut preview: Preview) -> PreviewPage {
        let page = PreviewPage {
            counts: preview.counts(),
            new: preview.new.len(),
            changed: preview.changed.len(),
            reactivated: preview.reactivated.len(),
            deactivated: preview.deactivated.len(),
            rejected: preview.rejections.len(),
            needs_extra_confirmation: preview.needs_extra_confirmation(),
            preview: Preview::default(),
        };
        preview.new.truncate(PREVIEW_LIST_LIMIT);
        preview.changed.truncate(PREVIEW_LIST_LIMIT);
        preview.reactivated.truncate(PREVIEW_LIST_LIMIT);
        preview.deactivated.truncate(PREVIEW_LIST_LIMIT);
        preview.rejections.truncate(PREVIEW_LIST_LIMIT);
        PreviewPage { preview, ..page }
    }
}

/// Tether's roster template, offered for download on the import page.
pub const TEMPLATE_CSV: &str =
    "student_id,first_name,last_name,preferred_name,grade,homeroom,ell,iep,new_arrival\n\
000123,María José,de la Cruz,Majo,9,101,Y,,\n\
000124,Liam,O'Brien,,10,204,,Y,\n\
000125,Thảo,Nguyễn,,K,K-2,,,Y\n";

/// A preview as plain text, for the command line.
pub fn preview_text(preview: &Preview, school: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} into {school} ({}; {})",
        preview.file_name,
        preview.format,
        match preview.mode {
            Mode::Full => "whole roster",
            Mode::AddOnly => "add and update only",
        }
    );
    let _ = writeln!(out, "{}", preview.counts());
    for rejection in &preview.rejections {
        let _ = writeln!(
            out,
            "rejected: {} line {}{}: {}",
            rejection.file,
            rejection.line,
            rejection
                .column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default(),
            rejection.reason
        );
    }
    for warning in &preview.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for changed in &preview.changed {
        let _ = writeln!(
            out,
            "changed: {} ({}): {}",
            changed.name,
            changed.sis_id,
            changed.changes.join("; ")
        );
    }
    for named in &preview.deactivated {
        let _ = writeln!(out, "deactivated: {} ({})", named.name, named.sis_id);
    }
    for named in &preview.reactivated {
        let _ = writeln!(out, "reactivated: {} ({})", named.name, named.sis_id);
    }
    if preview.needs_extra_confirmation() {
        let _ = writeln!(
            out,
            "WARNING: {} of {} active students would be deactivated (more than {DEACTIVATION_GUARD_PERCENT} %).",
            preview.deactivated.len(),
            preview.active_before
        );
    }
    out
}
