//! carehook verifies healthcare webhooks and normalizes them into CloudEvents 1.0. This crate documentation is
//! the README: its Rust example runs as a doctest.
#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unreachable)
)]

pub(crate) mod date;
mod diagnose;
pub mod error;
pub mod event;
#[doc(hidden)]
pub mod gateway;
pub mod host;
mod inspect;
pub mod json;
pub mod keys;
pub mod options;
pub mod report;
pub mod request;
pub mod schemes;
pub mod source;

#[cfg(feature = "wasm")]
mod wasm;

#[cfg(feature = "worker")]
mod worker;

pub use error::{Error, Kind, CODES};
pub use event::CloudEvent;
pub use inspect::inspect;
pub use options::{Options, SourceConfig};
pub use report::{Report, Step};
pub use request::{Headers, Request};
pub use schemes::{Sample, SignInput};
pub use source::{sign, verify, Source, Verified};

/// Every vendor identifier carehook accepts.
pub fn vendors() -> impl Iterator<Item = &'static str> {
    schemes::ALL.iter().map(|s| s.vendor())
}

/// A realistic signed example for every vendor.
pub fn samples() -> impl Iterator<Item = Sample> {
    schemes::ALL.iter().map(|s| s.sample())
}

/// The verification key that pairs with a signing key (an Ed25519 public key, or the same shared secret).
pub fn verify_key(vendor: &str, signing_key: &str) -> Result<String, Error> {
    schemes::by_vendor(vendor)?.verify_key(signing_key)
}
