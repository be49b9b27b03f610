//! Passwords: the rules a new password must meet (NIST SP 800-63B: length,
//! not a known-common password, no composition rules) and argon2id hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use std::sync::OnceLock;

use argon2::Argon2;

use crate::AppError;

pub const MIN_LENGTH: usize = 10;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const MAX_LENGTH: usize = 256;

/// Passwords people pick first, which attackers therefore try first. Only
/// entries of at least `MIN_LENGTH` characters matter: shorter ones already
/// fail the length rule. Compared case-insensitively.
const COMMON: &[&str] = &[
    "1234567890",
    "0123456789",
    "0987654321",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "password1!",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "iloveyou123",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "welcome1234",
    "welcome2026",
    "changeme123",
    "changeme12",
    "administrator",
    "admin12345",
    "admin123456",
    "football123",
    "baseball123",
    "basketball",
    "superman123",
    "princess123",
    "sunshine123",
    "dragon1234",
    "monkey1234",
    "trustno1234",
    "starwars123",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "aaaaaaaaaa",
    "qazwsxedcr",
    "teacher123",
    "teacher1234",
    "student123",
    "student1234",
    "school1234",
    "school12345",
    "principal1",
    "counselor1",
    "tether1234",
    "tether12345",
    "summer2026",
    "winter2026",
    "spring2026",
    "autumn2026",
    "fall2026!!",
    "september1",
    "december12",
    "password2026",
    "password2025",
];

/// Checks a new password; the error says what to do instead.
pub fn check_new(password: &str, email: &str, name: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::Invalid(format!(
            "Use at least {MIN_LENGTH} characters. A few unrelated words make a password that is long and easy to remember."
        )));
    }
    if length > MAX_LENGTH {
        return Err(AppError::Invalid(format!(
            "Use at most {MAX_LENGTH} characters."
        )));
    }
    let lower = password.to_lowercase();
    let first_char = lower.chars().next().unwrap_or_default();
    let personal = [
        email.to_lowercase(),
        email.split('@').next().unwrap_or("").to_lowercase(),
        name.to_lowercase(),
    ];
    if COMMON.contains(&lower.as_str())
        || lower.chars().all(|c| c == first_char)
        || personal
            .iter()
            .any(|p| p.len() >= 4 && lower.contains(p.as_str()))
    {
        return Err(AppError::Invalid(
            "That password is too easy to guess (it is common, repetitive or contains your name or email). Choose another.".into(),
        ));
    }
    Ok(())
}

/// At most this many argon2 computations at once (checks and new hashes):
/// each takes about 19 MiB for a moment, so many at once (a flood of
/// sign-ins) would take the server's memory, and the machine's cores can
/// only run a few anyway.
static CHECKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes with argon2id off the async threads: it is slow on purpose.
pub async fn hash(password: String) -> Result<String, AppError> {
    let turn = CHECKING.acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|_| AppError::Internal)
}

/// Whether `password` matches `stored`. With no stored hash (unknown email,
/// or an account without a password) a dummy hash is checked anyway, so the
/// answer takes the same time either way and reveals nothing.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(turn) = CHECKING.acquire().await else {
        return false;
    };
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    tokio::task::spawn_blocking(move || {
        // Held by the check itself, which goes on if its request is dropped.
        let _turn = turn;
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}

/// An argon2id hash of a random string nobody knows, made with the same
/// parameters as real hashes, used only to spend the same time as a real
/// check.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(salt.as_str().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        let email = "pat.rivera@school.example";
        assert!(check_new("short", email, "Pat Rivera").is_err());
        assert!(
            check_new("Password123", email, "Pat Rivera").is_err(),
            "common, any case"
        );
        assert!(
            check_new("zzzzzzzzzzzz", email, "Pat Rivera").is_err(),
            "repetitive"
        );
        assert!(
            check_new("my pat.rivera pass", email, "Pat Rivera").is_err(),
            "contains the email name"
        );
        assert!(check_new("correct horse battery", email, "Pat Rivera").is_ok());
        assert!(
            check_new("ñandú rápido 2026", email, "Pat Rivera").is_ok(),
            "any characters"
        );
        assert!(check_new(&"x".repeat(300), email, "Pat Rivera").is_err());
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hash = hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify("correct horse battery".into(), None).await);
        assert!(
            PasswordHash::new(dummy_hash()).is_ok(),
            "the dummy check does real work"
        );
    }
}
