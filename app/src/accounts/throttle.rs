//! Slowing down password guessing without locking out the people who know
//! their password.
//!
//! Three counts, each of failures in the last [`FORGET_AFTER`]:
//!
//! - **account + address**: after a few failures each further attempt waits
//!   longer; after [`LOCK_AFTER`] the account is locked *from that address*
//!   for [`LOCK_FOR`]. Someone guessing a teacher's password from one
//!   place cannot lock the teacher out everywhere else, and an admin can
//!   see and lift the lock.
//! - **address**: a whole school often signs in from one address (NAT, a
//!   reverse proxy), so many failures from one address only slow its
//!   attempts down, never refuse them.
//! - **account**: guesses from many addresses slow every attempt on the
//!   account down a little, never refuse them.
//!
//! An attempt is counted when it begins, before the password is checked,
//! so a burst of parallel guesses meets the delays and the lock as if the
//! guesses came one after the other; a success takes its count back.
//! Keys are tracked whether or not the account exists, so a lock says
//! nothing about which emails are real. State is in memory: a restart
//! forgives everyone, which is acceptable for a delay that exists to make
//! guessing slow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures on one account from one address before it locks there.
pub const LOCK_AFTER: u32 = 10;
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// Failures from one address (any accounts) before its attempts wait.
pub const ADDRESS_SLOW_AFTER: u32 = 100;
/// Failures on one account (any addresses) before its attempts wait.
pub const ACCOUNT_SLOW_AFTER: u32 = 2 * LOCK_AFTER;
/// The longest any attempt waits.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Failures are forgotten after this much quiet.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone)]
struct Record {
    /// Failures and attempts still being checked.
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
pub struct Throttle {
    records: Mutex<HashMap<Key, Record>>,
    /// Whether verdicts ask to wait (off only in tests of the counting).
    waits: bool,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The account (lower-cased email) and the address, if known.
    Pair(String, Option<String>),
    Address(String),
    Account(String),
}

/// An attempt being checked, counted already: tell the throttle how it went.
#[derive(Debug)]
#[must_use = "an attempt is counted as failed until it is reported"]
pub struct Attempt {
    email: String,
    address: Option<String>,
}

/// What to do with a sign-in attempt before checking the password.
#[derive(Debug)]
pub enum Verdict {
    /// Check the password after waiting this long.
    Proceed { delay: Duration, attempt: Attempt },
    /// Refuse without checking: too many failures on this account from
    /// this address.
    Locked,
}

/// A lock an admin may see and lift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The address the guesses came from, when the server knows it.
    pub address: Option<String>,
    pub remaining: Duration,
}

impl Throttle {
    pub fn new() -> Self {
        Throttle {
            records: Mutex::default(),
            waits: true,
        }
    }

