//! Database functions for staff management. Every one takes the school the
//! admin acts for and touches only that school's memberships.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use super::{StaffMember, LINK_LIFETIME_SECS};
use crate::accounts::Role;
use crate::AppError;

#[derive(sqlx::FromRow)]
struct StaffRow {
    user_id: i64,
    name: String,
    email: String,
    role: String,
    title: Option<String>,
    is_active: bool,
    has_password: bool,
    pending: bool,
    elsewhere: bool,
}

/// The school's staff, by name, optionally filtered by name, email or title.
pub async fn list(
    pool: &SqlitePool,
    school_id: i64,
    search: &str,
) -> Result<Vec<StaffMember>, AppError> {
    let pattern = format!("%{}%", search.trim().to_lowercase());
    let rows = sqlx::query_as::<_, StaffRow>(
        "SELECT u.id AS user_id,
                -- An invited person's name is theirs to show once they accept.
                CASE WHEN m.pending = 1 THEN u.email ELSE u.name END AS name,
                u.email, m.role, m.title,
                (m.is_active = 1 AND u.is_active = 1) AS is_active,
                (u.password_hash IS NOT NULL) AS has_password, m.pending,
                EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = u.id
                        AND o.school_id <> m.school_id AND o.pending = 0) AS elsewhere
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1
           AND (lower(CASE WHEN m.pending = 1 THEN u.email ELSE u.name END) LIKE $2
                OR u.email LIKE $2 OR lower(COALESCE(m.title, '')) LIKE $2)
         ORDER BY 2, u.id",
    )
    .bind(school_id)
    .bind(pattern)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(StaffMember {
                user_id: row.user_id,
                name: row.name,
                email: row.email,
                role: Role::parse(&row.role).ok_or(AppError::Internal)?,
                title: row.title,
                is_active: row.is_active,
                has_password: row.has_password,
                pending: row.pending,
                elsewhere: row.elsewhere,
                locks: Vec::new(),
            })
        })
        .collect()
}

/// Checks an email address well enough to catch typos.
pub fn check_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.chars().count() <= crate::limits::EMAIL
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AppError::Invalid(format!(
            "“{email}” is not an email address. Check it and try again."
        )))
    }
}

/// The emails of everyone on this school's staff (to skip them in a file).
pub async fn emails(pool: &SqlitePool, school_id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.school_id = $1",
    )
    .bind(school_id)
    .fetch_all(pool)
    .await?)
}

/// An admin adds one person (see [`crate::accounts::db::add_member_in`]:
/// someone whose account belongs to another school is invited, not
/// taken over), with its audit entry, in one transaction.
pub async fn add(
    pool: &SqlitePool,
    admin: &crate::accounts::Member,
    email: &str,
    name: &str,
    role: Role,
    now: i64,
) -> Result<crate::accounts::db::Added, AppError> {
    let email = check_email(email)?;
    let name = check_name(name)?;
    let mut tx = pool.begin().await?;
    let added = add_one(
        &mut tx,
        admin.school_id,
        admin.user_id,
        &email,
        &name,
        role,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Adds everyone from a previewed file: all of them or, on any failure,
/// none. Answers how many were invited (their accounts belong to another
/// school too).
pub async fn add_many(
    pool: &SqlitePool,
    school_id: i64,
    people: &[super::import::NewStaff],
    added_by: i64,
    now: i64,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let mut invited = 0;
    for person in people {
        let name = check_name(&person.name)?;
        let added = add_one(
            &mut tx,
            school_id,
            added_by,
            &person.email,
            &name,
            person.role,
            " (from a file)",
            now,
        )
        .await?;
        invited += usize::from(added.invited);
    }
    tx.commit().await?;
    Ok(invited)
}

#[allow(clippy::too_many_arguments)]
async fn add_one(
    tx: &mut sqlx::SqliteConnection,
    school_id: i64,
    added_by: i64,
    email: &str,
    name: &str,
    role: Role,
    how: &str,
    now: i64,
) -> Result<crate::accounts::db::Added, AppError> {
    let added =
        crate::accounts::db::add_member_in(&mut *tx, email, name, school_id, role, now).await?;
    let event = crate::audit::db::Event {
        school_id: Some(school_id),
        user_id: Some(added_by),
        action: if added.invited {
            "account.invited"
        } else {
            "account.added"
        },
        subject: Some(format!("user:{}", added.user_id)),
        detail: Some(format!("{email} as {}{how}", role.as_str())),
        client_addr: None,
    };
    crate::audit::db::record(&mut *tx, event, now).await?;
    Ok(added)
}

/// A person's name as an admin typed it: trimmed, not empty, not longer
/// than [`crate::limits::NAME`].
pub fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("Type the person's name.".into()));
    }
    if name.chars().count() > crate::limits::NAME {
        return Err(AppError::Invalid(format!(
            "A name can be at most {} characters long; shorten it.",
            crate::limits::NAME
        )));
    }
    Ok(name.to_string())
}

