//! Everything that can happen in the assessment dialog.

/// What can happen in the assessment dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessAction {
    Up,
    Down,
    /// The previous / next word of the row's vocabulary.
    Prev,
    Next,
    /// Start editing the note of the row's factor.
    EditNote,
    /// A character typed into the note.
    Type(char),
    Backspace,
    /// End editing the note.
    NoteDone,
    /// Record the assessment (refused while it is not valid).
    Confirm,
    /// Leave without recording anything.
    Cancel,
    Paste(String),
    Resize(u16, u16),
}
