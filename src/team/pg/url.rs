//! The `postgres://…` team spec: the URL libpq understands, plus one parameter of ours,
//! `schema=NAME` (the schema holding the team's tables; default `p2review`), which is
//! taken out before the URL reaches the client. [`Spec::describe`] is the URL without
//! any password, for messages and findings.

use super::super::TeamError;

#[derive(Debug, Clone)]
pub struct Spec {
    /// What is handed to `postgres::Config` (no `schema=`).
    pub conn: String,
    pub schema: String,
    /// The URL without password (userinfo password and `password=` parameter dropped).
    pub shown: String,
}

pub fn is_pg(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// A schema name we quote nowhere: lowercase letters, digits and `_`, not starting with a digit.
fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl Spec {
    pub fn parse(spec: &str) -> Result<Spec, TeamError> {
        // The userinfo first: everything before the last `@` ahead of the first `/`. A
        // password is cut out before anything else is split, so a `?`, `&` or `#` in an
        // unencoded password can never push part of it into the shown host or query.
        let (scheme, rest) = match spec.split_once("://") {
            Some((s, r)) => (Some(s), r),
            None => (None, spec),
        };
        let head = &rest[..rest.find('/').unwrap_or(rest.len())];
        let (userinfo, after) = match (scheme, head.rfind('@')) {
            (Some(_), Some(at)) => (Some(&rest[..at]), &rest[at + 1..]),
            _ => (None, rest),
        };
        let (hostpath, query) = match after.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (after, None),
        };
        let mut schema = None;
        let mut keep = Vec::new();
        let mut shown_q: Vec<String> = Vec::new();
        for p in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            match p.split_once('=') {
                Some(("schema", v)) => schema = Some(v.to_owned()),
                Some(("password", _)) => keep.push(p),
                _ => {
                    keep.push(p);
                    shown_q.push(p.to_owned());
                }
            }
        }
        let schema = schema.unwrap_or_else(|| "p2review".to_owned());
        if !valid_schema(&schema) {
            return Err(TeamError::Store(format!(
                "schema={}: a schema name is lowercase letters, digits and _ (at most 63), not starting with a digit",
                crate::text::escape(&schema)
            )));
        }
        let prefix = |user: Option<&str>| {
            let mut s = scheme.map(|s| format!("{s}://")).unwrap_or_default();
            if let Some(u) = user {
                s.push_str(u);
                s.push('@');
            }
            s
        };
        let base = format!("{}{hostpath}", prefix(userinfo));
        let conn = if keep.is_empty() {
            base
        } else {
            format!("{base}?{}", keep.join("&"))
        };
        // scheme://user:pass@host/… → scheme://user@host/…
        let user = userinfo.map(|u| u.split_once(':').map_or(u, |(u, _)| u));
        shown_q.push(format!("schema={schema}"));
        let shown = format!("{}{hostpath}?{}", prefix(user), shown_q.join("&"));
        Ok(Spec {
            conn,
            schema,
            shown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown_and_schema_is_ours() {
        let s = Spec::parse(
            "postgres://alice:s3cret@db.example:5432/team?schema=t1&sslmode=disable&password=x2",
        )
        .unwrap();
        assert_eq!(s.schema, "t1");
        assert!(
            !s.shown.contains("s3cret") && !s.shown.contains("x2"),
            "{}",
            s.shown
        );
        assert_eq!(
            s.shown,
            "postgres://alice@db.example:5432/team?sslmode=disable&schema=t1"
        );
        assert_eq!(
            s.conn,
            "postgres://alice:s3cret@db.example:5432/team?sslmode=disable&password=x2"
        );
        let d = Spec::parse("postgresql://h/db").unwrap();
        assert_eq!(d.schema, "p2review");
        assert_eq!(d.conn, "postgresql://h/db");
        assert!(Spec::parse("postgres://h/db?schema=Bad;drop").is_err());
        assert!(Spec::parse("postgres://h/db?schema=1x").is_err());
    }

    /// Found by the team_files fuzz target: the query was split off before the userinfo,
    /// so an unencoded `?` in a password showed the rest of it. The password ends at the
    /// last `@` before the first `/`, whatever it holds.
    #[test]
    fn a_password_with_url_delimiters_is_never_shown() {
        for (url, pw) in [
            ("postgres://u:p?ss@h/db", "p?ss"),
            ("postgres://u:a&b=c@h/db?schema=t", "a&b=c"),
            ("postgres://u:x#y@h:5432/db", "x#y"),
            ("postgres://u:q?r@s@h/db", "q?r@s"),
        ] {
            let s = Spec::parse(url).unwrap();
            assert!(!s.shown.contains(pw), "{url} → {}", s.shown);
            assert!(s.shown.starts_with("postgres://u@h"), "{url} → {}", s.shown);
            assert!(s.conn.contains(pw), "the client still gets it: {}", s.conn);
        }
    }
}
