//! Interning of attribute sets: equal [`PathAttributes`] share one `Arc`, across UPDATEs.
//!
//! A full table has several prefixes per distinct attribute set, and peers resend the same set
//! in many UPDATEs; interning keeps one copy, and lets the RIBs compare attributes by pointer.
//! Sets nobody else holds any more are swept out when the table has doubled since the last
//! sweep, so the cost stays amortised O(1) per UPDATE.

use crate::attributes::PathAttributes;
use std::collections::HashSet;
use std::sync::Arc;

/// The smallest table that triggers a sweep.
const MIN_SWEEP: usize = 1024;

/// A set of shared attribute sets.
#[derive(Clone, Debug)]
pub(crate) struct AttributeCache {
    set: HashSet<Arc<PathAttributes>>,
    sweep_at: usize,
}

impl Default for AttributeCache {
    fn default() -> Self {
        Self {
            set: HashSet::new(),
            sweep_at: MIN_SWEEP,
        }
    }
}

impl AttributeCache {
    /// The shared copy of `attributes`.
    pub(crate) fn intern(&mut self, attributes: PathAttributes) -> Arc<PathAttributes> {
        if let Some(shared) = self.set.get(&attributes) {
            return Arc::clone(shared);
        }
        if self.set.len() >= self.sweep_at {
            self.sweep();
        }
        let shared = Arc::new(attributes);
        self.set.insert(Arc::clone(&shared));
        shared
    }

    /// Drops the sets only this cache holds.
    fn sweep(&mut self) {
        self.set.retain(|a| Arc::strong_count(a) > 1);
        self.sweep_at = (2 * self.set.len()).max(MIN_SWEEP);
    }

    /// Forgets every set.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::attrs;

    #[test]
    fn equal_sets_share_one_arc() {
        let mut cache = AttributeCache::default();
        let a = cache.intern(attrs());
        let b = cache.intern(attrs());
        assert!(Arc::ptr_eq(&a, &b));
        let mut other = attrs();
        other.med = Some(1);
        assert!(!Arc::ptr_eq(&a, &cache.intern(other)));
    }

    #[test]
    fn unused_sets_are_swept() {
        let mut cache = AttributeCache::default();
        let kept = cache.intern(attrs());
        for med in 0..(3 * MIN_SWEEP as u32) {
            let mut a = attrs();
            a.med = Some(med);
            drop(cache.intern(a));
        }
        assert!(cache.len() <= 2 * MIN_SWEEP, "{}", cache.len());
        // A set still in use survives sweeps and is still shared.
        assert!(Arc::ptr_eq(&kept, &cache.intern(attrs())));
    }
}
