//! Fuzzes the rollback netcode's message decoder: anything decodes or is a typed error, and a
//! decoded message encodes back to a message that decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_netcode::Message;

fuzz_target!(|input: &[u8]| {
    let mut message = Message::<u16>::default();
    if message.decode_into(input).is_ok() {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        let mut again = Message::<u16>::default();
        again.decode_into(&bytes).expect("our own encoding decodes");
        assert_eq!(again, message);
    }
});
