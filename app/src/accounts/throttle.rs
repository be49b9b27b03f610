//! Slowing down password guessing, per account and per client address.
//!
//! After a few failures each further attempt waits exponentially longer;
//! after `LOCK_AFTER` failures the account is locked for `LOCK_FOR`. Keys
//! are tracked whether or not the account exists, so a lock says nothing
//! about which emails are real. A whole school often signs in from one
//! address (NAT), so the per-address limit is much higher than the
//! per-account one. State is in memory: a restart forgives everyone, which
//! is acceptable for a delay that exists to make guessing slow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const LOCK_AFTER: u32 = 10;
pub const ADDRESS_LOCK_AFTER: u32 = 100;
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten after this much quiet.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Throttle {
    records: Mutex<HashMap<String, Record>>,
}

/// What to do with a sign-in attempt before checking the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password after waiting this long.
    Proceed { delay: Duration },
    /// Refuse without checking.
    Locked,
}

impl Throttle {
    pub fn new() -> Self {
        Self::default()
    }

    /// The verdict for an attempt on `email` from `address` at `now`.
    pub fn check(&self, email: &str, address: Option<&str>, now: Instant) -> Verdict {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut delay = Duration::ZERO;
        for key in keys(email, address) {
            let Some(record) = records.get(&key).copied() else {
                continue;
            };
            if record.locked_until.is_some_and(|until| now < until) {
                return Verdict::Locked;
            }
            if now.duration_since(record.last_failure) > FORGET_AFTER {
                records.remove(&key);
                continue;
            }
            if key.starts_with("account:") {
                delay = delay.max(delay_after(record.failures));
            }
        }
        Verdict::Proceed { delay }
    }

    pub fn record_failure(&self, email: &str, address: Option<&str>, now: Instant) {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for key in keys(email, address) {
            let limit = if key.starts_with("account:") {
                LOCK_AFTER
            } else {
                ADDRESS_LOCK_AFTER
            };
            let record = records.entry(key).or_insert(Record {
                failures: 0,
                last_failure: now,
                locked_until: None,
            });
            if record.locked_until.is_some_and(|until| now >= until) {
                *record = Record {
                    failures: 0,
                    last_failure: now,
                    locked_until: None,
                };
            }
            record.failures += 1;
            record.last_failure = now;
            if record.failures >= limit {
                record.locked_until = Some(now + LOCK_FOR);
            }
        }
        // Keep memory bounded under a spray of made-up emails.
        if records.len() > 100_000 {
            records.retain(|_, record| now.duration_since(record.last_failure) <= FORGET_AFTER);
        }
    }

    /// A successful sign-in clears the account's failures.
    pub fn record_success(&self, email: &str) {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        records.remove(&account_key(email));
    }
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn keys(email: &str, address: Option<&str>) -> Vec<String> {
    let mut keys = vec![account_key(email)];
    if let Some(address) = address {
        keys.push(format!("address:{address}"));
    }
    keys
}

/// No wait for the first three failures, then 1 s, 2 s, 4 s … up to 30 s.
fn delay_after(failures: u32) -> Duration {
    if failures < 3 {
        Duration::ZERO
    } else {
        Duration::from_secs((1u64 << (failures - 3).min(5)).min(30))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_the_account_locks_for_fifteen_minutes() {
        let throttle = Throttle::new();
        let start = Instant::now();
        let email = "pat@school.example";
        assert_eq!(
            throttle.check(email, Some("10.0.0.1"), start),
            Verdict::Proceed {
                delay: Duration::ZERO
            }
        );
        let mut delays = Vec::new();
        for _ in 0..LOCK_AFTER - 1 {
            throttle.record_failure(email, Some("10.0.0.1"), start);
            match throttle.check(email, Some("10.0.0.1"), start) {
                Verdict::Proceed { delay } => delays.push(delay.as_secs()),
                Verdict::Locked => panic!("locked too early"),
            }
        }
        assert_eq!(delays, vec![0, 0, 1, 2, 4, 8, 16, 30, 30]);
        throttle.record_failure(email, Some("10.0.0.1"), start);
        assert_eq!(
            throttle.check(email, Some("10.0.0.2"), start),
            Verdict::Locked,
            "from any address"
        );
        assert_eq!(
            throttle.check(" PAT@school.example", None, start),
            Verdict::Locked,
            "any spelling"
        );
        let later = start + LOCK_FOR + Duration::from_secs(1);
        assert!(
            matches!(throttle.check(email, None, later), Verdict::Proceed { .. }),
            "unlocks after 15 minutes"
        );
    }

    #[test]
    fn unknown_and_known_emails_are_treated_alike_and_success_clears() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for _ in 0..3 {
            throttle.record_failure("nobody@school.example", None, now);
        }
        assert_eq!(
            throttle.check("nobody@school.example", None, now),
            Verdict::Proceed {
                delay: Duration::from_secs(1)
            }
        );
        throttle.record_success("nobody@school.example");
        assert_eq!(
            throttle.check("nobody@school.example", None, now),
            Verdict::Proceed {
                delay: Duration::ZERO
            }
        );
    }

    #[test]
    fn one_address_locks_only_after_many_failures() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for index in 0..ADDRESS_LOCK_AFTER - 1 {
            throttle.record_failure(
                &format!("person{index}@school.example"),
                Some("10.0.0.9"),
                now,
            );
        }
        assert!(matches!(
            throttle.check("new@school.example", Some("10.0.0.9"), now),
            Verdict::Proceed { .. }
        ));
        throttle.record_failure("last@school.example", Some("10.0.0.9"), now);
        assert_eq!(
            throttle.check("new@school.example", Some("10.0.0.9"), now),
            Verdict::Locked
        );
        assert!(matches!(
            throttle.check("new@school.example", Some("10.0.0.8"), now),
            Verdict::Proceed { .. }
        ));
    }
}
