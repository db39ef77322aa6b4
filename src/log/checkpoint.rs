//! Checkpoint notes (docs/signed-log.md#checkpoint-note-format), C2SP signed-note style:
//!
//! ```text
//! p2review/<log id>
//! <N>
//! <hex SHA-256 of entry N−1's line>
//!
//! — <principal> <base64(keyID[4] ‖ SSHSIG blob)>
//! ```
//!
//! keyID = SHA-256(principal ‖ 0x0A ‖ 0xFF ‖ "p2review-sshsig/v1" ‖ SSH wire key)[:4]; the
//! SSHSIG (namespace `p2review-checkpoint`, sha512) covers the body bytes. A supervisor who
//! keeps such notes off the host can later prove truncation (`E_TRUNCATED`) or a rewritten
//! history (`E_FORK`).

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use super::keys::Signer;
use super::sshsig::{self, SshSigBlob};
use super::trust::Trust;

/// Why a note is not a p2review checkpoint (docs/signed-log.md); the caller adds the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("no blank line between body and signature")]
    NoBlankLine,
    #[error("first line is not p2review/<32 hex log id>")]
    Origin,
    #[error("second line is not the entry count")]
    Size,
    #[error("third line is not a lowercase hex SHA-256")]
    Hash,
    #[error("the body has more than three lines")]
    LongBody,
    #[error("no signature line (— principal base64)")]
    NoSignatureLine,
    #[error("the signature line is not `— principal base64`")]
    SignatureLine,
    #[error("the signature is not canonical base64")]
    Base64,
    #[error("the signature is too short")]
    ShortSignature,
    /// The SSHSIG blob inside the signature is malformed.
    #[error(transparent)]
    Blob(#[from] sshsig::SigFormatError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub log_id: String,
    /// Number of valid entries covered (genesis and recoveries included).
    pub size: u64,
    /// Line hash of entry `size − 1`.
    pub hash: [u8; 32],
    pub principal: String,
    pub key_id: [u8; 4],
    pub blob: SshSigBlob,
    body: String,
}

const SIG_PREFIX: &str = "\u{2014} ";

pub fn key_id(principal: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(principal.as_bytes());
    h.update([0x0A, 0xFF]);
    h.update(b"p2review-sshsig/v1");
    h.update(sshsig::wire_public_key(public_key));
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

pub fn body(log_id: &str, size: u64, hash: &[u8; 32]) -> String {
    format!(
        "p2review/{log_id}\n{size}\n{}\n",
        data_encoding::HEXLOWER.encode(hash)
    )
}

/// The signed note for `size` entries whose last line hashes to `hash`.
pub fn make(log_id: &str, size: u64, hash: &[u8; 32], signer: &Signer) -> String {
    let b = body(log_id, size, hash);
    let blob = signer.sign(super::NS_CHECKPOINT, b.as_bytes());
    let mut sig = key_id(signer.principal(), signer.public_key()).to_vec();
    sig.extend_from_slice(&blob);
    format!(
        "{b}\n{SIG_PREFIX}{} {}\n",
        signer.principal(),
        data_encoding::BASE64.encode(&sig)
    )
}

/// Parse a note. `Err` (a malformed file) is an operational error; a bad signature is
/// found later by [`Checkpoint::signature_ok`].
pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
    let (b, sigs) = text
        .split_once("\n\n")
        .ok_or(CheckpointError::NoBlankLine)?;
    let body = format!("{b}\n");
    let mut lines = b.split('\n');
    let origin = lines.next().unwrap_or_default();
    let log_id = origin
        .strip_prefix("p2review/")
        .filter(|id| super::entry::is_hex32(id))
        .ok_or(CheckpointError::Origin)?
        .to_owned();
    let size: u64 = lines
        .next()
        .filter(|s| {
            !s.is_empty()
                && s.bytes().all(|c| c.is_ascii_digit())
                && (s.len() == 1 || !s.starts_with('0'))
        })
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .ok_or(CheckpointError::Size)?;
    let hash: [u8; 32] = lines
        .next()
        .filter(|h| super::entry::is_hex64(h))
        .and_then(|h| data_encoding::HEXLOWER.decode(h.as_bytes()).ok())
        .and_then(|v| v.try_into().ok())
        .ok_or(CheckpointError::Hash)?;
    if lines.next().is_some() {
        return Err(CheckpointError::LongBody);
    }
    let sig_line = sigs
        .lines()
        .find(|l| l.starts_with(SIG_PREFIX))
        .ok_or(CheckpointError::NoSignatureLine)?;
    let (principal, b64) = sig_line[SIG_PREFIX.len()..]
        .split_once(' ')
        .ok_or(CheckpointError::SignatureLine)?;
    let raw = data_encoding::BASE64
        .decode(b64.trim_end().as_bytes())
        .map_err(|_| CheckpointError::Base64)?;
    if raw.len() < 5 {
        return Err(CheckpointError::ShortSignature);
    }
    let blob = sshsig::decode(&raw[4..])?;
    Ok(Checkpoint {
        log_id,
        size,
        hash,
        principal: principal.to_owned(),
        key_id: [raw[0], raw[1], raw[2], raw[3]],
        blob,
        body,
    })
}

impl Checkpoint {
    /// The signature verifies, the key ID matches, and `trust` lets this key sign
    /// checkpoints as this principal.
    pub fn signature_ok(&self, trust: &Trust) -> bool {
        self.blob.namespace == super::NS_CHECKPOINT
            && self.key_id == key_id(&self.principal, &self.blob.public_key)
            && trust
                .check(
                    &self.principal,
                    &self.blob.public_key,
                    super::NS_CHECKPOINT,
                    None,
                    None,
                )
                .is_ok()
            && VerifyingKey::from_bytes(&self.blob.public_key)
                .is_ok_and(|vk| sshsig::verify_with(&vk, &self.blob, self.body.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = Signer::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[3; 32]), "sup@h")
            .unwrap();
        let trust = Trust::Local {
            keys: vec![("sup@h".into(), *s.public_key())],
            demo: None,
        };
        let note = make(&"a".repeat(32), 5, &[9; 32], &s);
        let cp = parse(&note).unwrap();
        assert_eq!(cp.size, 5);
        assert!(cp.signature_ok(&trust));
        let forged = note.replacen("\n5\n", "\n4\n", 1);
        assert!(!parse(&forged).unwrap().signature_ok(&trust));
        let other = Trust::Local {
            keys: vec![],
            demo: None,
        };
        assert!(!cp.signature_ok(&other));
        assert_eq!(
            parse("p2review/x\n1\n").unwrap_err(),
            CheckpointError::NoBlankLine
        );
        assert_eq!(
            parse("p2review/x\n1\n\n— a b\n").unwrap_err(),
            CheckpointError::Origin
        );
        let body = note.split_once("\n\n").unwrap().0;
        assert_eq!(
            parse(&format!("{body}\n\n— sup@h AAAA\n")).unwrap_err(),
            CheckpointError::ShortSignature
        );
        assert!(matches!(
            parse(&format!("{body}\n\n— sup@h AAAAAAAAAAAA\n")).unwrap_err(),
            CheckpointError::Blob(_)
        ));
    }
}
