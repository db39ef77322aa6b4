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
        let (base, query) = match spec.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (spec, None),
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
        let conn = if keep.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", keep.join("&"))
        };
        // Drop a password from the userinfo: scheme://user:pass@host/… → scheme://user@host/…
        let shown_base = match base.split_once("://") {
            Some((scheme, rest)) => {
                let (auth, path) = match rest.find('/') {
                    Some(i) => rest.split_at(i),
                    None => (rest, ""),
                };
                let auth = match auth.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split_once(':').map_or(user, |(u, _)| u);
                        format!("{user}@{host}")
                    }
                    None => auth.to_owned(),
                };
                format!("{scheme}://{auth}{path}")
            }
            None => base.to_owned(),
        };
        shown_q.push(format!("schema={schema}"));
        let shown = format!("{shown_base}?{}", shown_q.join("&"));
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
}
