//! One log line: framing (`{"e":BODY,"sig":"B64"}`), canonical form, schema and the
//! signature's self-consistency (blob format, `key` fingerprint, ed25519 `verify_strict`).
//! Shared by the verifier and the appender, so both judge a line the same way.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;

use super::canonical::to_canonical;
use super::entry::Entry;
use super::findings::Code;
use super::sshsig::{self, SshSigBlob};

/// Longest line, LF included (SPEC §6.1).
pub const MAX_LINE: usize = 4096;

const PREFIX: &[u8] = b"{\"e\":{";
const SIG_KEY: &[u8] = b",\"sig\":\"";
const SUFFIX: &[u8] = b"\"}";

/// A line that passed every per-line check.
#[derive(Debug, Clone)]
pub struct GoodLine {
    pub entry: Entry,
    pub blob: SshSigBlob,
    /// SHA-256 of the line without its LF (what the next `prev` names).
    pub hash: [u8; 32],
}

/// Per-line checks with a cache of decoded keys (decompressing a point costs as much as
/// hashing a line; 8 signers means 8 decodes per file).
#[derive(Default)]
pub struct LineChecker {
    keys: HashMap<[u8; 32], Option<VerifyingKey>>,
    fingerprints: HashMap<[u8; 32], String>,
    /// Test-only: signature verdicts keyed by the exact line bytes (the byte-sweep test
    /// re-verifies the same unchanged lines hundreds of thousands of times).
    pub sig_cache: Option<HashMap<Vec<u8>, bool>>,
}

/// Split a line (without LF) into body bytes and base64 signature, or `E_FRAMING`.
pub fn split(line: &[u8]) -> Result<(&[u8], &[u8]), Code> {
    if line.len() + 1 > MAX_LINE || line.contains(&b'\r') {
        return Err(Code::Framing);
    }
    if !line.starts_with(PREFIX) || !line.ends_with(SUFFIX) {
        // A line cut short is a torn piece; anything else is bad framing.
        return Err(if line.starts_with(PREFIX) && !line.ends_with(b"}") {
            Code::TornMiddle
        } else {
            Code::Framing
        });
    }
    let at = find_last(line, SIG_KEY).ok_or(Code::Framing)?;
    let body = &line[5..at];
    let b64 = &line[at + SIG_KEY.len()..line.len() - SUFFIX.len()];
    if b64.is_empty()
        || !b64
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return Err(Code::Framing);
    }
    Ok((body, b64))
}

fn find_last(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).rposition(|w| w == n)
}

/// Body bytes and sha256 of a framed line, without verifying anything else.
pub fn line_hash(line: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(line).into()
}

impl LineChecker {
    pub fn new() -> LineChecker {
        LineChecker::default()
    }

    /// The `SHA256:` fingerprint of a key (cached).
    pub fn fingerprint(&mut self, key: &[u8; 32]) -> &str {
        self.fingerprints
            .entry(*key)
            .or_insert_with(|| super::keys::fingerprint(key))
    }

    /// Everything a single line can prove about itself. `line` excludes the LF.
    pub fn check(&mut self, line: &[u8]) -> Result<GoodLine, Code> {
        let (body, b64) = split(line)?;
        let blob_bytes = data_encoding::BASE64
            .decode(b64)
            .map_err(|_| Code::Framing)?;
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| Code::Framing)?;
        if !value.is_object() {
            return Err(Code::Framing);
        }
        let canon = to_canonical(&value).map_err(|_| Code::Noncanonical)?;
        if canon.as_bytes() != body {
            return Err(Code::Noncanonical);
        }
        let entry = Entry::from_value(&value).map_err(|_| Code::Schema)?;
        let blob = sshsig::decode(&blob_bytes).map_err(|_| Code::SigFormat)?;
        if blob.namespace != super::NS_DECISION {
            return Err(Code::SigFormat);
        }
        if self.fingerprint(&blob.public_key) != entry.key {
            return Err(Code::SignerUnknown);
        }
        let ok = match self.sig_cache.as_ref().and_then(|c| c.get(line)) {
            Some(v) => *v,
            None => {
                let vk = *self
                    .keys
                    .entry(blob.public_key)
                    .or_insert_with(|| VerifyingKey::from_bytes(&blob.public_key).ok());
                let ok = vk.is_some_and(|vk| sshsig::verify_with(&vk, &blob, body));
                if let Some(c) = self.sig_cache.as_mut() {
                    c.insert(line.to_vec(), ok);
                }
                ok
            }
        };
        if !ok {
            return Err(Code::SigInvalid);
        }
        Ok(GoodLine {
            entry,
            blob,
            hash: line_hash(line),
        })
    }
}

/// Frame a signed body into a line (with LF).
pub fn frame(body: &str, blob: &[u8]) -> Vec<u8> {
    let b64 = data_encoding::BASE64.encode(blob);
    let mut out = Vec::with_capacity(body.len() + b64.len() + 16);
    out.extend_from_slice(b"{\"e\":");
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(SIG_KEY);
    out.extend_from_slice(b64.as_bytes());
    out.extend_from_slice(SUFFIX);
    out.push(b'\n');
    out
}
