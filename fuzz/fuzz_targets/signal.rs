//! Fuzzes the signalling JSON (protocol §3.1): a relay payload read as a signal, and as an ICE
//! candidate in both the browser's and node-datachannel's forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_core::room::signaling::IceCandidate;
use trystero_core::room::signaling::message::IncomingSignal;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(signal) = IncomingSignal::parse(text) {
        let _ = format!("{signal:?}");
    }
    if let Ok(Some(candidate)) = IceCandidate::parse(text) {
        // What we read, we can write back and read again the same.
        let again = IceCandidate::parse(&candidate.to_json()).expect("our own candidate");
        assert_eq!(again, Some(candidate));
    }
});
