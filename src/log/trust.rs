//! Who may sign: an OpenSSH `allowed_signers` file (docs/signed-log.md#verifying), or — without one — only
//! the data-dir key (and the demo key for demo logs).
//!
//! The parser is the subset the log needs: principal patterns (`*`, `?`, `!`),
//! `namespaces=`, `valid-after=`, `valid-before=` checked at the entry's `ts` the way
//! `ssh-keygen -Y verify -Overify-time` does. `cert-authority` and one key listed under two
//! principals are refused (exit 2): both would make attribution ambiguous.

use std::collections::HashMap;
use std::path::Path;

use super::entry::LogKind;
use super::findings::Code;

/// One usable line of an allowed_signers file.
#[derive(Debug, Clone)]
struct Line {
    principals: String,
    namespaces: Option<Vec<String>>,
    /// Seconds since the epoch.
    valid_after: Option<i64>,
    valid_before: Option<i64>,
    key: [u8; 32],
}

/// The signers a verification trusts.
#[derive(Debug, Clone)]
pub enum Trust {
    /// No allowed_signers: the data-dir key (and the demo key, for demo logs only).
    Local {
        keys: Vec<(String, [u8; 32])>,
        demo: Option<(String, [u8; 32])>,
    },
    Allowed(Vec<LineRef>),
}

/// A parsed allowed_signers line (public so tests can build trust directly).
#[derive(Debug, Clone)]
pub struct LineRef(Line);

impl Trust {
    /// Is `key` allowed to sign as `principal` in `namespace` at `ts_ms`?
    pub fn check(
        &self,
        principal: &str,
        key: &[u8; 32],
        namespace: &str,
        ts_ms: Option<i64>,
        kind: Option<LogKind>,
    ) -> Result<(), Code> {
        match self {
            Trust::Local { keys, demo } => {
                let demo_ok = kind == Some(LogKind::Demo)
                    && demo
                        .as_ref()
                        .is_some_and(|(p, k)| p == principal && k == key);
                if demo_ok || keys.iter().any(|(p, k)| p == principal && k == key) {
                    Ok(())
                } else {
                    Err(Code::SignerUnknown)
                }
            }
            Trust::Allowed(lines) => {
                let mut known = false;
                for LineRef(l) in lines {
                    if &l.key != key
                        || !match_pattern_list(principal, &l.principals)
                        || !l
                            .namespaces
                            .as_ref()
                            .is_none_or(|ns| ns.iter().any(|p| glob(namespace, p)))
                    {
                        continue;
                    }
                    known = true;
                    let Some(ms) = ts_ms else { return Ok(()) };
                    let t = ms.div_euclid(1000);
                    if l.valid_after.is_some_and(|a| t < a) || l.valid_before.is_some_and(|b| t > b)
                    {
                        continue;
                    }
                    return Ok(());
                }
                Err(if known {
                    Code::SignerNotValid
                } else {
                    Code::SignerUnknown
                })
            }
        }
    }
}

