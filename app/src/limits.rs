//! How long free text may be. Without limits one very long value (a
//! 250,000-character name) is stored and then sent to everyone who opens a
//! page that lists it. The limits are generous for real data and counted
//! in characters, not bytes, so that no alphabet is shorter than another.

/// A person's name (staff or account): longer than any real name.
pub const NAME: usize = 100;
/// An email address (RFC 5321 allows 254 characters in a path).
pub const EMAIL: usize = 254;
/// A student's first, last or preferred name, as a roster file gives it.
pub const STUDENT_NAME: usize = 100;
/// A student's ID in the school's information system (or a class's): a
/// short code; OneRoster's sourcedIds, among the longest, are 36-character
/// GUIDs.
pub const SIS_ID: usize = 64;
/// A homeroom or class name: a label in the marking page's filters.
pub const HOMEROOM: usize = 100;
/// A group attribute's column name or value (`ell` = `Y`, `home_language`
/// = `Tigrinya`): a label in the coverage breakdowns and filters.
pub const ATTRIBUTE: usize = 100;
/// A term's name (“Fall 2026”): it heads the marking and coverage pages.
pub const TERM_NAME: usize = 80;
/// A concern's reason: a few words that say why; counselors follow up in
/// person, so the details of a child's situation are not written here.
pub const CONCERN_REASON: usize = 500;
/// A take-on's release reason (“schedule changed”): enough for the
/// counselor to find someone else.
pub const RELEASE_REASON: usize = 500;
/// A take-on check-in's note: a paragraph, not a case file.
pub const CHECK_IN_NOTE: usize = 2000;