pub async fn set_role(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    let changed =
        sqlx::query("UPDATE memberships SET role = $1 WHERE school_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(school_id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected();
    found(changed)
}

/// Deactivating keeps every mark and record; the person just cannot sign
/// in here any more (their open sessions stop working at once, because the
/// gate checks the membership on every request). A pending membership
/// stays off until the person accepts it.
pub async fn set_active(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    active: bool,
) -> Result<(), AppError> {
    let changed =
        sqlx::query("UPDATE memberships SET is_active = $1 WHERE school_id = $2 AND user_id = $3 AND pending = 0")
            .bind(active)
            .bind(school_id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected();
    found(changed)
}

/// The member's name, if they belong to this school (an invited person's
/// email: their name is theirs to show once they accept).
pub async fn name_of(pool: &SqlitePool, school_id: i64, user_id: i64) -> Result<String, AppError> {
    sqlx::query_scalar(
        "SELECT CASE WHEN m.pending = 1 THEN u.email ELSE u.name END
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.school_id = $1 AND u.id = $2",
    )
    .bind(school_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

/// The member's email, if they belong to this school (accepted: an
/// invitation gives this school no say over the account's sign-in).
pub async fn email_of(pool: &SqlitePool, school_id: i64, user_id: i64) -> Result<String, AppError> {
    sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1 AND u.id = $2 AND m.pending = 0",
    )
    .bind(school_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

/// Issues a one-time link for a member of this school. Returns the token;
/// only its hash is stored.
///
/// Someone invited here (their account belongs to another school) gets a
/// *join* link: it accepts the membership after they sign in with their
/// own password, and sets nothing. A link that sets a password (welcome or
/// reset) is only for an account that belongs to this school alone: the
/// admin of one school must never be able to set the password of someone
/// who also works at another (they change it themselves, or the server's
/// operator issues a link: `tether admin link`).
pub async fn issue_link(
    pool: &SqlitePool,
    school_id: i64,
    user_id: i64,
    issued_by: Option<i64>,
    now: i64,
) -> Result<String, AppError> {
    let (pending, elsewhere, has_password): (bool, bool, bool) = sqlx::query_as(
        "SELECT m.pending,
                EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = m.user_id
                        AND o.school_id <> m.school_id AND o.pending = 0),
                u.password_hash IS NOT NULL
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.school_id = $1 AND m.user_id = $2",
    )
    .bind(school_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let purpose = match (pending, elsewhere, has_password) {
        (true, ..) => "join",
        (false, true, _) if issued_by.is_some() => return Err(shared_account()),
        (false, _, true) => "reset",
        (false, _, false) => "welcome",
    };
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    sqlx::query(
        "INSERT INTO sign_in_links (user_id, school_id, token_hash, purpose, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(school_id)
    .bind(hash_token(&token))
    .bind(purpose)
    .bind(issued_by)
    .bind(now)
    .bind(now + LINK_LIFETIME_SECS)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Why an admin cannot issue a password link for a shared account.
pub fn shared_account() -> AppError {
    AppError::Invalid(
        "This person also works at another school, so their Tether account is not this school's alone: only they can change its password (at Account › Password). If they have forgotten it, the server's operator can make them a link (tether admin link --email …).".into(),
    )
}

/// Whom a still-usable link is for, and what it does.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkHolder {
    pub user_id: i64,
    pub school_id: i64,
    pub name: String,
    pub email: String,
    pub school_name: String,
    /// `welcome`, `reset` (both set a password) or `join`.
    pub purpose: String,
    pub has_password: bool,
}

/// The conditions under which a link still works, on `l` (the link), `u`
/// (its account) and `m` (its membership): unused and unexpired; a link
/// that sets a password only while the account belongs to the link's
/// school alone (it may have joined another since the link was issued),
/// a join link only while the membership waits. A link of the server's
/// operator (`created_by` NULL, `tether admin link`) may reset a shared
/// account.
const USABLE: &str = "l.used_at IS NULL AND l.expires_at > $2 AND u.is_active = 1
    AND CASE l.purpose
        WHEN 'join' THEN m.pending = 1
        ELSE m.pending = 0 AND (l.created_by IS NULL OR NOT EXISTS (
            SELECT 1 FROM memberships o WHERE o.user_id = l.user_id
            AND o.school_id <> l.school_id AND o.pending = 0))
    END";

/// Who a still-usable link is for.
pub async fn link_holder(pool: &SqlitePool, token: &str, now: i64) -> Result<LinkHolder, AppError> {
    sqlx::query_as(&format!(
        "SELECT u.id AS user_id, l.school_id,
                -- Whoever holds a join link may be the inviting admin.
                CASE WHEN l.purpose = 'join' THEN u.email ELSE u.name END AS name,
                u.email, s.name AS school_name, l.purpose,
                u.password_hash IS NOT NULL AS has_password
         FROM sign_in_links l JOIN users u ON u.id = l.user_id
         JOIN schools s ON s.id = l.school_id
         JOIN memberships m ON m.user_id = l.user_id AND m.school_id = l.school_id
         WHERE l.token_hash = $1 AND {USABLE}"
    ))
    .bind(hash_token(token))
    .bind(now)
    .fetch_optional(pool)
    .await?
    .ok_or_else(link_unusable)
}

/// Uses a link, atomically, so it works exactly once even if two tabs
/// submit at the same moment: a welcome or reset link sets the password
/// (`password_hash`; ending every other session of the account), a join
/// link accepts the membership (`None`; the caller has checked the
/// person's own password). The change is in the log of every school of
/// the account. Returns (user id, school id, the account's session
/// generation).
pub async fn redeem_link(
    pool: &SqlitePool,
    token: &str,
    password_hash: Option<&str>,
    client_addr: Option<&str>,
    now: i64,
) -> Result<(i64, i64, i64), AppError> {
    let mut tx = pool.begin().await?;
    let wanted = if password_hash.is_some() {
        "l.purpose <> 'join'"
    } else {
        "l.purpose = 'join'"
    };
    let claimed: Option<(i64, i64, String)> = sqlx::query_as(&format!(
        "UPDATE sign_in_links SET used_at = $2
         WHERE id = (SELECT l.id FROM sign_in_links l JOIN users u ON u.id = l.user_id
                     JOIN memberships m ON m.user_id = l.user_id AND m.school_id = l.school_id
                     WHERE l.token_hash = $1 AND {wanted} AND {USABLE})
         RETURNING user_id, school_id, (SELECT name FROM schools WHERE id = school_id)"
    ))
    .bind(hash_token(token))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, school_id, school_name)) = claimed else {
        return Err(link_unusable());
    };
    let (epoch, action, detail) = match password_hash {
        Some(hash) => {
            let epoch = crate::accounts::db::set_password_hash(&mut *tx, user_id, hash).await?;
            (epoch, "link.used", None)
        }
        None => {
            sqlx::query(
                "UPDATE memberships SET pending = 0, is_active = 1 WHERE school_id = $1 AND user_id = $2",
            )
            .bind(school_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let epoch: i64 = sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
            (
                epoch,
                "membership.accepted",
                Some(format!("joined {school_name}")),
            )
        }
    };
    let event = crate::audit::db::Event {
        school_id: None,
        user_id: Some(user_id),
        action,
        subject: Some(format!("user:{user_id}")),
        detail,
        client_addr: client_addr.map(str::to_string),
    };
    crate::audit::db::record_for_account(&mut *tx, Some(user_id), event, now).await?;
    tx.commit().await?;
    Ok((user_id, school_id, epoch))
}

/// A change that touched no membership: the person is not on this
/// school's staff.
fn found(changed: u64) -> Result<(), AppError> {
    if changed == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

fn link_unusable() -> AppError {
    AppError::Invalid(
        "This sign-in link has expired or has already been used. Ask your school's Tether admin for a new one.".into(),
    )
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
