//! What the join benches share.

use trystero::Strategy;
use trystero_core::room::Instance;
use trystero_mqtt::MqttSignaler;
use trystero_nostr::NostrSignaler;
use trystero_testkit::rooms::instance as spawn;
use trystero_torrent::TorrentSignaler;

/// A Rust instance on the strategy's signaler with this one relay (loopback WebRTC).
pub(crate) fn rust_instance(strategy: Strategy, relay: &str) -> Instance {
    let urls = [relay.to_owned()];
    match strategy {
        Strategy::Mqtt => spawn(MqttSignaler::connect(&urls)),
        Strategy::Torrent => spawn(TorrentSignaler::connect(&urls)),
        _ => spawn(NostrSignaler::connect(&urls)),
    }
}
