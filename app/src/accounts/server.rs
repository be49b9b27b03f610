//! Server functions for accounts, and the sign-in check the `/login` route
//! runs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{DemoAccount, Member};
use crate::AppError;

/// What the sign-in page needs to know before anyone signs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInInfo {
    /// No account exists yet: explain how to create the first admin.
    pub first_run: bool,
    /// Shown only when the database holds nothing but a demo school.
    pub demo_accounts: Vec<DemoAccount>,
}

/// The person signed in (with their school and role), or `None`.
/// Anyone may ask: the answer is about the asker only.
#[server]
pub async fn get_me() -> Result<Option<Member>, AppError> {
    match super::gate::current_member().await {
        Ok(member) => Ok(Some(member)),
        Err(AppError::Unauthorized) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The schools the signed-in person belongs to (for the school switcher),
/// as (id, name), by name; empty for anyone not signed in. Like `get_me`,
/// it answers about the asker only, so the header can ask on every page
/// without turning a public page into a 401.
#[server]
pub async fn get_my_schools() -> Result<Vec<(i64, String)>, AppError> {
    let member = match super::gate::current_member().await {
        Ok(member) => member,
        Err(AppError::Unauthorized) => return Ok(Vec::new()),
        Err(other) => return Err(other),
    };
    let pool = crate::state::db()?;
    let schools = super::db::memberships(&pool, member.user_id).await?;
    Ok(schools
        .into_iter()
        .map(|m| (m.school_id, m.school_name))
        .collect())
}

/// Anyone may ask: it reveals only whether the database is new or a demo.
#[server]
pub async fn get_sign_in_info() -> Result<SignInInfo, AppError> {
    let pool = crate::state::db()?;
    let first_run = super::db::user_count(&pool).await? == 0;
    let demo_accounts = if super::db::is_demo_only(&pool).await? {
        super::DEMO_ACCOUNTS
            .iter()
            .map(|(email, password, role)| DemoAccount {
                email: email.to_string(),
                password: password.to_string(),
                role: *role,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SignInInfo {
        first_run,
        demo_accounts,
    })
}

#[cfg(feature = "ssr")]
pub use sign_in::{authenticate, confirm_password, SignInFailure, SignedIn};

#[cfg(feature = "ssr")]
mod sign_in {
    use std::time::Instant;

    use sqlx::SqlitePool;

    use crate::accounts::throttle::{Client, Throttle, Verdict};
    use crate::accounts::{db, password, Member};
    use crate::audit::db::{record, record_for_account, Event};
    use crate::{clock, AppError};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum SignInFailure {
        /// Wrong email or password, or the account cannot sign in; the
        /// person sees one message for all of these.
        Invalid,
        /// Too many failures: locked for a while.
        Locked,
        /// The account is under attack from many places; an attempt from
        /// another browser is being checked: try again in a moment.
        Busy,
    }

    /// Who signed in: their memberships, first school first, and the
    /// account's session generation.
    #[derive(Debug, Clone)]
    pub struct SignedIn {
        pub memberships: Vec<Member>,
        pub epoch: i64,
        /// The browser's new known-device token (see the throttle).
        pub device: String,
    }

    /// Checks an email and password, with throttling and an audit record
    /// either way (failures in the log of every school of the account).
    pub async fn authenticate(
        pool: &SqlitePool,
        throttle: &Throttle,
        email: &str,
        password_text: &str,
        client: Client<'_>,
    ) -> Result<Result<SignedIn, SignInFailure>, AppError> {
        let checked = check(pool, throttle, email, password_text, client, true).await?;
        Ok(checked.map(|(credentials, memberships, device)| SignedIn {
            memberships,
            epoch: credentials.session_epoch,
            device,
        }))
    }

    /// Checks that the person knows the password of the active account
    /// with `email`, whether or not it has a school yet (accepting a
    /// school's invitation), with the same throttling and audit as sign-in.
    /// Returns the user id.
    pub async fn confirm_password(
        pool: &SqlitePool,
        throttle: &Throttle,
        email: &str,
        password_text: &str,
        client: Client<'_>,
    ) -> Result<Result<i64, SignInFailure>, AppError> {
        let checked = check(pool, throttle, email, password_text, client, false).await?;
        Ok(checked.map(|(credentials, ..)| credentials.user_id))
    }

    async fn check(
        pool: &SqlitePool,
        throttle: &Throttle,
        email: &str,
        password_text: &str,
        client: Client<'_>,
        signing_in: bool,
    ) -> Result<Result<(db::Credentials, Vec<Member>, String), SignInFailure>, AppError> {
        let email = email.trim().to_lowercase();
        if email.chars().count() > crate::limits::EMAIL {
            // No account has such an email: nothing to count or to log
            // (which would store whatever a visitor sent).
            return Ok(Err(SignInFailure::Invalid));
        }
        let address = client.address;
        let now = clock::now();
        let audit = |action: &'static str, user_id: Option<i64>, school_id: Option<i64>| Event {
            school_id,
            user_id,
            action,
            subject: None,
            detail: Some(format!("email: {email}")),
            client_addr: address.map(str::to_string),
        };
        let attempt = match throttle.begin(&email, client, Instant::now()) {
            Verdict::Locked => {
                let user_id = db::credentials(pool, &email).await?.map(|c| c.user_id);
                let event = audit("sign_in.locked", user_id, None);
                record_for_account(pool, user_id, event, now).await?;
                return Ok(Err(SignInFailure::Locked));
            }
            Verdict::Busy => return Ok(Err(SignInFailure::Busy)),
            Verdict::Proceed { delay, attempt } => {
                tokio::time::sleep(delay).await;
                attempt
            }
        };
        let credentials = db::credentials(pool, &email).await?;
        let user_id = credentials.as_ref().map(|c| c.user_id);
        let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
        let matches = password::verify(password_text.to_string(), stored).await;
        let account = credentials.filter(|c| matches && c.is_active);
        let memberships = match &account {
            Some(account) if signing_in => db::memberships(pool, account.user_id).await?,
            _ => Vec::new(),
        };
        let Some(account) = account.filter(|_| !signing_in || !memberships.is_empty()) else {
            throttle.failed(attempt, Instant::now());
            let event = audit("sign_in.failure", user_id, None);
            record_for_account(pool, user_id, event, now).await?;
            return Ok(Err(SignInFailure::Invalid));
        };
        let device = if signing_in {
            throttle.signed_in(attempt, client.devices)
        } else {
            throttle.succeeded(attempt);
            String::new()
        };
        if let Some(first) = memberships.first() {
            let event = audit("sign_in.success", user_id, Some(first.school_id));
            record(pool, event, now).await?;
        }
        Ok(Ok((account, memberships, device)))
    }
}
