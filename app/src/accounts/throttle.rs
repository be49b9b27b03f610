//! Slowing down password guessing without locking out the people who know
//! their password.
//!
//! Three counts, each of failures in the last [`FORGET_AFTER`]:
//!
//! - **account + where**: after a few failures each further attempt waits
//!   longer; after [`LOCK_AFTER`] the account is locked *from there* for
//!   [`LOCK_FOR`]. "Where" is the browser when it has signed in to this
//!   account before (a *known device*: a random token in a cookie, given at
//!   each successful sign-in), otherwise the client's address. Someone
//!   guessing a teacher's password, even behind the school's one NAT
//!   address, locks only their own browser and address out; the teacher's
//!   own Chromebook still gets in, and an admin can see and lift the lock.
//! - **address**: a whole school often signs in from one address (NAT, a
//!   reverse proxy), so many failures from one address only slow its
//!   attempts down, never refuse them.
//! - **account**: guesses from many addresses slow every attempt on the
//!   account down; past [`ACCOUNT_SLOW_AFTER`] failures only one attempt
//!   from an unknown browser is checked at a time, so spreading guesses
//!   over many addresses and sending them in parallel gains nothing. Known
//!   devices are exempt.
//!
//! An attempt is counted when it begins, before the password is checked,
//! so a burst of parallel guesses meets the delays and the lock as if the
//! guesses came one after the other; a success takes its count back.
//! Keys are tracked whether or not the account exists, so a lock says
//! nothing about which emails are real. State is in memory: a restart
//! forgives everyone (and forgets known devices, which then count by
//! address again), which is acceptable for limits that exist to make
//! guessing slow.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
/// Past this many records the oldest unlocked ones are forgotten, so a
/// spray of made-up emails cannot fill the memory.
const MAX_RECORDS: usize = 100_000;
/// Known devices remembered per account (a teacher's laptop, phone and the
/// Chromebooks they use), the oldest forgotten first: so the memory they
/// take grows with real accounts only, and nobody's sign-ins push another
/// account's devices out.
const DEVICES_PER_ACCOUNT: usize = 10;

#[derive(Debug, Clone)]
struct Record {
    /// Failures and attempts still being checked.
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
    /// Account records: held by the attempt from an unknown browser being
    /// checked, if any (it holds a clone; dropping the attempt, reported or
    /// not, frees the place).
    busy: Option<Arc<()>>,
}

#[derive(Debug)]
pub struct Throttle {
    records: Mutex<HashMap<Key, Record>>,
    devices: Mutex<Devices>,
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
    /// The account (lower-cased email) and where the attempt comes from:
    /// `device:…` for a known device, else the address, if known.
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
    /// The pair's "where" (see [`Key::Pair`]).
    place: Option<String>,
    /// The account's one place for unknown browsers, while held.
    _place_held: Option<Arc<()>>,
}

/// Known devices, both ways round.
#[derive(Debug, Default)]
struct Devices {
    /// Hash of a token → the accounts (lower-cased emails) signed in with it.
    accounts_of: HashMap<String, Vec<String>>,
    /// Account → its devices' hashes, oldest first.
    of_account: HashMap<String, std::collections::VecDeque<String>>,
}

/// Where a sign-in attempt comes from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    pub address: Option<&'a str>,
    /// The known-device tokens the browser sent (a cookie may come more
    /// than once).
    pub devices: &'a [String],
}

/// What to do with a sign-in attempt before checking the password.
#[derive(Debug)]
pub enum Verdict {
    /// Check the password after waiting this long.
    Proceed { delay: Duration, attempt: Attempt },
    /// Refuse without checking: too many failures on this account from
    /// this address.
    Locked,
    /// Refuse without checking: the account is under attack from many
    /// places and an attempt from an unknown browser is being checked.
    Busy,
}

/// A lock an admin may see and lift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The address the guesses came from, when the server knows it
    /// (`None` also for a browser that had signed in before).
    pub address: Option<String>,
    pub remaining: Duration,
}

