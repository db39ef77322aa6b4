//! What the team tests of both backends share (tests/team.rs: directory; tests/team_pg.rs:
//! PostgreSQL): reading the reviewer processes' `ACK <disclosure> <entry> <µs>` lines, the
//! exactly-once checks on what they recorded, and the figures they print.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Output};
use std::time::Duration;

use p2review::team::{ClaimInfo, ClaimState};

/// What the reviewer processes acknowledged: each disclosure once, with its entry hash.
pub struct Acks {
    pub acked: HashMap<String, String>,
    pub per_child: Vec<usize>,
    /// Claim+decide round trips, in microseconds.
    pub latencies: Vec<u64>,
}

/// Reads every child's ACK lines to its `DONE`; fails on a disclosure acknowledged twice,
/// a child that failed or did not finish.
pub fn collect_acks(children: Vec<Child>) -> Acks {
    let mut acks = Acks {
        acked: HashMap::new(),
        per_child: Vec::new(),
        latencies: Vec::new(),
    };
    for mut c in children {
        let out = BufReader::new(c.stdout.take().unwrap());
        let (mut n, mut done) = (0, false);
        for line in out.lines() {
            let line = line.unwrap();
            if line == "DONE" {
                done = true;
                continue;
            }
            let mut it = line.split(' ');
            assert_eq!(it.next(), Some("ACK"), "{line}");
            let (id, entry) = (it.next().unwrap(), it.next().unwrap());
            acks.latencies
                .push(it.next().unwrap().parse::<u64>().unwrap());
            assert!(
                acks.acked.insert(id.to_owned(), entry.to_owned()).is_none(),
                "{id} was decided twice"
            );
            n += 1;
        }
        assert!(c.wait().unwrap().success());
        assert!(done, "a reviewer process did not finish");
        acks.per_child.push(n);
    }
    acks
}

impl Acks {
    /// Every one of `items` decided, by more than one reviewer (they really ran at once).
    pub fn assert_all_decided(&self, items: usize) {
        assert_eq!(
            self.acked.len(),
            items,
            "every item decided: {:?}",
            self.per_child
        );
        assert!(
            self.per_child.iter().filter(|&&n| n > 0).count() >= 2,
            "{:?}",
            self.per_child
        );
    }

    /// The logs read back hold exactly the acknowledged entries, all verified.
    pub fn assert_logs_hold_them(&self, loaded: &p2review::supervise::Loaded) {
        let ok: Vec<_> = loaded
            .records
            .iter()
            .filter(|r| r.verification.ok())
            .collect();
        assert_eq!(ok.len(), self.acked.len());
        assert_eq!(loaded.records.len(), self.acked.len());
        let ids: HashSet<&str> = ok.iter().map(|r| r.body.disclosure.as_str()).collect();
        assert_eq!(ids.len(), self.acked.len());
        for r in &ok {
            assert_eq!(self.acked[r.body.disclosure.as_str()], r.entry_sha256.hex());
        }
    }

    /// Every claim ended as `decided <the acknowledged entry>`.
    pub fn assert_claims_decided(&self, claims: Vec<ClaimInfo>) {
        assert_eq!(claims.len(), self.acked.len());
        for c in claims {
            match c.state {
                ClaimState::Decided { entry } => assert_eq!(self.acked[&c.disclosure], entry),
                s => panic!("{} ended as {s:?}", c.disclosure),
            }
        }
    }

    /// The figures BENCHMARKS.md quotes: throughput and round-trip percentiles.
    pub fn report(&mut self, backend: &str, elapsed: Duration) {
        self.latencies.sort_unstable();
        let l = &self.latencies;
        let pct = |p: usize| l[(l.len() * p / 100).min(l.len() - 1)];
        eprintln!(
            "{backend}, {} reviewers, {} items: {:.1} s ({:.0} decisions/s), per reviewer {:?}; claim+decide round trip p50 {} µs, p99 {} µs ({} build)",
            self.per_child.len(),
            self.acked.len(),
            elapsed.as_secs_f32(),
            self.acked.len() as f64 / elapsed.as_secs_f64(),
            self.per_child,
            pct(50),
            pct(99),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
    }
}

pub fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// The `entry=<hash>` of a `decide` receipt.
pub fn receipt_entry(o: &Output) -> String {
    let s = String::from_utf8_lossy(&o.stdout);
    s.split_whitespace()
        .find_map(|w| w.strip_prefix("entry="))
        .unwrap_or_else(|| {
            panic!(
                "no receipt in {s:?} / {}",
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .to_owned()
}
