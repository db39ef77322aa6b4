//! `team.yaml`: the team's settings (docs/team.md#layout).

use serde::{Deserialize, Serialize};

/// The longest claim lease `team.yaml` may set: a day.
const MAX_LEASE_SECONDS: u64 = 24 * 3600;

/// Why a `team.yaml` cannot be used (docs/team.md#layout); the caller adds the file.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Not YAML of this shape (the parser's words, escaped: they quote the file).
    #[error("not a p2review team.yaml: {}", crate::text::escape(&.0.to_string()))]
    Yaml(serde_yaml::Error),
    #[error("p2review_team is {0}, this version reads 1; upgrade p2review")]
    Version(u32),
    #[error("lease_seconds must be between 1 and {MAX_LEASE_SECONDS}")]
    Lease,
}

/// Settings of one team store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Format version of this file (1).
    pub p2review_team: u32,
    /// Four-eyes: an override approval needs a second principal's approval to count.
    #[serde(default)]
    pub override_second_reviewer: bool,
    /// Lease of a claim, in seconds.
    #[serde(default = "default_lease")]
    pub lease_seconds: u64,
}

fn default_lease() -> u64 {
    super::DEFAULT_LEASE.as_secs()
}

impl Settings {
    pub fn new(override_second_reviewer: bool) -> Settings {
        Settings {
            p2review_team: 1,
            override_second_reviewer,
            lease_seconds: default_lease(),
        }
    }

    /// Parse `team.yaml`; `origin` names the file in errors. Text, because `team::dir`
    /// carries it in `TeamError::Store`; new callers use [`Settings::from_yaml`].
    pub fn parse(text: &str, origin: &str) -> Result<Settings, String> {
        Settings::from_yaml(text).map_err(|e| format!("{origin}: {e}"))
    }

    /// Parse `team.yaml`; the caller names the file.
    pub fn from_yaml(text: &str) -> Result<Settings, SettingsError> {
        let s: Settings = serde_yaml::from_str(text).map_err(SettingsError::Yaml)?;
        if s.p2review_team != 1 {
            return Err(SettingsError::Version(s.p2review_team));
        }
        if s.lease_seconds == 0 || s.lease_seconds > MAX_LEASE_SECONDS {
            return Err(SettingsError::Lease);
        }
        Ok(s)
    }

    pub fn to_yaml(&self) -> String {
        format!(
            "# p2review team settings (docs/team.md)\np2review_team: 1\noverride_second_reviewer: {}\nlease_seconds: {}\n",
            self.override_second_reviewer, self.lease_seconds
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let s = Settings::new(true);
        assert_eq!(Settings::parse(&s.to_yaml(), "t").unwrap(), s);
        assert!(
            Settings::parse("p2review_team: 2\n", "t")
                .unwrap_err()
                .contains("upgrade")
        );
        assert!(Settings::parse("p2review_team: 1\nsecond: true\n", "t").is_err());
        assert!(Settings::parse("p2review_team: 1\nlease_seconds: 0\n", "t").is_err());
        let d = Settings::parse("p2review_team: 1\n", "t").unwrap();
        assert!(!d.override_second_reviewer);
        assert_eq!(d.lease_seconds, 600);
    }

    #[test]
    fn typed_refusals_and_the_text_that_names_the_file() {
        assert!(matches!(
            Settings::from_yaml("p2review_team: 2\n"),
            Err(SettingsError::Version(2))
        ));
        assert!(matches!(
            Settings::from_yaml("p2review_team: 1\nlease_seconds: 86401\n"),
            Err(SettingsError::Lease)
        ));
        assert!(matches!(
            Settings::from_yaml("p2review_team: [\n"),
            Err(SettingsError::Yaml(_))
        ));
        assert_eq!(
            Settings::parse("p2review_team: 1\nlease_seconds: 0\n", "/t/team.yaml").unwrap_err(),
            "/t/team.yaml: lease_seconds must be between 1 and 86400"
        );
        let e = Settings::parse("p2review_team: 1\nx\u{1b}: 1\n", "t").unwrap_err();
        assert!(e.starts_with("t: not a p2review team.yaml: "), "{e}");
        assert!(!e.contains('\u{1b}'), "the parser's words are escaped: {e}");
    }
}
