//! Fuzzes the lobby's message decoder (size cap, version, bounded fields).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_lobby::message::Message;

fuzz_target!(|input: &[u8]| {
    if let Ok(message) = Message::decode(input) {
        let again = Message::decode(&message.encode()).expect("our own encoding decodes");
        assert_eq!(format!("{again:?}"), format!("{message:?}"));
    }
});
