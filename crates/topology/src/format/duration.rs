//! Durations as a topology writes them: `"10s"`, `"500ms"`, `"2m"`, `"1m30s"`.

use serde::{Deserialize, Deserializer};
use std::time::Duration;

/// A duration in a topology (`within`, `wait`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Within(pub Duration);

impl Within {
    /// Parses `"10s"`, `"500ms"`, `"2m"`, `"1h"` or sums of them (`"1m30s"`).
    pub fn parse(text: &str) -> Option<Within> {
        let mut total = Duration::ZERO;
        let mut rest = text.trim();
        if rest.is_empty() {
            return None;
        }
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit())?;
            let (number, tail) = rest.split_at(digits);
            let number: u64 = number.parse().ok()?;
            let unit_len = tail
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            let one = match unit {
                "ms" => Duration::from_millis(number),
                "s" => Duration::from_secs(number),
                "m" => Duration::from_secs(number.checked_mul(60)?),
                "h" => Duration::from_secs(number.checked_mul(3600)?),
                _ => return None,
            };
            total = total.checked_add(one)?;
            rest = tail;
        }
        Some(Within(total))
    }
}

impl<'de> Deserialize<'de> for Within {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Within::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid duration {text:?} (write e.g. \"10s\", \"500ms\", \"2m\")"
            ))
        })
    }
}

impl std::fmt::Display for Within {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0.as_millis();
        if ms % 1000 == 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}
