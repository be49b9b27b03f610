//! The audit log: sign-ins, changes, exports and views of sensitive
//! records, kept for the school's IT person and administrators.

#[cfg(feature = "ssr")]
pub mod db;