impl Throttle {
    pub fn new() -> Self {
        Throttle {
            records: Mutex::default(),
            devices: Mutex::default(),
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

    /// Begins an attempt on `email` from `client` at `now`, counting it.
    pub fn begin(&self, email: &str, client: Client<'_>, now: Instant) -> Verdict {
        let email = normal(email);
        let address = client.address.map(str::to_string);
        let known = client
            .devices
            .iter()
            .map(|token| device_hash(token))
            .find(|hash| self.is_known(hash, &email));
        let place = match &known {
            Some(hash) => Some(format!("device:{hash}")),
            None => address.clone(),
        };
        let mut records = self.records();
        let keys = keys(&email, place.as_deref(), address.as_deref());
        for key in &keys {
            if records.get(key).is_some_and(|r| is_stale(r, now)) {
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
        let account = Key::Account(email.clone());
        let under_attack = count(&records, &account) >= ACCOUNT_SLOW_AFTER;
        let takes_place = under_attack && known.is_none();
        if takes_place
            && records
                .get(&account)
                .and_then(|r| r.busy.as_ref())
                .is_some_and(|held| Arc::strong_count(held) > 1)
        {
            return Verdict::Busy;
        }
        let place_held = takes_place.then(|| Arc::new(()));
        let mut delay = delay_after(before);
        for key in &keys[1..] {
            let (slow_after, step) = match key {
                Key::Address(_) => (ADDRESS_SLOW_AFTER, ADDRESS_SLOW_AFTER),
                _ if known.is_some() => continue,
                _ => (ACCOUNT_SLOW_AFTER, LOCK_AFTER),
            };
            let failures = count(&records, key);
            if failures >= slow_after {
                // One more second for every `step` failures beyond the threshold.
                let seconds = u64::from(1 + (failures - slow_after) / step);
                delay = delay.max(Duration::from_secs(seconds));
            }
        }
        let delay = delay.min(MAX_DELAY);
        for key in keys {
            let is_account = key == account;
            let record = records.entry(key).or_insert(Record {
                count: 0,
                last: now,
                locked_until: None,
                busy: None,
            });
            record.count += 1;
            record.last = now;
            if is_account && place_held.is_some() {
                record.busy = place_held.clone();
            }
        }
        if records.len() > MAX_RECORDS {
            forget_oldest(&mut records, now);
        }
        Verdict::Proceed {
            delay: if self.waits { delay } else { Duration::ZERO },
            attempt: Attempt {
                email,
                address,
                place,
                _place_held: place_held,
            },
        }
    }

    /// The attempt's password was wrong: it stays counted, and the pair
    /// locks when it has reached its limit.
    pub fn failed(&self, attempt: Attempt, now: Instant) {
        let mut records = self.records();
        let pair = Key::Pair(attempt.email, attempt.place);
        if records.get(&pair).is_some_and(|r| r.count >= LOCK_AFTER) {
            lock(&mut records, pair, now);
        }
    }

    /// The attempt's password was right: its count is taken back
    /// everywhere, and the account's failures from there are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut records = self.records();
        let keys = keys(
            &attempt.email,
            attempt.place.as_deref(),
            attempt.address.as_deref(),
        );
        for key in keys {
            let forget = matches!(key, Key::Pair(..));
            if let Some(record) = records.get_mut(&key) {
                record.count = record.count.saturating_sub(1);
                if forget || record.count == 0 {
                    records.remove(&key);
                }
            }
        }
    }

    /// [`Throttle::succeeded`] for a sign-in: the browser also becomes a
    /// known device of the account. Its token is kept if it is one of
    /// Tether's (a browser shared by several people carries one for all),
    /// else a new one is made. Returns the token, for the browser to keep.
    pub fn signed_in(&self, attempt: Attempt, presented: &[String]) -> String {
        let email = attempt.email.clone();
        self.succeeded(attempt);
        let mut devices = self.devices();
        let token = presented
            .iter()
            .find(|token| devices.accounts_of.contains_key(&device_hash(token)))
            .cloned()
            .unwrap_or_else(new_token);
        let hash = device_hash(&token);
        let accounts = devices.accounts_of.entry(hash.clone()).or_default();
        if !accounts.contains(&email) {
            accounts.push(email.clone());
        }
        let mine = devices.of_account.entry(email.clone()).or_default();
        mine.retain(|known| *known != hash);
        mine.push_back(hash);
        let forgotten = (mine.len() > DEVICES_PER_ACCOUNT)
            .then(|| mine.pop_front())
            .flatten();
        if let Some(old) = forgotten {
            if let Some(accounts) = devices.accounts_of.get_mut(&old) {
                accounts.retain(|known| *known != email);
                if accounts.is_empty() {
                    devices.accounts_of.remove(&old);
                }
            }
        }
        token
    }

    fn devices(&self) -> std::sync::MutexGuard<'_, Devices> {
        self.devices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn is_known(&self, hash: &str, email: &str) -> bool {
        self.devices()
            .accounts_of
            .get(hash)
            .is_some_and(|emails| emails.iter().any(|known| known == email))
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
                        address: address
                            .clone()
                            .filter(|place| !place.starts_with("device:")),
                        remaining: until - now,
                    }),
                _ => None,
            })
            .collect();
        locks.sort_by(|a, b| a.address.cmp(&b.address));
        locks
    }

    /// Lifts every lock on `email` (an admin who has checked with the
    /// person). The account's own count stays, so lifting again and again
    /// does not undo the slowing down of guesses from many places.
    pub fn lift(&self, email: &str) {
        let email = normal(email);
        let mut records = self.records();
        records.retain(|key, _| match key {
            Key::Pair(account, _) => *account != email,
            Key::Account(_) | Key::Address(_) => true,
        });
        if let Some(account) = records.get_mut(&Key::Account(email)) {
            account.busy = None;
        }
    }
}

