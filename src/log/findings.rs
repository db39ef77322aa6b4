//! Finding codes of `log verify` (docs/signed-log.md#finding-codes). Spellings are normative.

/// One kind of problem (E_) or warning (W_).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Framing,
    Noncanonical,
    Schema,
    SeqGap,
    SeqDup,
    SeqOrder,
    PrevMismatch,
    LogMismatch,
    SigFormat,
    SigInvalid,
    SignerUnknown,
    SignerNotValid,
    TornMiddle,
    RecoveryInvalid,
    Truncated,
    Fork,
    CheckpointSig,
    TimeRegression,
    Io,
    TornTail,
    TimeSkew,
    UnanchoredTail,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Framing => "E_FRAMING",
            Code::Noncanonical => "E_NONCANONICAL",
            Code::Schema => "E_SCHEMA",
            Code::SeqGap => "E_SEQ_GAP",
            Code::SeqDup => "E_SEQ_DUP",
            Code::SeqOrder => "E_SEQ_ORDER",
            Code::PrevMismatch => "E_PREV_MISMATCH",
            Code::LogMismatch => "E_LOG_MISMATCH",
            Code::SigFormat => "E_SIG_FORMAT",
            Code::SigInvalid => "E_SIG_INVALID",
            Code::SignerUnknown => "E_SIGNER_UNKNOWN",
            Code::SignerNotValid => "E_SIGNER_NOT_VALID",
            Code::TornMiddle => "E_TORN_MIDDLE",
            Code::RecoveryInvalid => "E_RECOVERY_INVALID",
            Code::Truncated => "E_TRUNCATED",
            Code::Fork => "E_FORK",
            Code::CheckpointSig => "E_CHECKPOINT_SIG",
            Code::TimeRegression => "E_TIME_REGRESSION",
            Code::Io => "E_IO",
            Code::TornTail => "W_TORN_TAIL",
            Code::TimeSkew => "W_TIME_SKEW",
            Code::UnanchoredTail => "W_UNANCHORED_TAIL",
        }
    }

    pub fn is_error(self) -> bool {
        !matches!(self, Code::TornTail | Code::TimeSkew | Code::UnanchoredTail)
    }

    /// One sentence for stderr hints; never includes entry contents.
    pub fn hint(self) -> &'static str {
        match self {
            Code::Framing => {
                "a line is not {\"e\":BODY,\"sig\":\"B64\"} + LF within 4096 bytes, or its base64 is not canonical"
            }
            Code::Noncanonical => {
                "an entry body is not in canonical form (sorted keys, no whitespace, no escapes beyond \\\" and \\\\)"
            }
            Code::Schema => "an entry has a missing, unknown or malformed field",
            Code::SeqGap => "entries are missing (seq jumps)",
            Code::SeqDup => "an entry's seq repeats (inserted or replayed entry)",
            Code::SeqOrder => "entries are out of order",
            Code::PrevMismatch => "an entry's prev is not the hash of the line before it",
            Code::LogMismatch => "an entry belongs to another log",
            Code::SigFormat => {
                "a signature is not an ed25519 SSHSIG (sha512, namespace p2review-decision)"
            }
            Code::SigInvalid => "a signature does not verify: the entry was changed",
            Code::SignerUnknown => {
                "a signer is not trusted; pass --allowed-signers FILE listing every reviewer's key"
            }
            Code::SignerNotValid => "a key was used outside its valid-after/valid-before window",
            Code::TornMiddle => {
                "a partial line sits in the middle of the log without a tail_recovery entry"
            }
            Code::RecoveryInvalid => {
                "a tail_recovery entry does not describe the fragment before it"
            }
            Code::Truncated => {
                "the log holds fewer entries than an anchor (checkpoint or head file) says"
            }
            Code::Fork => {
                "the log differs from an anchor (checkpoint or head file) at the anchored entry"
            }
            Code::CheckpointSig => "a checkpoint's signature does not verify against a trusted key",
            Code::TimeRegression => "an entry's ts is more than 5 minutes before the previous one",
            Code::Io => "the log could not be read",
            Code::TornTail => {
                "the log ends in an incomplete fragment (a crash during an append); the next append seals it"
            }
            Code::TimeSkew => {
                "an entry's ts is slightly before the previous one (clock skew up to 5 minutes)"
            }
            Code::UnanchoredTail => {
                "entries follow the newest checkpoint; make a new checkpoint and keep it off the host"
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: code, the entry's seq (the expected one when the line could not be read)
/// and the 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub seq: u64,
    pub line: u64,
}
