//! The two ways the Load Balancer API writes a duration, as recorded from the real service:
//!
//! - [`Millis`]: `timeout_server`, `timeout_connect`, `timeout_tunnel`, `timeout_client`,
//!   `check_delay`, `check_timeout` are **JSON numbers of milliseconds** (`300000`);
//! - [`ProtoDuration`]: `transient_check_delay` and `timeout_queue` are **protobuf JSON duration
//!   strings** (`"0.500s"`, `"4s"`, `"0s"`: seconds with 0, 3, 6 or 9 decimals).
//!
//! The SDKs type both as strings and send whatever they are given (terraform sends
//! `"0.500000000s"`), so on input each accepts a JSON number, a decimal string, or a Go-style
//! duration string (`"500ms"`, `"1.5s"`, `"2m"`, `"1h30m"`). A bare number is in the field's
//! documented unit: milliseconds for [`Millis`], seconds for [`ProtoDuration`] (our choice: the
//! documentation gives the units, not what a bare number means). Both keep whole milliseconds
//! (finer parts are rounded down); negative or absurd values (over 100 years) are refused.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The longest duration accepted: 100 years, in milliseconds.
const MAX_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// A duration written as a JSON number of milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

/// A duration written as a protobuf JSON duration string (`"0.500s"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtoDuration(pub u64);

impl ProtoDuration {
    /// The wire text: seconds, with 3 decimals when there are milliseconds.
    pub fn to_wire(self) -> String {
        let (s, ms) = (self.0 / 1000, self.0 % 1000);
        if ms == 0 {
            format!("{s}s")
        } else {
            format!("{s}.{ms:03}s")
        }
    }
}

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl Serialize for ProtoDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

/// Parses a duration text; `bare_unit_ms` is what a bare number counts (1 for ms, 1000 for s).
pub(crate) fn parse_duration_ms(text: &str, bare_unit_ms: f64) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<f64>() {
        return to_ms(n * bare_unit_ms);
    }
    // Go-style: one or more <decimal><unit>.
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = rest.get(num_len..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_len)?;
        rest = rest.get(unit_len..)?;
        let factor = match unit {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            "ms" => 1.0,
            "us" | "µs" => 0.001,
            "ns" => 0.000_001,
            _ => return None,
        };
        total += number * factor;
    }
    to_ms(total)
}

fn to_ms(ms: f64) -> Option<u64> {
    if !ms.is_finite() || ms < 0.0 || ms > MAX_MS as f64 {
        return None;
    }
    // Decimal fractions are inexact in binary (0.29 × 1000 = 289.99…): round to the microsecond
    // first, then keep whole milliseconds (down). The range is checked above.
    Some(((ms * 1000.0).round() / 1000.0).floor() as u64)
}

struct DurationVisitor {
    bare_unit_ms: f64,
}

impl Visitor<'_> for DurationVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a non-negative duration: a number, or a string such as \"0.500s\" or \"500ms\"",
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        self.visit_f64(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        to_ms(v * self.bare_unit_ms)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_duration_ms(v, self.bare_unit_ms)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor { bare_unit_ms: 1.0 })
            .map(Millis)
    }
}

impl<'de> Deserialize<'de> for ProtoDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor {
            bare_unit_ms: 1000.0,
        })
        .map(ProtoDuration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wire_forms_are_the_recorded_ones() {
        assert_eq!(ProtoDuration(500).to_wire(), "0.500s");
        assert_eq!(ProtoDuration(4000).to_wire(), "4s");
        assert_eq!(ProtoDuration(0).to_wire(), "0s");
        assert_eq!(ProtoDuration(200).to_wire(), "0.200s");
        assert_eq!(serde_json::to_string(&Millis(300_000)).unwrap(), "300000");
    }

    #[test]
    fn inputs_in_every_recorded_and_sdk_form() {
        let p = |j: &str| serde_json::from_str::<ProtoDuration>(j).map(|d| d.0).ok();
        let m = |j: &str| serde_json::from_str::<Millis>(j).map(|d| d.0).ok();
        assert_eq!(p("\"0.500000000s\""), Some(500));
        assert_eq!(p("\"0.500s\""), Some(500));
        assert_eq!(p("\"4s\""), Some(4000));
        assert_eq!(p("\"500ms\""), Some(500));
        assert_eq!(p("\"1m30s\""), Some(90_000));
        assert_eq!(p("2"), Some(2000));
        assert_eq!(p("\"2\""), Some(2000));
        assert_eq!(m("60000"), Some(60_000));
        assert_eq!(m("\"60000\""), Some(60_000));
        assert_eq!(m("\"2s\""), Some(2000));
        assert_eq!(m("2.5"), Some(2));
        for bad in [
            "-1", "\"-1s\"", "\"abc\"", "\"1x\"", "\"\"", "true", "null", "1e300",
        ] {
            assert_eq!(m(bad), None, "{bad}");
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn the_wire_form_reads_back(ms in 0u64..MAX_MS) {
            let d = ProtoDuration(ms);
            let back: ProtoDuration = serde_json::from_value(serde_json::to_value(d).unwrap()).unwrap();
            prop_assert_eq!(back, d);
            let m = Millis(ms);
            let back: Millis = serde_json::from_value(serde_json::to_value(m).unwrap()).unwrap();
            prop_assert_eq!(back, m);
        }

        #[test]
        fn no_text_panics(text in ".{0,40}") {
            let _ = parse_duration_ms(&text, 1.0);
        }
    }
}
