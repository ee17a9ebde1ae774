//! `trystero-mqtt`: Trystero's MQTT strategy. MQTT 3.1.1 brokers over WebSocket carry the
//! signalling messages (protocol §4.2), with rumqttc as the MQTT client.
//!
//! [`MqttSignaler`] implements core's `Signaler` port:
//! - `MqttSignaler` is the shared relay client's `RelaySignaler` over the [`Mqtt`] strategy:
//!   one rumqttc client per broker, shared by every room of the signaler, each in its own
//!   tasks, so a broker that is down never blocks the others;
//! - topics are the raw root and self topics, with no prefix; subscriptions are QoS 0 and
//!   reference-counted (UNSUBSCRIBE when the last user leaves);
//! - publishes are QoS 0, not retained, and dropped while disconnected (mqtt.js
//!   `queueQoSZero: false`); the last announcement per topic is remembered, and after every
//!   reconnect the client subscribes to all its topics again and republishes them (0.25.4);
//! - like mqtt.js: clean sessions, a 60 s keep-alive, a client id `mqttjs_` + 8 hex digits,
//!   credentials from the URL's user info, and a reconnect every second without end;
//! - `ws://`, `wss://` (rustls on ring, Mozilla roots) and plain `mqtt://` URLs.
//!
//! The announce schedule, who offers and the encrypted exchange live in `trystero-core`'s
//! engine, shared with the Nostr strategy through the same port.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod broker;

#[doc(hidden)]
pub use broker::decode_packet;

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{MqttOptions, TlsConfiguration, Transport};
use trystero_core::config::RoomConfig;
use trystero_core::random::{OsRandom, RandomSource};
use trystero_core::signaler::SignalingError;
use trystero_signaling_client::{Publication, RelaySet, RelaySignaler, RelayTask, Strategy};

pub use broker::BrokerCommand;

/// Trystero 0.25.4's default MQTT brokers, in order.
pub const DEFAULT_BROKERS: [&str; 5] = [
    "wss://test.mosquitto.org:8081/mqtt",
    "wss://broker.emqx.io:8084/mqtt",
    "wss://public:public@public.cloud.shiftr.io",
    "wss://broker-cn.emqx.io:8084/mqtt",
    "wss://broker.hivemq.com:8884/mqtt",
];

/// How many default brokers a room uses: the first four.
pub const DEFAULT_REDUNDANCY: usize = 4;

/// The largest MQTT packet accepted or sent (an SDP with every candidate fits easily).
const MAX_PACKET: usize = 256 * 1024;

/// The brokers a room uses: its explicit URLs, or the first defaults in list order.
pub fn broker_urls(config: &RoomConfig) -> Vec<String> {
    config
        .relay()
        .select(&DEFAULT_BROKERS, config.app_id(), false, DEFAULT_REDUNDANCY)
}

/// A broker URL that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BrokerUrlError {
    /// Not a URL.
    #[error("invalid broker URL {url:?}: {reason}")]
    Invalid {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A scheme other than `ws`, `wss` or `mqtt`.
    #[error("broker URL {0:?}: use ws://, wss:// or mqtt://")]
    Scheme(String),
    /// TLS could not be set up for a `wss://` broker.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// The rumqttc options for a broker URL: the transport from the scheme, credentials from the
/// user info (and removed from the URL the WebSocket requests), mqtt.js's other defaults.
pub fn broker_options(url: &str) -> Result<MqttOptions, BrokerUrlError> {
    let invalid = |reason: String| BrokerUrlError::Invalid {
        url: url.to_owned(),
        reason,
    };
    let mut parsed = url::Url::parse(url).map_err(|error| invalid(error.to_string()))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| invalid("no host".into()))?
        .to_owned();
    let user = decode(parsed.username());
    let pass = parsed.password().map(decode);
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let id = client_id();
    let mut options = match parsed.scheme() {
        "ws" | "wss" => {
            let mut options = MqttOptions::new(id, parsed.as_str(), 0);
            options.set_transport(if parsed.scheme() == "ws" {
                Transport::Ws
            } else {
                let tls = tls_config().map_err(|error| BrokerUrlError::Tls(error.to_string()))?;
                Transport::Wss(TlsConfiguration::Rustls(Arc::new(tls)))
            });
            options
        }
        "mqtt" => MqttOptions::new(id, host, parsed.port().unwrap_or(1883)),
        _ => return Err(BrokerUrlError::Scheme(url.to_owned())),
    };
    options
        .set_keep_alive(Duration::from_secs(60))
        .set_clean_session(true)
        .set_max_packet_size(MAX_PACKET, MAX_PACKET);
    if !user.is_empty() || pass.is_some() {
        options.set_credentials(user, pass.unwrap_or_default());
    }
    Ok(options)
}

fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// `mqttjs_` and 8 random hex digits, like mqtt.js.
fn client_id() -> String {
    let mut bytes = [0u8; 4];
    // Without OS randomness the id is still valid; brokers only need it unique per session.
    let _ = OsRandom.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("mqttjs_{hex}")
}

fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// Trystero's MQTT strategy as a signaler: `MqttSignaler::connect(&urls)`. A URL that cannot be
/// used shows as retired in `relay_sockets`; the others go on. Must be created inside a tokio
/// runtime.
pub type MqttSignaler = RelaySignaler<Mqtt>;

/// The MQTT strategy: every command goes to the brokers, which keep the subscriptions.
#[derive(Debug, Default)]
pub struct Mqtt;

impl Strategy for Mqtt {
    type Command = BrokerCommand;

    const NAME: &'static str = "MqttSignaler";

    fn start_relay(&self, task: RelayTask<BrokerCommand>) {
        let options = broker_options(task.url()).map_err(|error| error.to_string());
        broker::spawn(task, options);
    }

    fn subscribe(&self, brokers: &RelaySet<BrokerCommand>, topic: &str) {
        brokers.broadcast(|| BrokerCommand::Subscribe(topic.to_owned()));
    }

    fn unsubscribe(&self, brokers: &RelaySet<BrokerCommand>, topic: &str) {
        brokers.broadcast(|| BrokerCommand::Unsubscribe(topic.to_owned()));
    }

    fn publish(
        &self,
        brokers: &RelaySet<BrokerCommand>,
        publication: Publication<'_>,
    ) -> Result<(), SignalingError> {
        brokers.send(publication.relay, || BrokerCommand::Publish {
            topic: publication.topic.to_owned(),
            payload: publication.payload.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_brokers_are_the_first_four_in_order() {
        let config = RoomConfig::builder("any-app").build().unwrap();
        assert_eq!(broker_urls(&config), DEFAULT_BROKERS[..4]);
        let config = RoomConfig::builder("x")
            .relay_urls(["ws://127.0.0.1:1"])
            .build()
            .unwrap();
        assert_eq!(broker_urls(&config), ["ws://127.0.0.1:1"]);
    }

    #[test]
    fn credentials_come_from_the_url_and_leave_it() {
        let options = broker_options("wss://public:public@public.cloud.shiftr.io").unwrap();
        let login = options.credentials().unwrap();
        assert_eq!(
            (login.username.as_str(), login.password.as_str()),
            ("public", "public")
        );
        let (host, _) = options.broker_address();
        assert_eq!(host, "wss://public.cloud.shiftr.io/");
        let options = broker_options("ws://127.0.0.1:9001/mqtt").unwrap();
        assert!(options.credentials().is_none());
        assert_eq!(options.broker_address().0, "ws://127.0.0.1:9001/mqtt");
        assert!(options.client_id().starts_with("mqttjs_"));
        assert_eq!(options.client_id().len(), 15);
        assert_eq!(options.keep_alive(), Duration::from_secs(60));
    }

    #[test]
    fn bad_urls_are_typed_errors() {
        assert!(matches!(
            broker_options("not a url"),
            Err(BrokerUrlError::Invalid { .. })
        ));
        assert!(matches!(
            broker_options("http://127.0.0.1:1"),
            Err(BrokerUrlError::Scheme(url)) if url == "http://127.0.0.1:1"
        ));
    }
}
