//! Scaleway regions (`fr-par`, `nl-ams`, `pl-waw`): the `{region}` of every path and the `region`
//! field of every resource.

use crate::error::ProviderError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Scaleway region.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Region {
    /// Paris (the default, as in the SDK's examples).
    #[default]
    #[serde(rename = "fr-par")]
    FrPar,
    /// Amsterdam.
    #[serde(rename = "nl-ams")]
    NlAms,
    /// Warsaw.
    #[serde(rename = "pl-waw")]
    PlWaw,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 3] = [Region::FrPar, Region::NlAms, Region::PlWaw];

    /// The wire value (`fr-par`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::FrPar => "fr-par",
            Region::NlAms => "nl-ams",
            Region::PlWaw => "pl-waw",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = ProviderError;

    /// Parses the `{region}` path parameter; an unknown one is an `invalid_arguments` on `region`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                ProviderError::constraint("region", "must be one of fr-par, nl-ams, pl-waw")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for r in Region::ALL {
            assert_eq!(r.as_str().parse::<Region>(), Ok(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!("fr-pa".parse::<Region>().is_err());
        assert!("FR-PAR".parse::<Region>().is_err());
    }
}
