//! What every signature scheme implements, and the data it declares.

use super::ctx::{Auth, Ctx};
use crate::event::{Attributes, Handshake, Split};
use crate::json::Object;
use crate::keys::{Key, Keyring};
use crate::options::Options;
use crate::{Error, Request};

/// Input to [`Scheme::sign`].
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
    pub now: i64,
    /// Message id for schemes that sign one (Standard Webhooks); derived from the body when absent.
    pub id: Option<&'a str>,
}

/// A realistic signed example for each vendor: the CLI, the inspector, the Worker's tests and `make run` use it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub vendor: &'static str,
    /// The path a vendor would post to on the gateway (MYCURE's carries its token).
    pub path: &'static str,
    pub body: &'static str,
    /// The key `sign` takes: the HMAC secret, or an Ed25519 private key (base64 seed).
    pub signing_key: &'static str,
    /// Extra headers the vendor sends that are not part of the signature.
    pub extra_headers: &'static [(&'static str, &'static str)],
}

pub trait Scheme: Sync + Send {
    /// The vendor identifier (`elation`, `svix`, ...).
    fn vendor(&self) -> &'static str;
    /// A header whose presence says a request comes from this vendor.
    fn identifying_header(&self) -> Option<&'static str>;
    /// Parses one configured key.
    fn parse_key(&self, text: &str) -> Result<Key, Error>;
    /// Checks the signature (or token). Reads no clock: `cx.now` is given.
    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error>;
    /// Headers that make `input` verify under the key that `signing_key` pairs with.
    fn sign(&self, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error>;
    /// The verification key that pairs with a signing key (the same text for shared secrets).
    fn verify_key(&self, signing_key: &str) -> Result<String, Error> {
        Ok(signing_key.to_owned())
    }
    /// Reads the verified body (a JSON object) into CloudEvent attributes. Unknown event names still normalize.
    fn attributes(
        &self,
        body: &Object<'_>,
        req: &Request<'_>,
        auth: &Auth,
        opts: &Options,
    ) -> Result<Attributes, Error>;
    /// A realistic example.
    fn sample(&self) -> Sample;
    /// How long after an event with a content-derived id (the vendor sends none) the vendor may still retry it, in
    /// seconds: a byte-identical repeat inside it is that retry, one after it a new event. A vendor retries only
    /// when it did not see our answer, so the window follows its retry schedule, not its retention.
    fn repeat_window(&self) -> u64 {
        3600
    }
    /// Splits a verified body into its events, for a scheme whose requests carry several (a FHIR notification
    /// Bundle, a Fitbit array) or none (a handshake). `None`: one event from the whole body, read by `attributes`.
    fn split(&self, _text: &str, _req: &Request<'_>, _auth: &Auth, _opts: &Options) -> Result<Option<Split>, Error> {
        Ok(None)
    }
    /// The status that acknowledges a webhook to this vendor (Fitbit expects 204; Elation only counts 200).
    fn accepted_status(&self) -> u16 {
        200
    }
    /// The status that refuses an unauthenticated request, when the vendor asks for one other than 401 (Fitbit: 404).
    fn unauthenticated_status(&self) -> u16 {
        401
    }
    /// Whether a request may carry several events (or none): then [`Scheme::split`] makes them, each with a part of
    /// the body as its data.
    fn batches(&self) -> bool {
        false
    }
    /// Whether a successful check authenticates the body. A token (MYCURE's URL, a header token) authenticates only
    /// the sender: any body sent with it verifies.
    fn signs_body(&self) -> bool {
        true
    }
    /// The answer to a vendor's endpoint check that comes as a request of its own (DrChrono's `GET ?msg=`), when
    /// `req` is one. It proves the receiver holds the key; nothing is emitted.
    fn challenge(&self, _req: &Request<'_>, _keys: &Keyring, _opts: &Options) -> Option<Handshake> {
        None
    }
    /// The answer a verified endpoint check expects instead of an event (Metriport's `ping` → `pong`).
    fn handshake(&self, _body: &Object<'_>) -> Option<Handshake> {
        None
    }
}
