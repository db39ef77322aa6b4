//! The binary OpenSSH SSHSIG blob (PROTOCOL.sshsig), restricted to what the log accepts:
//! version 1, an `ssh-ed25519` key, an empty reserved field, hash `sha512`.
//!
//! Decoding is strict (exact lengths, nothing trailing) so a blob has one encoding, and
//! verification uses `ed25519_dalek::verify_strict` with a cached key — the same verdict
//! `ssh-keygen -Y verify` gives, at full speed.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};

const MAGIC: &[u8; 6] = b"SSHSIG";
const KEY_TYPE: &str = "ssh-ed25519";
const HASH: &str = "sha512";

/// A decoded SSHSIG blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSigBlob {
    pub public_key: [u8; 32],
    pub namespace: String,
    pub signature: [u8; 64],
}

/// Why a blob is not an acceptable SSHSIG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigFormatError(pub &'static str);

impl std::fmt::Display for SigFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed SSHSIG: {}", self.0)
    }
}

impl std::error::Error for SigFormatError {}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// The SSH wire encoding of an ed25519 public key: string "ssh-ed25519", string key.
pub fn wire_public_key(key: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(51);
    put_string(&mut out, KEY_TYPE.as_bytes());
    put_string(&mut out, key);
    out
}

/// Decode the SSH wire encoding of an ed25519 public key (exact, nothing trailing).
pub fn decode_wire_public_key(wire: &[u8]) -> Option<[u8; 32]> {
    let mut r = Reader(wire);
    if r.string("").ok()? != KEY_TYPE.as_bytes() {
        return None;
    }
    let k = r.string("").ok()?;
    r.end("").ok()?;
    k.try_into().ok()
}

/// The bytes the ed25519 signature covers (PROTOCOL.sshsig "signed data").
pub fn signed_data(namespace: &str, msg: &[u8]) -> Vec<u8> {
    let h = Sha512::digest(msg);
    let mut out = Vec::with_capacity(6 + 4 + namespace.len() + 4 + 4 + HASH.len() + 4 + 64);
    out.extend_from_slice(MAGIC);
    put_string(&mut out, namespace.as_bytes());
    put_string(&mut out, b"");
    put_string(&mut out, HASH.as_bytes());
    put_string(&mut out, &h);
    out
}

/// Sign `msg` under `namespace`; returns the binary blob.
pub fn sign(key: &SigningKey, namespace: &str, msg: &[u8]) -> Vec<u8> {
    let sig = key.sign(&signed_data(namespace, msg));
    encode(&SshSigBlob {
        public_key: key.verifying_key().to_bytes(),
        namespace: namespace.to_owned(),
        signature: sig.to_bytes(),
    })
}

pub fn encode(b: &SshSigBlob) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&1u32.to_be_bytes());
    put_string(&mut out, &wire_public_key(&b.public_key));
    put_string(&mut out, b.namespace.as_bytes());
    put_string(&mut out, b"");
    put_string(&mut out, HASH.as_bytes());
    let mut sig = Vec::with_capacity(83);
    put_string(&mut sig, KEY_TYPE.as_bytes());
    put_string(&mut sig, &b.signature);
    put_string(&mut out, &sig);
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], SigFormatError> {
        if self.0.len() < n {
            return Err(SigFormatError(what));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, SigFormatError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self, what: &'static str) -> Result<&'a [u8], SigFormatError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }
    fn end(&self, what: &'static str) -> Result<(), SigFormatError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(SigFormatError(what))
        }
    }
}