fn is_stale(record: &Record, now: Instant) -> bool {
    now.duration_since(record.last) > FORGET_AFTER
        && record.locked_until.is_none_or(|until| now >= until)
}

/// Makes room: stale records go first, then the unlocked ones with the
/// fewest failures (a spray of made-up emails leaves one each), the oldest
/// first among equals, down to nine tenths of the limit. Locked records
/// stay: each took ten failures to make.
fn forget_oldest(records: &mut HashMap<Key, Record>, now: Instant) {
    records.retain(|_, record| !is_stale(record, now));
    if records.len() <= MAX_RECORDS {
        return;
    }
    let mut unlocked: Vec<(u32, Instant, Key)> = records
        .iter()
        .filter(|(_, r)| r.locked_until.is_none_or(|until| now >= until))
        .map(|(key, r)| (r.count, r.last, key.clone()))
        .collect();
    let excess = records.len().saturating_sub(MAX_RECORDS * 9 / 10);
    unlocked.sort_unstable_by_key(|(count, last, _)| (*count, *last));
    for (_, _, key) in unlocked.into_iter().take(excess) {
        records.remove(&key);
    }
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn device_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
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

/// The pair first, then the account, then the address.
fn keys(email: &str, place: Option<&str>, address: Option<&str>) -> Vec<Key> {
    let mut keys = vec![
        Key::Pair(email.to_string(), place.map(str::to_string)),
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
            Verdict::Locked | Verdict::Busy => None,
        }
    }

    fn from(address: &str) -> Client<'_> {
        Client {
            address: Some(address),
            devices: &[],
        }
    }

    /// One wrong password, checked and reported.
    fn fail(throttle: &Throttle, email: &str, client: Client<'_>, now: Instant) -> Option<u64> {
        match throttle.begin(email, client, now) {
            Verdict::Proceed { delay, attempt } => {
                throttle.failed(attempt, now);
                Some(delay.as_secs())
            }
            Verdict::Locked | Verdict::Busy => None,
        }
    }

    #[test]
    fn delays_grow_then_the_account_locks_from_that_address_only() {
        let throttle = Throttle::new();
        let start = Instant::now();
        let email = "pat@school.example";
        let attacker = "10.0.0.1";
        let delays: Vec<Option<u64>> = (0..LOCK_AFTER)
            .map(|_| fail(&throttle, email, from(attacker), start))
            .collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 30, 30].map(Some).to_vec());
        assert!(
            matches!(
                throttle.begin(email, from(attacker), start),
                Verdict::Locked
            ),
            "locked from the attacker's address"
        );
        assert!(
            matches!(
                throttle.begin(" PAT@school.example", from(attacker), start),
                Verdict::Locked
            ),
            "any spelling"
        );
        // The owner, elsewhere, gets in (with at most a short wait).
        match throttle.begin(email, from("10.0.0.2"), start) {
            Verdict::Proceed { delay, attempt } => {
                assert!(delay <= Duration::from_secs(1));
                throttle.succeeded(attempt);
            }
            Verdict::Locked | Verdict::Busy => panic!("the owner was locked out"),
        }
        assert_eq!(
            throttle.locks(email, start).len(),
            1,
            "an admin sees the lock"
        );
        let later = start + LOCK_FOR + Duration::from_secs(1);
        assert!(
            delay(&throttle.begin(email, from(attacker), later)).is_some(),
            "unlocks after 15 minutes"
        );
    }

    #[test]
    fn a_burst_is_counted_before_any_password_is_checked() {
        let throttle = Throttle::new();
        let now = Instant::now();
        // Twenty guesses arrive together: none has been checked yet.
        let verdicts: Vec<Verdict> = (0..20)
            .map(|_| throttle.begin("pat@school.example", from("10.0.0.1"), now))
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
            fail(&throttle, "nobody@school.example", from("10.0.0.1"), now);
        }
        assert!(matches!(
            throttle.begin("nobody@school.example", from("10.0.0.1"), now),
            Verdict::Locked
        ));
        throttle.lift("Nobody@school.example");
        assert!(throttle.locks("nobody@school.example", now).is_empty());
        assert_eq!(
            delay(&throttle.begin("nobody@school.example", from("10.0.0.1"), now)),
            Some(0)
        );
    }

    #[test]
    fn a_success_takes_its_count_back() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for _ in 0..3 {
            fail(&throttle, "pat@school.example", Client::default(), now);
        }
        let Verdict::Proceed { delay, attempt } =
            throttle.begin("pat@school.example", Client::default(), now)
        else {
            panic!("locked")
        };
        assert_eq!(delay, Duration::from_secs(1));
        throttle.succeeded(attempt);
        assert_eq!(
            super::tests::delay(&throttle.begin("pat@school.example", Client::default(), now)),
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
                from("10.0.0.9"),
                now,
            );
        }
        let waited = delay(&throttle.begin("teacher@school.example", from("10.0.0.9"), now));
        assert!(
            waited.is_some_and(|secs| (1..=3).contains(&secs)),
            "slowed, not refused: {waited:?}"
        );
        assert_eq!(
            delay(&throttle.begin("teacher@school.example", from("10.0.0.8"), now)),
            Some(0),
            "other addresses are not slowed"
        );
    }

    #[test]
    fn a_teachers_own_browser_gets_in_even_behind_the_guessers_address() {
        let throttle = Throttle::new();
        let now = Instant::now();
        let email = "pat@school.example";
        let school_nat = "10.0.0.1";
        let Verdict::Proceed { attempt, .. } = throttle.begin(email, from(school_nat), now) else {
            panic!("locked")
        };
        let device = [throttle.signed_in(attempt, &[])];
        // A student on the same network guesses until locked out.
        for _ in 0..LOCK_AFTER {
            fail(&throttle, email, from(school_nat), now);
        }
        assert!(matches!(
            throttle.begin(email, from(school_nat), now),
            Verdict::Locked
        ));
        assert!(
            matches!(
                throttle.begin(
                    email,
                    Client {
                        address: Some(school_nat),
                        devices: &["made-up".to_string()]
                    },
                    now
                ),
                Verdict::Locked
            ),
            "a made-up device token is just the address"
        );
        let teacher = Client {
            address: Some(school_nat),
            devices: &device,
        };
        assert_eq!(delay(&throttle.begin(email, teacher, now)), Some(0));
        assert!(
            matches!(
                throttle.begin("someone.else@school.example", teacher, now),
                Verdict::Proceed { .. }
            ),
            "a device is known for its own account only"
        );
    }

    #[test]
    fn under_attack_from_many_addresses_one_unknown_attempt_is_checked_at_a_time() {
        let throttle = Throttle::without_waiting();
        let now = Instant::now();
        let email = "pat@school.example";
        for index in 0..ACCOUNT_SLOW_AFTER {
            fail(&throttle, email, from(&format!("2001:db8::{index}")), now);
        }
        let first = throttle.begin(email, from("2001:db8::aaaa"), now);
        assert!(matches!(first, Verdict::Proceed { .. }));
        let parallel: Vec<Verdict> = (0..50)
            .map(|index| throttle.begin(email, from(&format!("2001:db8::b{index}")), now))
            .collect();
        assert!(
            parallel.iter().all(|v| matches!(v, Verdict::Busy)),
            "refused as busy, not locked"
        );
        drop(parallel);
        // Reported or dropped (its request went away), the place is free.
        drop(first);
        let next = throttle.begin(email, from("2001:db8::cccc"), now);
        assert!(matches!(next, Verdict::Proceed { .. }));
        throttle.lift(email);
        assert!(
            matches!(
                throttle.begin(email, from("2001:db8::dddd"), now),
                Verdict::Proceed { .. }
            ),
            "an admin's unlock frees it too"
        );
        // Known devices never wait for the place.
        let Verdict::Proceed { attempt, .. } = throttle.begin(email, from("10.9.9.9"), now) else {
            panic!("busy")
        };
        let device = [throttle.signed_in(attempt, &[])];
        let _held = throttle.begin(email, from("2001:db8::eeee"), now);
        let owner = Client {
            address: Some("10.9.9.9"),
            devices: &device,
        };
        assert!(matches!(
            throttle.begin(email, owner, now),
            Verdict::Proceed { .. }
        ));
    }

    #[test]
    fn a_browser_keeps_one_token_for_everyone_who_signs_in_with_it() {
        let throttle = Throttle::new();
        let now = Instant::now();
        let sign_in = |email: &str, presented: &[String]| {
            let Verdict::Proceed { attempt, .. } = throttle.begin(email, from("10.0.0.1"), now)
            else {
                panic!("locked")
            };
            throttle.signed_in(attempt, presented)
        };
        let shared = [sign_in("ana@school.example", &[])];
        assert_eq!(
            sign_in("bo@school.example", &shared),
            shared[0],
            "the same Chromebook"
        );
        assert!(throttle.is_known(&device_hash(&shared[0]), "ana@school.example"));
        assert!(throttle.is_known(&device_hash(&shared[0]), "bo@school.example"));
        assert_ne!(
            sign_in("bo@school.example", &["planted".to_string()]),
            "planted",
            "a token Tether did not make is replaced"
        );
        // Someone signing in again and again pushes out only their own devices.
        for _ in 0..3 * DEVICES_PER_ACCOUNT {
            sign_in("mallory@school.example", &[]);
        }
        assert!(throttle.is_known(&device_hash(&shared[0]), "ana@school.example"));
        assert_eq!(
            throttle.devices().of_account["mallory@school.example"].len(),
            DEVICES_PER_ACCOUNT
        );
    }

    #[test]
    fn lifting_a_lock_keeps_the_accounts_count() {
        let throttle = Throttle::new();
        let now = Instant::now();
        let email = "pat@school.example";
        for round in 0..3 {
            for _ in 0..LOCK_AFTER {
                fail(&throttle, email, from("10.0.0.66"), now);
            }
            assert!(
                matches!(
                    throttle.begin(email, from("10.0.0.66"), now),
                    Verdict::Locked
                ),
                "round {round}"
            );
            throttle.lift(email);
        }
        assert!(
            delay(&throttle.begin(email, from("10.0.0.66"), now)).is_some_and(|secs| secs >= 1),
            "guesses stay slow"
        );
    }

    #[test]
    fn a_spray_of_made_up_emails_keeps_memory_bounded_and_the_counts() {
        let throttle = Throttle::new();
        let now = Instant::now();
        for _ in 0..LOCK_AFTER {
            fail(&throttle, "pat@school.example", from("10.0.0.66"), now);
        }
        for _ in 0..LOCK_AFTER - 1 {
            fail(&throttle, "kim@school.example", from("10.0.0.66"), now);
        }
        for index in 0..MAX_RECORDS / 2 + 10 {
            fail(
                &throttle,
                &format!("x{index}@spray.example"),
                from("10.0.0.66"),
                now,
            );
        }
        assert!(throttle.records().len() <= MAX_RECORDS);
        assert!(matches!(
            throttle.begin("pat@school.example", from("10.0.0.66"), now),
            Verdict::Locked
        ));
        assert_eq!(
            delay(&throttle.begin("kim@school.example", from("10.0.0.66"), now)),
            Some(30),
            "nine failures are not pushed out by made-up emails"
        );
    }
}
