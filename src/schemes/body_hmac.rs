//! The shape several vendors share: HMAC-SHA256 of the raw body, hex, in one header, after an optional prefix
//! (`sha256=`). Each vendor differs only in names and in how its payload reads: see `hub.rs` and `hex.rs`.

use super::{sign_body_hmac, text_secret, verify_body_hmac, Auth, Ctx, Sample, Scheme, SignInput};
use crate::event::{Attributes, Handshake};
use crate::json::Object;
use crate::keys::Key;
use crate::source::Options;
use crate::{Error, Request};

/// Reads one vendor's payload (and the unsigned headers it names) into CloudEvent attributes.
pub type ReadAttributes = fn(&Object<'_>, &Request<'_>) -> Result<Attributes, Error>;
/// Reads a verified body as an endpoint check, when it is one.
pub type ReadHandshake = fn(&Object<'_>) -> Option<Handshake>;

#[derive(Debug)]
pub struct BodyHmac {
    pub vendor: &'static str,
    pub header: &'static str,
    /// What precedes the hex (`sha256=`), compared without case; empty for bare hex.
    pub prefix: &'static str,
    pub sample: Sample,
    pub attributes: ReadAttributes,
    pub handshake: Option<ReadHandshake>,
}

impl Scheme for BodyHmac {
    fn vendor(&self) -> &'static str {
        self.vendor
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(self.header)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        verify_body_hmac(cx, self.header, self.prefix)
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let mut headers = sign_body_hmac(self.header, self.prefix, key, input.body)?;
        headers.extend(self.sample.extra_headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Ok(headers)
    }

    fn attributes(&self, b: &Object<'_>, req: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        (self.attributes)(b, req)
    }

    fn sample(&self) -> Sample {
        self.sample
    }

    fn handshake(&self, body: &Object<'_>) -> Option<Handshake> {
        self.handshake.and_then(|read| read(body))
    }
}
