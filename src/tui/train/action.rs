//! Everything that can happen on the practice screens, and the effects `update` asks for.

use crate::training::Score;

/// What can happen on the practice screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainAction {
    Up,
    Down,
    /// Choose the option under the cursor (or the n-th, 1-based).
    Choose,
    Pick(u8),
    Yes,
    No,
    Next,
    Help,
    /// `q`: quit when the pack is done, otherwise ask first.
    Quit,
    /// Quit now (the "abandon?" answer, Ctrl-C); an unfinished session records nothing.
    Abandon,
    /// "No, keep practising".
    Stay,
    Resize(u16, u16),
    /// The completion record was written (`Ok(where)`) or not (`Err(why)`).
    Recorded(Result<String, String>),
}

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainEffect {
    /// The session finished: sign and append the completion record.
    RecordCompletion(Score),
    Quit,
}