/// Strictly decode a blob: only the profile above is accepted.
pub fn decode(blob: &[u8]) -> Result<SshSigBlob, SigFormatError> {
    let mut r = Reader(blob);
    if r.take(6, "too short")? != MAGIC {
        return Err(SigFormatError("bad magic"));
    }
    if r.u32("no version")? != 1 {
        return Err(SigFormatError("version is not 1"));
    }
    let mut pk = Reader(r.string("no public key")?);
    if pk.string("no key type")? != KEY_TYPE.as_bytes() {
        return Err(SigFormatError("key type is not ssh-ed25519"));
    }
    let key = pk.string("no key bytes")?;
    pk.end("trailing bytes in public key")?;
    let public_key: [u8; 32] = key
        .try_into()
        .map_err(|_| SigFormatError("key is not 32 bytes"))?;
    let ns = r.string("no namespace")?;
    let namespace = std::str::from_utf8(ns)
        .map_err(|_| SigFormatError("namespace is not UTF-8"))?
        .to_owned();
    if !r.string("no reserved field")?.is_empty() {
        return Err(SigFormatError("reserved field is not empty"));
    }
    if r.string("no hash algorithm")? != HASH.as_bytes() {
        return Err(SigFormatError("hash algorithm is not sha512"));
    }
    let mut s = Reader(r.string("no signature")?);
    r.end("trailing bytes after signature")?;
    if s.string("no signature type")? != KEY_TYPE.as_bytes() {
        return Err(SigFormatError("signature type is not ssh-ed25519"));
    }
    let sig = s.string("no signature bytes")?;
    s.end("trailing bytes in signature")?;
    let signature: [u8; 64] = sig
        .try_into()
        .map_err(|_| SigFormatError("signature is not 64 bytes"))?;
    Ok(SshSigBlob {
        public_key,
        namespace,
        signature,
    })
}

/// `verify_strict` of the blob's signature over `msg` with an already decoded key.
pub fn verify_with(key: &VerifyingKey, blob: &SshSigBlob, msg: &[u8]) -> bool {
    let sig = Signature::from_bytes(&blob.signature);
    key.verify_strict(&signed_data(&blob.namespace, msg), &sig)
        .is_ok()
}

/// ASCII armor as `ssh-keygen -Y sign` writes it (70-column lines).
pub fn armor(blob: &[u8]) -> String {
    let b64 = data_encoding::BASE64.encode(blob);
    let mut s = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in b64.as_bytes().chunks(70) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str("-----END SSH SIGNATURE-----\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn round_trip_and_verify() {
        let k = key();
        let blob = sign(&k, "p2review-decision", b"hello");
        let d = decode(&blob).unwrap();
        assert_eq!(encode(&d), blob);
        assert_eq!(d.namespace, "p2review-decision");
        assert!(verify_with(&k.verifying_key(), &d, b"hello"));
        assert!(!verify_with(&k.verifying_key(), &d, b"hellO"));
        let mut other = d.clone();
        other.namespace = "file".into();
        assert!(!verify_with(&k.verifying_key(), &other, b"hello"));
    }

    #[test]
    fn matches_ssh_key_crate() {
        // ssh-key signs; our strict decoder and verifier agree with its blob.
        use ssh_key::{HashAlg, PrivateKey, private::Ed25519Keypair};
        let kp = Ed25519Keypair::from_seed(&[9u8; 32]);
        let pk = PrivateKey::from(kp);
        let sig = pk.sign("ns", HashAlg::Sha512, b"msg").unwrap();
        use ssh_key::encoding::Encode;
        let blob = sig.encode_vec().unwrap();
        let d = decode(&blob).unwrap();
        let vk = VerifyingKey::from_bytes(&d.public_key).unwrap();
        assert!(verify_with(&vk, &d, b"msg"));
        assert_eq!(
            sign(&SigningKey::from_bytes(&[9u8; 32]), "ns", b"msg"),
            blob
        );
    }

    #[test]
    fn rejects_variants() {
        let blob = sign(&key(), "n", b"m");
        for cut in [0, 5, 10, blob.len() - 1] {
            assert!(decode(&blob[..cut]).is_err());
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let mut v2 = blob.clone();
        v2[9] = 2;
        assert!(decode(&v2).is_err());
        let at = blob.windows(6).position(|w| w == b"sha512").unwrap();
        let mut h = blob.clone();
        h[at..at + 6].copy_from_slice(b"sha256");
        assert!(decode(&h).is_err());
    }
}
