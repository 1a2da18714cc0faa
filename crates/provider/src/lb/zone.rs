//! Scaleway zones (`fr-par-1` …) and the locality of an LB call: the zoned API (`LbV1ZonedAPI`,
//! `/lb/v1/zones/{zone}/…`) sees one zone, the regional API (`LbV1API`,
//! `/lb/v1/regions/{region}/…`) every zone of its region.

use crate::error::ProviderError;
use crate::region::Region;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Scaleway availability zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Zone {
    /// Paris 1 (where the regional API creates what it creates in `fr-par`).
    #[serde(rename = "fr-par-1")]
    FrPar1,
    /// Paris 2.
    #[serde(rename = "fr-par-2")]
    FrPar2,
    /// Paris 3.
    #[serde(rename = "fr-par-3")]
    FrPar3,
    /// Amsterdam 1.
    #[serde(rename = "nl-ams-1")]
    NlAms1,
    /// Amsterdam 2.
    #[serde(rename = "nl-ams-2")]
    NlAms2,
    /// Amsterdam 3.
    #[serde(rename = "nl-ams-3")]
    NlAms3,
    /// Warsaw 1.
    #[serde(rename = "pl-waw-1")]
    PlWaw1,
    /// Warsaw 2.
    #[serde(rename = "pl-waw-2")]
    PlWaw2,
    /// Warsaw 3.
    #[serde(rename = "pl-waw-3")]
    PlWaw3,
}

impl Zone {
    /// Every zone.
    pub const ALL: [Zone; 9] = [
        Zone::FrPar1,
        Zone::FrPar2,
        Zone::FrPar3,
        Zone::NlAms1,
        Zone::NlAms2,
        Zone::NlAms3,
        Zone::PlWaw1,
        Zone::PlWaw2,
        Zone::PlWaw3,
    ];

    /// The wire value (`fr-par-1`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::FrPar1 => "fr-par-1",
            Zone::FrPar2 => "fr-par-2",
            Zone::FrPar3 => "fr-par-3",
            Zone::NlAms1 => "nl-ams-1",
            Zone::NlAms2 => "nl-ams-2",
            Zone::NlAms3 => "nl-ams-3",
            Zone::PlWaw1 => "pl-waw-1",
            Zone::PlWaw2 => "pl-waw-2",
            Zone::PlWaw3 => "pl-waw-3",
        }
    }

    /// The zone's region.
    pub fn region(self) -> Region {
        match self {
            Zone::FrPar1 | Zone::FrPar2 | Zone::FrPar3 => Region::FrPar,
            Zone::NlAms1 | Zone::NlAms2 | Zone::NlAms3 => Region::NlAms,
            Zone::PlWaw1 | Zone::PlWaw2 | Zone::PlWaw3 => Region::PlWaw,
        }
    }

    /// The first zone of a region (`fr-par-1` for `fr-par`).
    pub fn first_of(region: Region) -> Zone {
        match region {
            Region::FrPar => Zone::FrPar1,
            Region::NlAms => Zone::NlAms1,
            Region::PlWaw => Zone::PlWaw1,
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Zone {
    type Err = ProviderError;

    /// Parses the `{zone}` path parameter; an unknown one is an `invalid_arguments` on `zone`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::ALL
            .into_iter()
            .find(|z| z.as_str() == s)
            .ok_or_else(|| {
                ProviderError::constraint(
                    "zone",
                    "must be one of fr-par-1, fr-par-2, fr-par-3, nl-ams-1, nl-ams-2, nl-ams-3, pl-waw-1, pl-waw-2, pl-waw-3",
                )
            })
    }
}

/// Where a call acts: one zone (zoned API) or a whole region (regional API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locality {
    /// `/lb/v1/zones/{zone}/…`.
    Zone(Zone),
    /// `/lb/v1/regions/{region}/…`.
    Region(Region),
}

impl Locality {
    /// Whether a resource of `zone` is seen from here.
    pub fn contains(self, zone: Zone) -> bool {
        match self {
            Locality::Zone(z) => z == zone,
            Locality::Region(r) => zone.region() == r,
        }
    }

    /// The zone a resource created here goes into: the zone itself, or the region's first zone
    /// (the regional API names no zone; Scaleway picks one, we pick `-1`).
    pub fn zone_for_create(self) -> Zone {
        match self {
            Locality::Zone(z) => z,
            Locality::Region(r) => Zone::first_of(r),
        }
    }

    /// The region.
    pub fn region(self) -> Region {
        match self {
            Locality::Zone(z) => z.region(),
            Locality::Region(r) => r,
        }
    }
}

impl From<Zone> for Locality {
    fn from(z: Zone) -> Self {
        Locality::Zone(z)
    }
}

impl From<Region> for Locality {
    fn from(r: Region) -> Self {
        Locality::Region(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_parse_print_and_belong_to_their_region() {
        for z in Zone::ALL {
            assert_eq!(z.as_str().parse::<Zone>(), Ok(z));
            assert_eq!(serde_json::to_value(z).unwrap(), z.as_str());
            assert!(z.as_str().starts_with(z.region().as_str()));
            assert!(Locality::Region(z.region()).contains(z));
            assert!(Locality::Zone(z).contains(z));
        }
        assert!("fr-par".parse::<Zone>().is_err());
        assert_eq!(
            Locality::Region(Region::NlAms).zone_for_create(),
            Zone::NlAms1
        );
        assert!(!Locality::Zone(Zone::FrPar1).contains(Zone::FrPar2));
    }
}
