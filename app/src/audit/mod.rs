//! The audit log: sign-ins, changes, exports and views of sensitive
//! records, kept for the school's IT person and administrators.

#[cfg(feature = "ssr")]
pub mod db;
mod server;
mod views;

use serde::{Deserialize, Serialize};

pub use server::*;
pub use views::AuditPage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// `YYYY-MM-DD HH:MM` UTC.
    pub at: String,
    pub who: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub client_addr: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    pub entries: Vec<AuditEntry>,
    /// Every action recorded at this school, for the filter.
    pub actions: Vec<String>,
    pub page: u32,
    pub has_more: bool,
}

pub const PAGE_SIZE: u32 = 50;
