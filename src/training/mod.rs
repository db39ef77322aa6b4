//! Training (docs/cli.md#train): practice packs with answer keys, scoring, and who is due.
//!
//! The same engine that evaluates real queues produces the right answers, so a trainee
//! learns exactly what the reviewer screen will say. Everything here is terminal-free;
//! the practice screens are in `tui`.

pub(crate) mod pack;
pub(crate) mod practice;
pub(crate) mod records;
pub(crate) mod status;

pub use pack::{PackError, TrainingPack, load_pack};
pub use practice::{Feedback, IncidentFeedback, Key, Phase, Question, Score, Session};
pub use records::{TrainingLog, TrainingLogError, own_training_notice, read_training_log};
pub use status::{
    AcceptedVersions, Completion, Currency, TraineeStatus, due_reason, summarize,
    summarize_with_failed,
};

/// Default pass mark, percent (docs/cli.md#train).
pub const DEFAULT_PASS_MARK: u8 = 80;

/// `passed` ⇔ 100·correct ≥ pass_mark·total (docs/signed-log.md#training_completion-training-logs-only). An empty session never passes.
pub fn passed(correct: u32, total: u32, pass_mark: u8) -> bool {
    total > 0 && 100 * u64::from(correct) >= u64::from(pass_mark) * u64::from(total)
}

#[cfg(test)]
mod tests {
    use super::passed;

    #[test]
    fn pass_rule_is_exact_at_the_mark() {
        assert!(passed(8, 10, 80));
        assert!(!passed(7, 10, 80));
        assert!(passed(4, 5, 80));
        assert!(!passed(3, 4, 80)); // 75 %
        assert!(passed(1, 3, 33) && !passed(1, 3, 34)); // 33.3 %
        assert!(passed(0, 4, 0));
        assert!(!passed(0, 0, 0));
        assert!(passed(12, 12, 100) && !passed(11, 12, 100));
    }
}
