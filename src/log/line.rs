//! One log line: framing (`{"e":BODY,"sig":"B64"}`), canonical form, schema and the
//! signature's self-consistency (blob format, `key` fingerprint, ed25519 `verify_strict`).
//! Shared by the verifier and the appender, so both judge a line the same way.

use std::collections::HashMap;
use std::sync::Arc;

use ed25519_dalek::VerifyingKey;

use super::batch::SigJob;
use super::canonical::is_canonical_form;
use super::entry::Entry;
use super::findings::Code;
use super::sshsig::{self, SshSigBlob};

/// Longest line, LF included (docs/signed-log.md#lines-and-canonical-form).
pub const MAX_LINE: usize = 4096;

const PREFIX: &[u8] = b"{\"e\":{";
const SIG_KEY: &[u8] = b",\"sig\":\"";
const SUFFIX: &[u8] = b"\"}";

/// A line that passed every per-line check.
#[derive(Debug, Clone)]
pub struct GoodLine {
    pub entry: Arc<Entry>,
    pub blob: Arc<SshSigBlob>,
    /// SHA-256 of the line without its LF (what the next `prev` names).
    pub hash: [u8; 32],
    /// `prev` decoded.
    pub prev: [u8; 32],
    /// `ts` in ms since the epoch.
    pub ts_ms: i64,
}

/// Per-line checks with a cache of decoded keys (decompressing a point costs as much as
/// hashing a line; 8 signers means 8 decodes per file).
#[derive(Default)]
pub struct LineChecker {
    keys: HashMap<[u8; 32], Option<VerifyingKey>>,
    fingerprints: HashMap<[u8; 32], String>,
    /// Test-only: verdicts keyed by the exact line bytes. The byte-sweep test re-verifies
    /// the same unchanged lines hundreds of thousands of times; a verdict is a pure
    /// function of the bytes, so caching it changes nothing but speed.
    pub cache: Option<HashMap<Vec<u8>, Result<GoodLine, Code>, SampledHash>>,
    /// Add new verdicts to `cache` (off: only look up what is there).
    pub cache_insert: bool,
    /// With `cache` set: the last few verdicts not inserted (a sweep checks each mutated
    /// line twice, with and without a checkpoint).
    recent: Vec<(Vec<u8>, Result<GoodLine, Code>)>,
    /// The signature blob of the line being checked (reused: one allocation per checker).
    b64: Vec<u8>,
}

impl std::fmt::Debug for LineChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineChecker")
            .field("keys", &self.keys.len())
            .field("cached", &self.cache.as_ref().map(HashMap::len))
            .field("recent", &self.recent.len())
            .finish()
    }
}

/// Clones share nothing but the decoded keys: a verdict cache stays with its owner.
impl Clone for LineChecker {
    fn clone(&self) -> Self {
        LineChecker {
            keys: self.keys.clone(),
            fingerprints: self.fingerprints.clone(),
            cache: None,
            cache_insert: false,
            recent: Vec::new(),
            b64: Vec::new(),
        }
    }
}

/// A cheap hash for the verdict cache: the length and a few sampled bytes. Lookups still
/// compare whole lines, so collisions cost time, never correctness.
#[derive(Default, Clone, Copy)]
pub struct SampledHash;

impl std::hash::BuildHasher for SampledHash {
    type Hasher = SampledHasher;
    fn build_hasher(&self) -> SampledHasher {
        SampledHasher(0xcbf2_9ce4_8422_2325)
    }
}

pub struct SampledHasher(u64);

impl std::hash::Hasher for SampledHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let mut h = self.0 ^ n as u64;
        if n > 0 {
            for k in 0..16 {
                h = (h ^ u64::from(bytes[(k * 131 + k * k * 7) % n])).wrapping_mul(0x100_0000_01b3);
            }
        }
        self.0 = h;
    }
}

/// Split a line (without LF) into body bytes and base64 signature, or `E_FRAMING`.
pub fn split(line: &[u8]) -> Result<(&[u8], &[u8]), Code> {
    if line.len() + 1 > MAX_LINE || line.contains(&b'\r') {
        return Err(Code::Framing);
    }
    if !line.starts_with(PREFIX) {
        return Err(Code::Framing);
    }
    // Cut short before or inside the signature: a torn piece. Anything else: bad framing.
    let at = find_last(line, SIG_KEY).ok_or(Code::TornMiddle)?;
    // Everything after the signature key; the suffix must follow it, not overlap it
    // (`,"sig":"}` ends with `"}` too).
    let rest = &line[at + SIG_KEY.len()..];
    let Some(b64) = rest.strip_suffix(SUFFIX) else {
        let sig = rest.strip_suffix(b"\"").unwrap_or(rest);
        return Err(if sig.iter().all(|&b| is_b64(b)) {
            Code::TornMiddle
        } else {
            Code::Framing
        });
    };
    let body = &line[5..at];
    if b64.is_empty() || !b64.iter().all(|&b| is_b64(b)) {
        return Err(Code::Framing);
    }
    Ok((body, b64))
}

/// `BASE64.decode(b64)` into `buf` (kept between lines); any error is `E_FRAMING`.
fn decode_b64<'b>(b64: &[u8], buf: &'b mut Vec<u8>) -> Result<&'b [u8], Code> {
    let b = data_encoding::BASE64;
    let n = b.decode_len(b64.len()).map_err(|_| Code::Framing)?;
    buf.resize(n, 0);
    let n = b.decode_mut(b64, buf).map_err(|_| Code::Framing)?;
    Ok(&buf[..n])
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

