//! `trystero-webrtc`: the WebRTC adapter of `trystero-core`'s peer-transport port, on
//! webrtc-rs 0.21 (its sans-IO core with the tokio runtime).
//!
//! [`WebRtcTransport`] makes peer connections with one ordered, reliable, binary data channel
//! labelled `data`, as Trystero JS does (protocol §5.1). What it adds over the crate's defaults,
//! each measured on the project's machines:
//! - UDP sockets bound to the configured addresses (use [`WebRtcConfig::loopback`] in tests:
//!   binding `0.0.0.0` gives no loopback candidate), mDNS off;
//! - a 4 MiB receive buffer on every UDP socket (the crate leaves the 208 KiB default and SCTP
//!   stalls on drops), through a wrapped tokio `Runtime`;
//! - ICE check pacing, peer-reflexive wait and keepalive tuned so a loopback channel opens in
//!   tens of milliseconds instead of ~600 ms;
//! - back-pressure: `send` waits while more than 65 535 bytes are outstanding;
//! - peer loss: a channel close, a failed or closed connection, or 5 s disconnected.
//!
//! It also provides [`TokioClock`], the tokio adapter of core's `Clock` port.
//!
//! What it is not: no signalling (that is `trystero-core`'s engine and a strategy), no media.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod link;
mod runtime;

pub use clock::TokioClock;
pub use link::{WebRtcConfig, WebRtcLink, WebRtcTransport};
