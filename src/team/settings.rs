//! `team.yaml`: the team's settings (docs/team.md#layout).

use serde::{Deserialize, Serialize};

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

    /// Parse `team.yaml`; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Settings, String> {
        let s: Settings = serde_yaml::from_str(text).map_err(|e| {
            format!(
                "{origin}: not a p2review team.yaml: {}",
                crate::text::escape(&e.to_string())
            )
        })?;
        if s.p2review_team != 1 {
            return Err(format!(
                "{origin}: p2review_team is {}, this version reads 1; upgrade p2review",
                s.p2review_team
            ));
        }
        if s.lease_seconds == 0 || s.lease_seconds > 24 * 3600 {
            return Err(format!(
                "{origin}: lease_seconds must be between 1 and 86400"
            ));
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
}
