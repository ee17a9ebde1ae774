//! Every test vector of `shared/trystero-protocol.md` §1.3, §2 and §6.5 (the password hash),
//! captured from real Trystero JS 0.25.4 runs and checked independently.

use proptest::prelude::*;
use trystero_core::{AppId, PeerId, RoomId};
use trystero_crypto::{
    DecryptError, RoomTopics, SdpKey, nostr_kind, password_challenge_response, peer_topic,
    room_token, root_topic, sdp_key_bytes, sha1_base36, torrent_info_hash,
};

fn app() -> AppId {
    AppId::new("trystero-rust-test").unwrap()
}

fn room() -> RoomId {
    RoomId::new("room1").unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const IV: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const IV_TEXT: &str = "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15";

#[test]
fn root_topic_and_its_nostr_kind() {
    let root = root_topic(&app(), &room());
    assert_eq!(root, "222j6441452ns4d05p4305d3w1f5g5g3sc36");
    assert_eq!(nostr_kind(&root), 22515);
}

#[test]
fn self_topics_and_their_nostr_kinds() {
    let peer = PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap();
    let topic = peer_topic(&app(), &room(), &peer);
    assert_eq!(topic, "6p1m2a4p595c57645h212s2a6y6i4d7150295821");
    assert_eq!(nostr_kind(&topic), 22685);

    let peer = PeerId::parse("Zk4EuH4FDB2jqJYMw0Ug").unwrap();
    let topic = peer_topic(&app(), &room(), &peer);
    assert_eq!(topic, "6t6z6x2h4t5e1u222am715p5b28649714bf4x");
    assert_eq!(nostr_kind(&topic), 22735);
}

#[test]
fn torrent_info_hash_is_the_prefix_of_the_hashed_root_topic() {
    // Computed by @trystero-p2p/core 0.25.4: (await sha1(rootTopic)).slice(0, 20).
    assert_eq!(torrent_info_hash(&app(), &room()), "2f3k2t62243h2d3v6f6w");
}

#[test]
fn room_token_is_hex_sha256() {
    assert_eq!(
        room_token(&app(), &room()).as_str(),
        "9302173d192360b032399473746e09bc3d52415204426651551919a5adee9913"
    );
}

#[test]
fn aes_key_without_password() {
    assert_eq!(
        hex(&sdp_key_bytes("", &app(), &room())),
        "0b29edef73e257748248bdabd014f6da70294b01225430c847036028fb9bd7b7"
    );
}

#[test]
fn sha1_base36_of_another_app() {
    assert_eq!(
        sha1_base36("Trystero@my-app@lobby"),
        "z564c132g302c6qki3c2z374n12711k3x245f"
    );
}

#[test]
fn room_topics_bundle_agrees_with_the_functions() {
    let peer = PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap();
    let topics = RoomTopics::new(&app(), &room(), &peer);
    assert_eq!(topics.root, root_topic(&app(), &room()));
    assert_eq!(topics.own, peer_topic(&app(), &room(), &peer));
    assert_eq!(topics.token, room_token(&app(), &room()));
}

#[test]
fn aes_gcm_vector_without_password() {
    let key = SdpKey::derive("", &app(), &room());
    let wire = format!("{IV_TEXT}$225O/6uXAtmrniTMMcoYbmWBEiYAfO3t8zeqnSwj");
    assert_eq!(key.encrypt_with_iv(IV, "hello trystero").unwrap(), wire);
    assert_eq!(key.decrypt(&wire).unwrap(), "hello trystero");
}

#[test]
fn aes_gcm_vector_with_password() {
    let key = SdpKey::derive("hunter2", &app(), &room());
    let wire = format!("{IV_TEXT}$0Yqbc77+adLQJSlCQ1VP7HWUvgOMb3arbPiOD4bo");
    assert_eq!(key.encrypt_with_iv(IV, "hello trystero").unwrap(), wire);
    assert_eq!(key.decrypt(&wire).unwrap(), "hello trystero");
}

#[test]
fn wrong_password_is_a_typed_decrypt_error() {
    let wire = format!("{IV_TEXT}$0Yqbc77+adLQJSlCQ1VP7HWUvgOMb3arbPiOD4bo");
    let no_password = SdpKey::derive("", &app(), &room());
    assert_eq!(
        no_password.decrypt(&wire),
        Err(DecryptError::Authentication)
    );
    let other_room = SdpKey::derive("hunter2", &app(), &RoomId::new("room2").unwrap());
    assert_eq!(other_room.decrypt(&wire), Err(DecryptError::Authentication));
}

#[test]
fn tampered_ciphertext_fails_authentication() {
    let key = SdpKey::derive("", &app(), &room());
    // Flip one base64 character of the ciphertext.
    let wire = format!("{IV_TEXT}$325O/6uXAtmrniTMMcoYbmWBEiYAfO3t8zeqnSwj");
    assert_eq!(key.decrypt(&wire), Err(DecryptError::Authentication));
}

#[test]
fn password_challenge_response_vector() {
    assert_eq!(
        password_challenge_response(
            "HN4fG2bXVrkO5DRVj26um70a5mtAO3nNUMmz",
            "hunter2",
            &app(),
            &room()
        ),
        "02ee2585b91e9363a5921ff58214337414351f9f0fc7d7ab36a326816e5b79fe"
    );
}

proptest! {
    #[test]
    fn sha1_base36_is_20_to_40_base36_characters(text in ".*") {
        let hash = sha1_base36(&text);
        prop_assert!((20..=40).contains(&hash.len()));
        prop_assert!(hash.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }

    #[test]
    fn nostr_kinds_are_ephemeral(topic in ".*") {
        prop_assert!((20_000..30_000).contains(&nostr_kind(&topic)));
    }

    #[test]
    fn encryption_round_trips(plaintext in ".*", password in ".*", iv in any::<[u8; 16]>()) {
        let key = SdpKey::derive(&password, &app(), &room());
        let wire = key.encrypt_with_iv(iv, &plaintext).unwrap();
        prop_assert_eq!(key.decrypt(&wire).unwrap(), plaintext);
    }

    #[test]
    fn decrypting_garbage_never_panics(wire in ".*") {
        let key = SdpKey::derive("", &app(), &room());
        let _ = key.decrypt(&wire);
    }
}
