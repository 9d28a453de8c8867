//! One module per signature scheme. A scheme verifies a request against a keyring, signs (the mirror image, for
//! fixtures and forwarding), and reads the vendor's payload into CloudEvent attributes.
//!
//! Adding a vendor: one new file here, implementing [`Scheme`], and one line in [`ALL`].

use crate::Error;

pub mod bare_hex;
pub mod body_hmac;
pub mod ctx;
pub mod elation;
pub mod elmed;
pub mod fhir;
pub mod fitbit;
pub mod header_token;
pub mod healthie;
pub mod hub;
pub mod mycure;
pub mod rfc9421;
pub mod scheme;
pub mod standard;
pub mod stripe;

pub use ctx::{Auth, Ctx, Matched};
pub use scheme::{Sample, Scheme, SignInput};

/// Every supported vendor identifier, with its scheme.
pub static ALL: &[&dyn Scheme] = &[
    &elation::ELATION,
    &elmed::ELMED,
    &healthie::HEALTHIE,
    &mycure::MYCURE,
    &standard::STANDARD,
    &standard::SVIX,
    &standard::JUNCTION,
    &standard::FASTEN,
    &stripe::STRIPE,
    &stripe::AKUTE,
    &stripe::TERRA,
    &hub::GITHUB,
    &hub::ATHENAHEALTH,
    &bare_hex::MEDPLUM,
    &bare_hex::METRIPORT,
    &bare_hex::PHOTON,
    &header_token::HEADER_TOKEN,
    &header_token::DRCHRONO,
    &fitbit::FITBIT,
    &fhir::FHIR,
    &rfc9421::RFC9421,
];

/// The scheme for a vendor identifier.
pub fn by_vendor(vendor: &str) -> Result<&'static dyn Scheme, Error> {
    ALL.iter().copied().find(|s| s.vendor() == vendor).ok_or(Error::UnsupportedVendor)
}

/// The vendor whose identifying header is present, if any (for the inspector).
pub fn detect(headers: &crate::Headers) -> Option<&'static str> {
    ALL.iter().find(|s| s.identifying_header().is_some_and(|h| headers.all(h).next().is_some())).map(|s| s.vendor())
}

#[cfg(test)]
mod tests {
    use super::*;
    use body_hmac::strip_prefix_ci;
    use ctx::parse_unix;

    #[test]
    fn unix_timestamps_are_strict() {
        assert_eq!(parse_unix("1763800000"), Some(1_763_800_000));
        assert_eq!(parse_unix("-5"), Some(-5));
        for bad in ["", "-", "+5", " 5", "5 ", "1e9", "99999999999999999999", "9223372036854775808", "0x10"] {
            assert_eq!(parse_unix(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn prefixes_compare_without_case() {
        assert_eq!(strip_prefix_ci("SHA256=ab", "sha256="), Some("ab"));
        assert_eq!(strip_prefix_ci("sha25", "sha256="), None);
        assert_eq!(strip_prefix_ci("é", "a"), None);
    }

    #[test]
    fn every_vendor_identifier_resolves() {
        for v in [
            "elation",
            "elmed",
            "healthie",
            "mycure",
            "standard",
            "svix",
            "stripe",
            "akute",
            "github",
            "athenahealth",
            "medplum",
            "metriport",
            "photon",
        ] {
            assert_eq!(by_vendor(v).map(|s| s.vendor()), Ok(v));
        }
        assert_eq!(by_vendor("Elation").err(), Some(Error::UnsupportedVendor));
    }
}
