//! Why policies could not be loaded or none is in force: the error of the policy layer.

/// Why policies could not be loaded or none is in force. `Display` names file, rule id and
/// field, or the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}