fn find_last(h: &[u8], n: &[u8]) -> Option<usize> {
    // The signature key sits a few hundred bytes before the end: scan back for its first
    // byte and compare there (cheaper than sliding a window over the whole line).
    let first = n[0];
    let mut i = h.len().checked_sub(n.len())?;
    loop {
        if h[i] == first && &h[i..i + n.len()] == n {
            return Some(i);
        }
        if i == 0 {
            return None;
        }
        i -= 1;
    }
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

    /// A checker that remembers the verdicts of the last few lines it checked (exact bytes).
    pub fn with_recent() -> LineChecker {
        LineChecker {
            cache: Some(HashMap::default()),
            ..LineChecker::default()
        }
    }

    /// The `SHA256:` fingerprint of a key (cached).
    pub fn fingerprint(&mut self, key: &[u8; 32]) -> &str {
        self.fingerprints
            .entry(*key)
            .or_insert_with(|| super::keys::fingerprint(key))
    }

    /// Everything a single line can prove about itself. `line` excludes the LF.
    pub fn check(&mut self, line: &[u8]) -> Result<GoodLine, Code> {
        self.check_by(line, SigJob::verify_strict)
    }

    /// [`LineChecker::check`] with the signature judged by `sig_ok`, which must give
    /// exactly `verify_strict`'s verdict (remembered verdicts are shared with `check`):
    /// the appender's self-check of its own lines uses `super::keys::Signer::verifies`.
    pub fn check_by(
        &mut self,
        line: &[u8],
        sig_ok: impl Fn(&SigJob) -> bool,
    ) -> Result<GoodLine, Code> {
        let Some(cache) = self.cache.as_ref() else {
            return self.check_uncached(line, sig_ok);
        };
        if let Some(hit) = cache.get(line) {
            return hit.clone();
        }
        if let Some((_, r)) = self.recent.iter().find(|(l, _)| l == line) {
            return r.clone();
        }
        let r = self.check_uncached(line, sig_ok);
        if self.cache_insert {
            if let Some(c) = self.cache.as_mut() {
                c.insert(line.to_vec(), r.clone());
            }
        } else {
            if self.recent.len() >= 8 {
                let _ = self.recent.remove(0);
            }
            self.recent.push((line.to_vec(), r.clone()));
        }
        r
    }

    fn check_uncached(
        &mut self,
        line: &[u8],
        sig_ok: impl Fn(&SigJob) -> bool,
    ) -> Result<GoodLine, Code> {
        let p = self.prepare(line)?;
        if sig_ok(&p.sig) {
            Ok(p.good)
        } else {
            Err(Code::SigInvalid)
        }
    }

    /// Every check of [`LineChecker::check`] but the signature itself, which is the last
    /// one (so the code of a line is the same whoever checks the signature): the line as
    /// it will be if its signature verifies, and the signature to check
    /// (`super::batch::verify_all`, or `SigJob::verify_strict`; a failure is `E_SIG_INVALID`).
    pub fn prepare(&mut self, line: &[u8]) -> Result<Prepared, Code> {
        let (body, b64) = split(line)?;
        let blob_bytes = decode_b64(b64, &mut self.b64)?;
        // A canonical body is read in one pass; any other takes serde_json, which decides
        // between `E_FRAMING` and `E_NONCANONICAL` (`super::json`).
        let value: serde_json::Value;
        let json = match super::json::parse_canonical(body) {
            Some(j) => j,
            None => {
                value = serde_json::from_slice(body).map_err(|_| Code::Framing)?;
                if !value.is_object() {
                    return Err(Code::Framing);
                }
                // No canonical form, or another one: both are `E_NONCANONICAL`.
                if !is_canonical_form(&value, body) {
                    return Err(Code::Noncanonical);
                }
                super::json::J::from_value(&value)
            }
        };
        let entry = Entry::from_json(&json).map_err(|m| {
            if m.starts_with(super::entry::NONCANONICAL) {
                Code::Noncanonical
            } else {
                Code::Schema
            }
        })?;
        let blob = sshsig::decode(blob_bytes).map_err(|_| Code::SigFormat)?;
        if blob.namespace != super::NS_DECISION {
            return Err(Code::SigFormat);
        }
        if self.fingerprint(&blob.public_key) != entry.key {
            return Err(Code::SignerUnknown);
        }
        let key = *self
            .keys
            .entry(blob.public_key)
            .or_insert_with(|| VerifyingKey::from_bytes(&blob.public_key).ok());
        let sig = SigJob {
            key,
            signature: blob.signature,
            msg: sshsig::signed_data(&blob.namespace, body),
        };
        let mut prev = [0u8; 32];
        let _ = data_encoding::HEXLOWER.decode_mut(entry.prev.as_bytes(), &mut prev);
        let ts_ms = super::entry::parse_ts_ms(&entry.ts).unwrap_or(0);
        let good = GoodLine {
            entry: Arc::new(entry),
            blob: Arc::new(blob),
            hash: line_hash(line),
            prev,
            ts_ms,
        };
        Ok(Prepared { good, sig })
    }
}

/// A line that passed every check but its signature ([`LineChecker::prepare`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub good: GoodLine,
    pub sig: SigJob,
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
