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
    let pool = crate::state::pool()?;
    let schools = super::db::memberships(&pool, member.user_id).await?;
    Ok(schools
        .into_iter()
        .map(|m| (m.school_id, m.school_name))
        .collect())
}

/// Anyone may ask: it reveals only whether the database is new or a demo.
#[server]
pub async fn get_sign_in_info() -> Result<SignInInfo, AppError> {
    let pool = crate::state::pool()?;
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
pub use sign_in::{authenticate, SignInFailure};

#[cfg(feature = "ssr")]
mod sign_in {
    use std::time::Instant;

    use sqlx::SqlitePool;

    use crate::accounts::throttle::{Throttle, Verdict};
    use crate::accounts::{db, password, Member};
    use crate::audit::db::{record, Event};
    use crate::{clock, AppError};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum SignInFailure {
        /// Wrong email or password, or the account cannot sign in; the
        /// person sees one message for all of these.
        Invalid,
        /// Too many failures: locked for a while.
        Locked,
    }

    /// Checks an email and password, with throttling and an audit record
    /// either way. Returns the person's memberships, first school first.
    pub async fn authenticate(
        pool: &SqlitePool,
        throttle: &Throttle,
        email: &str,
        password_text: &str,
        address: Option<&str>,
    ) -> Result<Result<Vec<Member>, SignInFailure>, AppError> {
        let email = email.trim().to_lowercase();
        let now = clock::now();
        let audit = |action: &'static str, user_id: Option<i64>, school_id: Option<i64>| Event {
            school_id,
            user_id,
            action,
            subject: None,
            detail: Some(format!("email: {email}")),
            client_addr: address.map(str::to_string),
        };
        match throttle.check(&email, address, Instant::now()) {
            Verdict::Locked => {
                record(pool, audit("sign_in.locked", None, None), now).await?;
                return Ok(Err(SignInFailure::Locked));
            }
            Verdict::Proceed { delay } => tokio::time::sleep(delay).await,
        }
        let credentials = db::credentials(pool, &email).await?;
        let user_id = credentials.as_ref().map(|c| c.user_id);
        let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
        let matches = password::verify(password_text.to_string(), stored).await;
        let active = credentials.as_ref().is_some_and(|c| c.is_active);
        let memberships = match user_id {
            Some(user_id) if matches && active => db::memberships(pool, user_id).await?,
            _ => Vec::new(),
        };
        if memberships.is_empty() {
            throttle.record_failure(&email, address, Instant::now());
            record(pool, audit("sign_in.failure", user_id, None), now).await?;
            return Ok(Err(SignInFailure::Invalid));
        }
        throttle.record_success(&email);
        record(
            pool,
            audit("sign_in.success", user_id, Some(memberships[0].school_id)),
            now,
        )
        .await?;
        Ok(Ok(memberships))
    }
}
