//! Staff management (admins): who works here, their role, whether they can
//! sign in, and one-time sign-in links handed over in person.

#[cfg(feature = "ssr")]
pub mod db;
pub mod import;
mod server;
mod views;

use serde::{Deserialize, Serialize};

use crate::accounts::Role;

pub use server::*;
pub use views::{StaffImportPage, StaffPage, WelcomePage};

/// One person on the staff list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub title: Option<String>,
    /// Can sign in and use Tether at this school.
    pub is_active: bool,
    /// Has set a password (otherwise needs a sign-in link).
    pub has_password: bool,
}

/// A sign-in link just issued, shown once to the admin who asked for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLink {
    pub name: String,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub staff: Vec<StaffMember>,
    pub issued_link: Option<IssuedLink>,
    /// The admin looking at the page (who cannot demote or lock out themselves).
    pub me: i64,
}

/// Sign-in links last this long.
pub const LINK_LIFETIME_SECS: i64 = 72 * 3600;