/// A line of an allowed_signers file that cannot be used: an operational error (exit 2),
/// shown as `<file>:<line>: <what is wrong and what to do>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", origin.display())]
pub struct SignersError {
    pub origin: std::path::PathBuf,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

/// Parse an allowed_signers file. `Err` is an operational error (exit 2) naming file and line.
pub fn parse_allowed_signers(text: &str, origin: &Path) -> Result<Trust, SignersError> {
    let mut lines = Vec::new();
    let mut owners: HashMap<[u8; 32], (String, usize)> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let at = |message: String| SignersError {
            origin: origin.to_owned(),
            line: n,
            message,
        };
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let toks = tokenize(s).map_err(|e| at(e.into()))?;
        if toks.len() < 3 {
            return Err(at(
                "expected `principals [options] key-type base64-key`".into()
            ));
        }
        let principals = toks[0].clone();
        let (opts, ktype, kb64) = if is_key_type(&toks[1]) {
            (None, &toks[1], &toks[2])
        } else if toks.len() >= 4 && is_key_type(&toks[2]) {
            (Some(&toks[1]), &toks[2], &toks[3])
        } else {
            return Err(at(
                "no key type found (expected e.g. ssh-ed25519 AAAA…)".into()
            ));
        };
        let mut line = Line {
            principals: principals.clone(),
            namespaces: None,
            valid_after: None,
            valid_before: None,
            key: [0; 32],
        };
        if let Some(o) = opts {
            for opt in split_options(o) {
                let (k, v) = match opt.split_once('=') {
                    Some((k, v)) => (k.to_ascii_lowercase(), Some(v.trim_matches('"').to_owned())),
                    None => (opt.to_ascii_lowercase(), None),
                };
                match (k.as_str(), v) {
                    ("cert-authority", _) => {
                        return Err(at(
                            "cert-authority lines are not supported: list each reviewer's own key"
                                .into(),
                        ));
                    }
                    ("namespaces", Some(v)) => {
                        line.namespaces = Some(v.split(',').map(str::to_owned).collect())
                    }
                    ("valid-after", Some(v)) => {
                        line.valid_after = Some(parse_time(&v).map_err(&at)?)
                    }
                    ("valid-before", Some(v)) => {
                        line.valid_before = Some(parse_time(&v).map_err(&at)?)
                    }
                    _ => {
                        return Err(at(format!(
                            "unsupported option {:?}",
                            crate::text::escape(&opt)
                        )));
                    }
                }
            }
        }
        if ktype != "ssh-ed25519" {
            // Other key types cannot sign log entries; they are simply not trusted.
            continue;
        }
        // A log entry names one reviewer; a pattern would let one key sign as anyone it
        // matches. Lines limited to other namespaces (e.g. git) may keep their patterns.
        let for_log = line.namespaces.as_ref().is_none_or(|ns| {
            ns.iter()
                .any(|n| n == super::NS_DECISION || n == super::NS_CHECKPOINT)
        });
        if for_log && principals.contains(['*', '?', '!']) {
            return Err(at(format!(
                "the principal {:?} is a pattern; for p2review signers list each reviewer's exact principal (e.g. from `p2review key show --allowed-signers`)",
                crate::text::escape(&principals)
            )));
        }
        let wire = data_encoding::BASE64
            .decode(kb64.as_bytes())
            .map_err(|_| at("the key is not valid base64".into()))?;
        let key = super::sshsig::decode_wire_public_key(&wire)
            .ok_or_else(|| at("the key is not an ssh-ed25519 public key".into()))?;
        line.key = key;
        if principals.contains(',') {
            return Err(at(
                "one key is listed under several principals; give each key exactly one principal"
                    .into(),
            ));
        }
        match owners.get(&key) {
            Some((p, first)) if *p != principals => {
                return Err(at(format!(
                    "this key is also listed under another principal on line {first}; a key must belong to one principal"
                )));
            }
            Some(_) => {}
            None => {
                owners.insert(key, (principals.clone(), n));
            }
        }
        lines.push(LineRef(line));
    }
    Ok(Trust::Allowed(lines))
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

/// Whitespace-separated tokens; double quotes group (as in OpenSSH option strings).
fn tokenize(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote");
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Split `a="x,y",b` on commas outside quotes.
fn split_options(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

/// OpenSSH absolute time: `YYYYMMDD[HHMM[SS]]`, `Z` suffix for UTC, else local time.
fn parse_time(s: &str) -> Result<i64, String> {
    let (digits, utc) = match s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        Some(d) => (d, true),
        None => (s, false),
    };
    let bad = || {
        format!(
            "time {:?} is not YYYYMMDD[HHMM[SS]][Z]",
            crate::text::escape(s)
        )
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let full = match digits.len() {
        8 => format!("{digits}000000"),
        12 => format!("{digits}00"),
        14 => digits.to_owned(),
        _ => return Err(bad()),
    };
    let t = chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").map_err(|_| bad())?;
    if utc {
        Ok(t.and_utc().timestamp())
    } else {
        use chrono::TimeZone;
        chrono::Local
            .from_local_datetime(&t)
            .earliest()
            .map(|d| d.timestamp())
            .ok_or_else(bad)
    }
}

/// OpenSSH `match_pattern_list`: a negated match wins; otherwise any positive match.
fn match_pattern_list(s: &str, list: &str) -> bool {
    let mut any = false;
    for p in list.split(',') {
        if let Some(neg) = p.strip_prefix('!') {
            if glob(s, neg) {
                return false;
            }
        } else if glob(s, p) {
            any = true;
        }
    }
    any
}

/// `*` and `?` wildcards.
fn glob(s: &str, p: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), p.chars().collect());
    let (mut si, mut pi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_b64(k: &[u8; 32]) -> String {
        data_encoding::BASE64.encode(&super::super::sshsig::wire_public_key(k))
    }

    #[test]
    fn patterns() {
        assert!(match_pattern_list("a@x.org", "*@x.org"));
        assert!(!match_pattern_list("a@x.org", "*@x.org,!a@*"));
        assert!(match_pattern_list("ab@x", "a?@x"));
        assert!(!match_pattern_list("ab@y", "a?@x"));
    }

    #[test]
    fn windows_namespaces_and_refusals() {
        let k = [1u8; 32];
        let k = ed25519_dalek::SigningKey::from_bytes(&k)
            .verifying_key()
            .to_bytes();
        let text = format!(
            "# comment\nrev@h namespaces=\"p2review-decision\",valid-after=\"20260101Z\",valid-before=\"20260201Z\" ssh-ed25519 {} c\n",
            key_b64(&k)
        );
        let t = parse_allowed_signers(&text, Path::new("as")).unwrap();
        let jan = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let mar = jan + 60 * 86_400_000;
        assert_eq!(
            t.check("rev@h", &k, "p2review-decision", Some(jan), None),
            Ok(())
        );
        assert_eq!(
            t.check("rev@h", &k, "p2review-decision", Some(mar), None),
            Err(Code::SignerNotValid)
        );
        assert_eq!(
            t.check("rev@h", &k, "p2review-checkpoint", Some(jan), None),
            Err(Code::SignerUnknown)
        );
        assert_eq!(
            t.check("other@h", &k, "p2review-decision", Some(jan), None),
            Err(Code::SignerUnknown)
        );
        assert_eq!(
            t.check("rev@h", &[2; 32], "p2review-decision", Some(jan), None),
            Err(Code::SignerUnknown)
        );
        let ca = format!("rev@h cert-authority ssh-ed25519 {}\n", key_b64(&k));
        assert!(
            parse_allowed_signers(&ca, Path::new("as"))
                .unwrap_err()
                .message
                .contains("cert-authority")
        );
        let two = format!("a@h ssh-ed25519 {0}\nb@h ssh-ed25519 {0}\n", key_b64(&k));
        let e = parse_allowed_signers(&two, Path::new("as")).unwrap_err();
        assert_eq!((e.origin.as_path(), e.line), (Path::new("as"), 2));
        assert!(
            e.to_string().starts_with("as:2: this key is also listed"),
            "{e}"
        );
        let comma = format!("a@h,b@h ssh-ed25519 {}\n", key_b64(&k));
        assert!(parse_allowed_signers(&comma, Path::new("as")).is_err());
    }
}
