//! The coverage page's memory: the roster's part of the figures changes
//! only with imports and status changes, while marks change all the time,
//! so it is kept (per database, in its `Db`) for the schools seen lately,
//! each under a fingerprint of the roster it was read from.

use std::sync::{Arc, Mutex, MutexGuard};

/// What changes whenever a school's roster does: the school, its last
/// import, and the last change of any student's status (added, left or
/// back) or attributes.
pub type Fingerprint = (i64, Option<i64>, Option<i64>, Option<i64>);

/// At most this many schools' snapshots are kept.
const KEPT: usize = 8;

/// The latest value of each of the last few schools, by fingerprint.
pub struct Recent<V>(Mutex<Vec<(Fingerprint, Arc<V>)>>);

impl<V> Default for Recent<V> {
    fn default() -> Self {
        Recent(Mutex::new(Vec::new()))
    }
}

impl<V> Recent<V> {
    fn lock(&self) -> MutexGuard<'_, Vec<(Fingerprint, Arc<V>)>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value kept under exactly this fingerprint.
    pub fn get(&self, fingerprint: &Fingerprint) -> Option<Arc<V>> {
        self.lock()
            .iter()
            .find(|(kept, _)| kept == fingerprint)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` as its school's latest, forgetting the school's older
    /// one and, when full, the school seen longest ago.
    pub fn keep(&self, fingerprint: Fingerprint, value: Arc<V>) {
        let mut kept = self.lock();
        kept.retain(|(other, _)| other.0 != fingerprint.0);
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((fingerprint, value));
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_keeps_only_its_latest_roster_and_the_oldest_school_goes_first() {
        let recent = Recent::<&str>::default();
        recent.keep((1, Some(1), None, None), Arc::new("first"));
        recent.keep((1, Some(2), None, None), Arc::new("second"));
        assert!(recent.get(&(1, Some(1), None, None)).is_none());
        assert_eq!(*recent.get(&(1, Some(2), None, None)).unwrap(), "second");
        for school in 2..=(KEPT as i64 + 1) {
            recent.keep((school, None, None, None), Arc::new("other"));
        }
        assert!(recent.get(&(1, Some(2), None, None)).is_none());
        assert!(recent.get(&(KEPT as i64 + 1, None, None, None)).is_some());
    }
}
