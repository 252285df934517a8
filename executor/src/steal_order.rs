//! Go's `randomOrder` (runtime/proc.go): visits every P exactly once in a
//! pseudo-random order, stepping by a stride coprime to the P count.

/// Port of `randomOrder`.
#[derive(Debug, Default)]
pub(crate) struct StealOrder {
    count: u32,
    coprimes: Vec<u32>,
}

impl StealOrder {
    /// Port of `randomOrder.reset`.
    pub(crate) fn reset(&mut self, count: u32) {
        self.count = count;
        self.coprimes = (1..=count).filter(|&c| gcd(c, count) == 1).collect();
    }

    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    /// Port of `randomOrder.start` plus the enumerator: the P ids in the
    /// order `r` selects.
    pub(crate) fn start(&self, r: u32) -> impl Iterator<Item = usize> + '_ {
        let n = self.count;
        let inc = self.coprimes[(r / n) as usize % self.coprimes.len()];
        let mut pos = r % n;
        (0..n).map(move |_| {
            let p = pos;
            pos = (pos + inc) % n;
            p as usize
        })
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's TestStealOrder.
    #[test]
    fn every_p_once_and_distinct_starts() {
        let mut ord = StealOrder::default();
        for procs in 1..=64u32 {
            ord.reset(procs);
            if procs >= 3 {
                assert!(ord.coprimes.len() >= 2, "procs={procs}");
            }
            let mut starts = std::collections::HashSet::new();
            for r in 0..procs * ord.coprimes.len() as u32 {
                let mut seen = vec![false; procs as usize];
                let order: Vec<_> = ord.start(r).collect();
                for &p in &order {
                    assert!(!seen[p], "procs={procs} r={r}: P {p} twice");
                    seen[p] = true;
                }
                assert_eq!(order.len(), procs as usize);
                starts.insert((order[0], order.get(1).copied()));
            }
            if procs >= 2 {
                assert_eq!(
                    starts.len(),
                    (procs * ord.coprimes.len() as u32) as usize,
                    "procs={procs}"
                );
            }
        }
    }
}
