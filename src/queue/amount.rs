//! `claim.amount`: a non-negative decimal with at most 2 fraction digits, kept exactly as cents.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A money amount in cents. Serialized as a 2-decimal string (`"412.50"`), the form the
/// canonical disclosure JSON uses (docs/queue-format.md#hash-stability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub u64);

impl Amount {
    pub fn cents(self) -> u64 {
        self.0
    }

    /// Parse `"412.5"`, `"412.50"`, `"412"`; reject signs, exponents, 3+ fraction digits.
    pub fn parse(s: &str) -> Result<Amount, String> {
        let bad = || {
            format!(
                "amount {s:?} is not a decimal ≥ 0 with at most 2 fraction digits (write e.g. \"412.50\")"
            )
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (s.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let mut cents: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        // The shape is right; only the size is not.
        let too_large = || format!("amount {s:?} is too large: at most {}", Amount(u64::MAX));
        let whole: u64 = int.parse().map_err(|_| too_large())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .map(Amount)
            .ok_or_else(too_large)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal amount ≥ 0 with at most 2 fraction digits, e.g. \"412.50\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                v.checked_mul(100)
                    .map(Amount)
                    .ok_or_else(|| E::custom(format!("amount {v} is too large")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                if v < 0 {
                    return Err(E::custom(format!("amount {v} is negative")));
                }
                self.visit_u64(v as u64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // A number literal from YAML/JSON: accept it only when it has at most two
                // fraction digits (within float noise), so nothing is silently rounded.
                let scaled = v * 100.0;
                if !v.is_finite() || v < 0.0 {
                    return Err(E::custom(format!("amount {v} is not a number ≥ 0")));
                }
                if scaled > 9.0e15 {
                    return Err(E::custom(format!("amount {v} is too large")));
                }
                let rounded = scaled.round();
                if (scaled - rounded).abs() > 1e-6 {
                    return Err(E::custom(format!(
                        "amount {v} has more than 2 fraction digits"
                    )));
                }
                Ok(Amount(rounded as u64))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        assert_eq!(Amount::parse("412.5").unwrap().to_string(), "412.50");
        assert_eq!(Amount::parse("0").unwrap().to_string(), "0.00");
        assert_eq!(Amount::parse("7.05").unwrap(), Amount(705));
        for bad in ["", "-1", "1.234", "1.", ".5", "1e3", "12a", " 1"] {
            assert!(Amount::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn overflow_is_worded_as_too_large_not_as_a_format_error() {
        for big in [
            "184467440737095516.16",
            "99999999999999999999",
            "1844674407370955162",
        ] {
            let e = Amount::parse(big).unwrap_err();
            assert!(e.contains("too large"), "{e}");
            assert!(!e.contains("not a decimal"), "{e}");
        }
        assert_eq!(Amount::parse("184467440737095516.15"), Ok(Amount(u64::MAX)));
        let e = serde_json::from_str::<Amount>("1e300")
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
        let e = serde_json::from_str::<Amount>("18446744073709551615")
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
    }

    #[test]
    fn json_numbers_and_strings() {
        let a: Amount = serde_json::from_str("412.5").unwrap();
        assert_eq!(a, Amount(41250));
        let a: Amount = serde_json::from_str("\"0.10\"").unwrap();
        assert_eq!(a, Amount(10));
        assert!(serde_json::from_str::<Amount>("1.005").is_err());
        assert!(serde_json::from_str::<Amount>("-3").is_err());
    }
}
