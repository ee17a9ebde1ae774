//! The password handshake's response (protocol §6.5).
//!
//! The initiator (lower peer id) sends `{"__trystero_pw":"challenge","c":C}`; the responder
//! answers `{"__trystero_pw":"response","h":H}` with `H` computed here. The initiator computes
//! the same value and compares.

use std::fmt::Write;

use ring::digest;
use trystero_core::{AppId, RoomId};

/// `H` = lowercase hex `SHA-256(challenge + ":" + password + ":" + appId + ":" + roomId)`.
pub fn password_challenge_response(
    challenge: &str,
    password: &str,
    app: &AppId,
    room: &RoomId,
) -> String {
    let input = format!("{challenge}:{password}:{app}:{room}");
    let hash = digest::digest(&digest::SHA256, input.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in hash.as_ref() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Checks a response to `challenge`, comparing in constant time.
pub fn verify_password_response(
    challenge: &str,
    response: &str,
    password: &str,
    app: &AppId,
    room: &RoomId,
) -> bool {
    let expected = password_challenge_response(challenge, password, app, room);
    expected.len() == response.len()
        && expected
            .bytes()
            .zip(response.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_accepts_only_the_right_response() {
        let app = AppId::new("a").unwrap();
        let room = RoomId::new("r").unwrap();
        let good = password_challenge_response("c", "pw", &app, &room);
        assert!(verify_password_response("c", &good, "pw", &app, &room));
        assert!(!verify_password_response("c", &good, "other", &app, &room));
        assert!(!verify_password_response("d", &good, "pw", &app, &room));
        assert!(!verify_password_response(
            "c",
            &good[..63],
            "pw",
            &app,
            &room
        ));
    }
}
