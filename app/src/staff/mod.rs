//! Staff management (admins): who works here, their role, whether they can
//! sign in, and one-time sign-in links handed over in person.

#[cfg(feature = "ssr")]
pub mod db;
pub mod import;
#[cfg(feature = "ssr")]
pub mod routes;
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
    /// Invited: their account belongs to another school too, and they
    /// have not yet accepted with their join link.
    pub pending: bool,
    /// Also works at another school: this school's admin cannot set the
    /// account's password.
    pub elsewhere: bool,
    /// Sign-in locks after too many wrong passwords, as a person reads
    /// them ("from 10.0.0.7, 12 more minutes").
    pub locks: Vec<String>,
}

/// A sign-in link just issued, shown once to the admin who asked for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLink {
    pub name: String,
    pub path: String,
}

/// What the page of a one-time link shows its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub name: String,
    pub email: String,
    /// For a join link (accept a school's invitation with your own
    /// password, rather than set one): the school's name.
    pub joins: Option<String>,
    pub has_password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub staff: Vec<StaffMember>,
    pub issued_link: Option<IssuedLink>,
    /// The admin looking at the page (who cannot demote or lock out themselves).
    pub me: i64,
}

/// The cookie that carries a just-issued link to the staff page, in the
/// admin's browser only (never in the session store, where a copy of the
/// database would reveal a live link).
pub const ISSUED_LINK_COOKIE: &str = "tether_issued_link";
/// The cookie is for the redirect that follows, nothing more.
#[cfg(feature = "ssr")]
const ISSUED_LINK_COOKIE_SECS: u32 = 120;

/// The `Set-Cookie` value that hands `link` to the next staff page.
#[cfg(feature = "ssr")]
pub fn issued_link_cookie(link: &IssuedLink, secure: bool) -> Option<String> {
    use base64::Engine;
    let json = serde_json::to_vec(link).ok()?;
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let secure = if secure { "; Secure" } else { "" };
    Some(format!(
        "{ISSUED_LINK_COOKIE}={value}; Path=/; Max-Age={ISSUED_LINK_COOKIE_SECS}; HttpOnly; SameSite=Strict{secure}"
    ))
}

/// The link carried by the request's cookies, if any.
#[cfg(feature = "ssr")]
pub fn issued_link_from(headers: &axum::http::HeaderMap) -> Option<IssuedLink> {
    use base64::Engine;
    let value = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(ISSUED_LINK_COOKIE)?
                .strip_prefix('=')
        })?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// Sign-in links last this long.
pub const LINK_LIFETIME_SECS: i64 = 72 * 3600;
