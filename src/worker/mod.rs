//! The Cloudflare Worker entry (feature `worker`).
