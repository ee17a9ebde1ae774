//! Fuzzes what a Nostr relay sends us: a relay message read as the live connection reads it
//! (JSON array, `EVENT` shape, subscribed topic, kind, id and signature).
#![no_main]

use libfuzzer_sys::fuzz_target;

const TOPIC: &str = "Trystero@app@room";

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Some((topic, _content)) = trystero_nostr::decode_relay_message(text, TOPIC) {
        assert_eq!(topic, TOPIC, "only a subscribed topic is delivered");
    }
});
