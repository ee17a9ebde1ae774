//! Fuzzes what an MQTT broker sends us: one packet through rumqttc's reader with the adapter's
//! packet limit, and a publish's payload read as the adapter reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if let Some((_topic, payload)) = trystero_mqtt::decode_packet(input) {
        assert!(payload.len() <= input.len());
    }
});
