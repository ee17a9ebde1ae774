//! Fuzzes the SDP cipher's wire string (`iv$ciphertext`, protocol §2): decrypting anything gives
//! text or a typed error; what we encrypt decrypts to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_crypto::sdp::SdpKey;

fuzz_target!(|input: &[u8]| {
    let key = SdpKey::from_bytes([7; 32]);
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let _ = key.decrypt(text);
    let wire = key.encrypt_with_iv([1; 16], text).expect("encrypts");
    assert_eq!(key.decrypt(&wire).expect("decrypts"), text);
});
