//! An appender that has appended before (the review screen's) keeps state between appends
//! to cut the fixed cost of the next one (docs/signed-log.md#appending): the first line's
//! verdict, the items index's read position, the tail found in the last lines' bytes.
//! None of it may let a log changed behind its back be written to, or make it look at the
//! wrong lines: these cases give what a fresh appender gives.

use crate::log_support;

use log_support::*;
use p2review::log::append::AppendError;
use p2review::log::findings::Code;
use p2review::log::{DecisionInput, LogKind, Receipt, RecordError, Recorder};

fn input(note: &str, supersedes: Option<String>) -> DecisionInput {
    DecisionInput {
        decision: p2review::decision::Decision::Deny,
        reason_code: Some(p2review::decision::ReasonCode::ConsentMissing),
        note: Some(note.into()),
        supersedes,
    }
}

fn record(
    rec: &Recorder,
    fx: &Fixture,
    i: usize,
    note: &str,
    sup: Option<String>,
) -> Result<Receipt, RecordError> {
    let d = &fx.queue.queue.disclosures[i];
    rec.record(&fx.queue, d, &fx.eval(i), input(note, sup))
}

fn tail_code(r: Result<Receipt, RecordError>) -> Code {
    match r {
        Err(RecordError::Append(AppendError::Tail { code, .. })) => code,
        other => panic!("expected a refused tail, got {other:?}"),
    }
}

/// The last entry changed in place (same size, same inode) after a warm appender wrote it:
/// refused, with the head file (`E_FORK`) and without (the entry's own `E_SIG_INVALID`).
#[test]
fn a_tail_changed_in_place_behind_a_warm_appender_is_refused() {
    for heads in [true, false] {
        let env = Env::with_key("rev@clinic.example");
        let fx = Fixture::new(3);
        let rec = Recorder::open(
            &env.data_dir(),
            &env.log(),
            LogKind::Production,
            env.signer(),
        );
        record(&rec, &fx, 0, "call back #1", None).unwrap();
        record(&rec, &fx, 1, "call back #2", None).unwrap();
        if !heads {
            std::fs::remove_dir_all(env.data_dir().heads_dir()).unwrap();
        }
        let mut bytes = std::fs::read(env.log()).unwrap();
        let at = bytes.len() - bytes.rsplit(|&b| b == b'\n').nth(1).unwrap().len() - 1;
        let note = at + find(&bytes[at..], b"call back #2").unwrap() + 11;
        bytes[note] = b'7';
        std::fs::write(env.log(), &bytes).unwrap();
        let code = tail_code(record(&rec, &fx, 2, "call back #3", None));
        assert_eq!(
            code,
            if heads { Code::Fork } else { Code::SigInvalid },
            "heads: {heads}"
        );
        assert_eq!(std::fs::read(env.log()).unwrap(), bytes, "nothing written");
    }
}

/// Without a head file the last valid entry is looked for within the last 64 KiB: behind
/// more than two lines' worth of complete bad lines it is still found (and the bad lines
/// after it refuse the append with their own code); behind more than 64 KiB it is not.
#[test]
fn the_last_valid_entry_is_looked_for_in_the_whole_window() {
    for (garbage, want) in [(3, Code::Framing), (23, Code::TornMiddle)] {
        let env = Env::with_key("rev@clinic.example");
        let fx = Fixture::new(2);
        let rec = Recorder::open(
            &env.data_dir(),
            &env.log(),
            LogKind::Production,
            env.signer(),
        );
        record(&rec, &fx, 0, "first", None).unwrap();
        std::fs::remove_dir_all(env.data_dir().heads_dir()).unwrap();
        let mut bytes = std::fs::read(env.log()).unwrap();
        for _ in 0..garbage {
            bytes.extend_from_slice(&[b'x'; 3000]);
            bytes.push(b'\n');
        }
        std::fs::write(env.log(), &bytes).unwrap();
        assert_eq!(
            tail_code(record(&rec, &fx, 1, "second", None)),
            want,
            "{garbage} bad lines"
        );
    }
}

/// A warm appender whose log was moved aside starts a new log, and its index of effective
/// decisions starts over with it: a decision on an item decided only in the old log needs
/// no `supersedes`.
#[test]
fn a_warm_appender_starts_over_on_a_new_log() {
    let env = Env::with_key("rev@clinic.example");
    let fx = Fixture::new(1);
    let rec = Recorder::open(
        &env.data_dir(),
        &env.log(),
        LogKind::Production,
        env.signer(),
    );
    let first = record(&rec, &fx, 0, "old log", None).unwrap();
    std::fs::rename(env.log(), env.path("old.jsonl")).unwrap();
    let second = record(&rec, &fx, 0, "new log", None).unwrap();
    assert_ne!(first.log_id, second.log_id);
    assert_eq!(second.seq, 1);
    // And in the new log the item's decision must be superseded again.
    match record(&rec, &fx, 0, "repeat", None) {
        Err(RecordError::Supersede(p)) => {
            assert_eq!(p.to_supersede(), vec![second.entry_sha256.as_str()])
        }
        other => panic!("expected a supersede refusal, got {other:?}"),
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}