    /// Counts and locks like [`Throttle::new`] but never asks to wait: for
    /// tests of whole sign-in flows, which must not sleep.
    pub fn without_waiting() -> Self {
        Throttle {
            waits: false,
            ..Throttle::new()
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Record>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Begins an attempt on `email` from `address` at `now`, counting it.
    pub fn begin(&self, email: &str, address: Option<&str>, now: Instant) -> Verdict {
        let email = normal(email);
        let address = address.map(str::to_string);
        let mut records = self.records();
        let keys = keys(&email, address.as_deref());
        for key in &keys {
            if records.get(key).is_some_and(|r| {
                now.duration_since(r.last) > FORGET_AFTER && r.locked_until.is_none_or(|u| now >= u)
            }) {
                records.remove(key);
            }
        }
        let count =
            |records: &HashMap<Key, Record>, key: &Key| records.get(key).map_or(0, |r| r.count);
        let pair = &keys[0];
        if let Some(record) = records.get(pair) {
            if record.locked_until.is_some_and(|until| now < until) {
                return Verdict::Locked;
            }
        }
        let before = count(&records, pair);
        if before >= LOCK_AFTER {
            // A burst has already used up this pair's attempts.
            lock(&mut records, pair.clone(), now);
            return Verdict::Locked;
        }
        let mut delay = delay_after(before);
        for key in &keys[1..] {
            let (slow_after, step) = match key {
                Key::Address(_) => (ADDRESS_SLOW_AFTER, ADDRESS_SLOW_AFTER),
                _ => (ACCOUNT_SLOW_AFTER, LOCK_AFTER),
            };
            let failures = count(&records, key);
            if failures >= slow_after {
                // One more second for every `step` failures beyond the threshold.
                let seconds = u64::from(1 + (failures - slow_after) / step);
                delay = delay.max(Duration::from_secs(seconds));
            }
        }
        for key in keys {
            let record = records.entry(key).or_insert(Record {
                count: 0,
                last: now,
                locked_until: None,
            });
            record.count += 1;
            record.last = now;
        }
        // Keep memory bounded under a spray of made-up emails.
        if records.len() > 100_000 {
            records.retain(|_, r| {
                now.duration_since(r.last) <= FORGET_AFTER
                    || r.locked_until.is_some_and(|u| now < u)
            });
        }
        Verdict::Proceed {
            delay: if self.waits {
                delay.min(MAX_DELAY)
            } else {
                Duration::ZERO
            },
            attempt: Attempt { email, address },
        }
    }

    /// The attempt's password was wrong: it stays counted, and the pair
    /// locks when it has reached its limit.
    pub fn failed(&self, attempt: Attempt, now: Instant) {
        let pair = Key::Pair(attempt.email, attempt.address);
        let mut records = self.records();
        if records.get(&pair).is_some_and(|r| r.count >= LOCK_AFTER) {
            lock(&mut records, pair, now);
        }
    }

    /// The attempt signed in: its count is taken back everywhere, and the
    /// account's failures from this address are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut records = self.records();
        for key in keys(&attempt.email, attempt.address.as_deref()) {
            let forget = matches!(key, Key::Pair(..));
            if let Some(record) = records.get_mut(&key) {
                record.count = record.count.saturating_sub(1);
                if forget || record.count == 0 {
                    records.remove(&key);
                }
            }
        }
    }

    /// The locks on `email` in force at `now`.
    pub fn locks(&self, email: &str, now: Instant) -> Vec<Lock> {
        let email = normal(email);
        let mut locks: Vec<Lock> = self
            .records()
            .iter()
            .filter_map(|(key, record)| match key {
                Key::Pair(account, address) if *account == email => record
                    .locked_until
                    .filter(|until| now < *until)
                    .map(|until| Lock {
                        address: address.clone(),
                        remaining: until - now,
                    }),
                _ => None,
            })
            .collect();
        locks.sort_by(|a, b| a.address.cmp(&b.address));
        locks
    }

    /// Lifts every lock on `email` and forgets its failures (an admin who
    /// has checked with the person).
    pub fn lift(&self, email: &str) {
        let email = normal(email);
        self.records().retain(|key, _| match key {
            Key::Pair(account, _) | Key::Account(account) => *account != email,
            Key::Address(_) => true,
        });
    }
}

fn lock(records: &mut HashMap<Key, Record>, key: Key, now: Instant) {
    if let Some(record) = records.get_mut(&key) {
        record.locked_until = Some(now + LOCK_FOR);
        record.last = now;
    }
}

fn normal(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The pair first.
fn keys(email: &str, address: Option<&str>) -> Vec<Key> {
    let mut keys = vec![
        Key::Pair(email.to_string(), address.map(str::to_string)),
        Key::Account(email.to_string()),
    ];
    if let Some(address) = address {
        keys.push(Key::Address(address.to_string()));
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

    fn delay(verdict: &Verdict) -> Option<u64> {
        match verdict {
            Verdict::Proceed { delay, .. } => Some(delay.as_secs()),
            Verdict::Locked => None,
        }
    }

    /// One wrong password, checked and reported.
    fn fail(throttle: &Throttle, email: &str, address: Option<&str>, now: Instant) -> Option<u64> {
        match throttle.begin(email, address, now) {
            Verdict::Proceed { delay, attempt } => {
                throttle.failed(attempt, now);
                Some(delay.as_secs())
            }
            Verdict::Locked => None,
        }
    }

    #[test]
    fn delays_grow_then_the_account_locks_from_that_address_only() {
        let throttle = Throttle::new();
        let start = Instant::now();
        let email = "pat@school.example";
        let attacker = Some("10.0.0.1");
        let delays: Vec<Option<u64>> = (0..LOCK_AFTER)
            .map(|_| fail(&throttle, email, attacker, start))
            .collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 30, 30].map(Some).to_vec());
        assert!(
            matches!(throttle.begin(email, attacker, start), Verdict::Locked),
            "locked from the attacker's address"
        );
        assert!(
            matches!(
                throttle.begin(" PAT@school.example", attacker, start),
                Verdict::Locked
            ),
            "any spelling"
        );
        // The owner, elsewhere, gets in (with at most a short wait).
        match throttle.begin(email, Some("10.0.0.2"), start) {
            Verdict::Proceed { delay, attempt } => {
                assert!(delay <= Duration::from_secs(1));
                throttle.succeeded(attempt);
            }
            Verdict::Locked => panic!("the owner was locked out"),
        }
        assert_eq!(
            throttle.locks(email, start).len(),
            1,
            "an admin sees the lock"
        );
        let later = start + LOCK_FOR + Duration::from_secs(1);
        assert!(
            delay(&throttle.begin(email, attacker, later)).is_some(),
            "unlocks after 15 minutes"
        );
    }

    #[test]
    fn a_burst_is_counted_before_any_password_is_checked() {
        let throttle = Throttle::new();
        let now = Instant::now();
        // Twenty guesses arrive together: none has been checked yet.
        let verdicts: Vec<Verdict> = (0..20)
            .map(|_| throttle.begin("pat@school.example", Some("10.0.0.1"), now))
            .collect();
        let delays: Vec<Option<u64>> = verdicts.iter().map(delay).collect();
        assert_eq!(&delays[..4], &[Some(0), Some(0), Some(0), Some(1)]);
        assert!(
            delays[LOCK_AFTER as usize..].iter().all(Option::is_none),
            "beyond the limit, refused: {delays:?}"
        );
    }

    #[test]
    fn an_admin_lifts_a_lock_and_unknown_emails_are_treated_alike() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for _ in 0..LOCK_AFTER {
            fail(&throttle, "nobody@school.example", Some("10.0.0.1"), now);
        }
        assert!(matches!(
            throttle.begin("nobody@school.example", Some("10.0.0.1"), now),
            Verdict::Locked
        ));
        throttle.lift("Nobody@school.example");
        assert!(throttle.locks("nobody@school.example", now).is_empty());
        assert_eq!(
            delay(&throttle.begin("nobody@school.example", Some("10.0.0.1"), now)),
            Some(0)
        );
    }

    #[test]
    fn a_success_takes_its_count_back() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for _ in 0..3 {
            fail(&throttle, "pat@school.example", None, now);
        }
        let Verdict::Proceed { delay, attempt } = throttle.begin("pat@school.example", None, now)
        else {
            panic!("locked")
        };
        assert_eq!(delay, Duration::from_secs(1));
        throttle.succeeded(attempt);
        assert_eq!(
            super::tests::delay(&throttle.begin("pat@school.example", None, now)),
            Some(0)
        );
    }

    #[test]
    fn one_address_is_slowed_down_never_refused() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for index in 0..ADDRESS_SLOW_AFTER * 3 {
            fail(
                &throttle,
                &format!("person{index}@school.example"),
                Some("10.0.0.9"),
                now,
            );
        }
        let waited = delay(&throttle.begin("teacher@school.example", Some("10.0.0.9"), now));
        assert!(
            waited.is_some_and(|secs| (1..=3).contains(&secs)),
            "slowed, not refused: {waited:?}"
        );
        assert_eq!(
            delay(&throttle.begin("teacher@school.example", Some("10.0.0.8"), now)),
            Some(0),
            "other addresses are not slowed"
        );
    }
}
