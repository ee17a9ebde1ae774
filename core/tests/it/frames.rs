//! The frames of protocol §6.3 (captured from a real JS 0.25.4 ↔ JS 0.25.4 session) and the
//! `@_hsdata` header of §6.5, reproduced byte for byte and decoded back.

use expect_test::expect;
use trystero_core::wire::{
    ActionChunk, ActionType, Frame, JsonText, NonceCounter, Payload, Reassembler, chunks,
    decode_frame, encode_presence_frame,
};

use super::{TOKEN_HEX, action, encode, peer, receive_all, token};

/// Hex with spaces removed, so vectors can be written as the spec writes them.
fn bytes(spec: &str) -> Vec<u8> {
    let compact: String = spec.split_whitespace().collect();
    (0..compact.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&compact[i..i + 2], 16).unwrap())
        .collect()
}

fn tok() -> String {
    TOKEN_HEX.bytes().map(|b| format!("{b:02x}")).collect()
}

fn pad(n: usize) -> String {
    "00".repeat(n)
}

/// A room frame header: `01 0040` TOK.
fn room() -> String {
    format!("01 0040 {}", tok())
}

#[test]
fn presence_present() {
    let mut out = Vec::new();
    encode_presence_frame(&token(), true, &mut out);
    assert_eq!(out, bytes(&format!("02 01 0040 {}", tok())));
    assert_eq!(out.len(), 68);
    assert_eq!(
        decode_frame(&out).unwrap(),
        Frame::Presence {
            token: token().as_bytes(),
            present: true
        }
    );
}

#[test]
fn presence_absent() {
    let mut out = Vec::new();
    encode_presence_frame(&token(), false, &mut out);
    assert_eq!(out, bytes(&format!("02 00 0040 {}", tok())));
    assert_eq!(out.len(), 68);
}

/// An internal action with the empty-string payload: one chunk, flags `01`.
fn internal(name: &str, hex_name: &str) {
    let frames = encode(action(name), 0, &Payload::Text(String::new()), None);
    let name_len = hex_name.len() / 2;
    let expected = format!("{} {hex_name} {} 0000 01 ff", room(), pad(32 - name_len));
    assert_eq!(frames, [bytes(&expected)], "{name}");
    assert_eq!(frames[0].len(), 103);
    let message = receive_all(&mut Reassembler::new(), peer(1), &frames);
    assert_eq!(message.action.as_str(), name);
    assert_eq!(message.payload, Payload::Text(String::new()));
}

#[test]
fn handshake_ready() {
    internal(ActionType::HANDSHAKE_READY, "405f68737265616479");
}

#[test]
fn ping_pong_and_leave() {
    internal(ActionType::PING, "405f70696e67");
    internal(ActionType::PONG, "405f706f6e67");
    internal(ActionType::LEAVE, "405f6c65617665");
}

/// The three `chat` sends of §6.3, with the nonces a per-action counter hands out.
#[test]
fn chat_json_text_with_metadata_and_binary() {
    let chat = action("chat");
    let mut nonces = NonceCounter::new();
    let chat_type = format!("63686174 {}", pad(28));

    // chat.send({hello: "B", n: 1})
    let json = Payload::json(&serde_json::json!({"hello": "B", "n": 1})).unwrap();
    let frames = encode(chat, nonces.next(chat), &json, None);
    let expected = format!(
        "{} {chat_type} 0000 09 ff 7b2268656c6c6f223a2242222c226e223a317d",
        room()
    );
    assert_eq!(frames, [bytes(&expected)]);
    assert_eq!(frames[0].len(), 122);
    let message = receive_all(&mut Reassembler::new(), peer(1), &frames);
    assert_eq!(message.payload, json);
    assert_eq!(message.metadata, None);

    // chat.send("plain string", {metadata: {m: 1}})
    let text = Payload::Text("plain string".into());
    let meta = JsonText::parse(r#"{"m":1}"#).unwrap();
    let frames = encode(chat, nonces.next(chat), &text, Some(&meta));
    let first = format!("{} {chat_type} 0001 02 80 7b226d223a317d", room());
    let second = format!("{} {chat_type} 0001 01 ff 706c61696e20737472696e67", room());
    assert_eq!(frames, [bytes(&first), bytes(&second)]);
    assert_eq!((frames[0].len(), frames[1].len()), (110, 115));
    let message = receive_all(&mut Reassembler::new(), peer(1), &frames);
    assert_eq!(message.payload, text);
    assert_eq!(message.metadata, Some(meta));
    assert_eq!(message.nonce, 1);

    // chat.send(new Uint8Array([1, 2, 3]))
    let binary = Payload::Binary(vec![1, 2, 3]);
    let frames = encode(chat, nonces.next(chat), &binary, None);
    let expected = format!("{} {chat_type} 0002 0d ff 010203", room());
    assert_eq!(frames, [bytes(&expected)]);
    assert_eq!(frames[0].len(), 106);
    let message = receive_all(&mut Reassembler::new(), peer(1), &frames);
    assert_eq!(message.payload, binary);
}

/// §6.5: the password challenge travels on `@_hsdata` as JSON, header ending `0000 09 ff`.
#[test]
fn password_challenge_chunk_header() {
    let challenge = Payload::json(&serde_json::json!({
        "__trystero_pw": "challenge",
        "c": "HN4fG2bXVrkO5DRVj26um70a5mtAO3nNUMmz"
    }))
    .unwrap();
    let frames = encode(action(ActionType::HANDSHAKE_DATA), 0, &challenge, None);
    assert_eq!(frames.len(), 1);
    let frame = &frames[0];
    assert_eq!(&frame[67..67 + 8], b"@_hsdata");
    assert_eq!(&frame[67 + 32..67 + 36], &[0x00, 0x00, 0x09, 0xff]);
    assert_eq!(
        &frame[67 + 36..],
        br#"{"__trystero_pw":"challenge","c":"HN4fG2bXVrkO5DRVj26um70a5mtAO3nNUMmz"}"#
    );
}

/// The headers of a 40 000-byte binary send with metadata: a snapshot of flags, progress and
/// sizes (refresh with `UPDATE_EXPECT=1` only if the protocol changes).
#[test]
fn multi_chunk_headers_snapshot() {
    let data = vec![0xab; 40_000];
    let meta = JsonText::parse(r#"{"name":"file.bin"}"#).unwrap();
    let listing: Vec<String> = chunks(
        action("file"),
        7,
        trystero_core::wire::PayloadKind::Binary,
        &data,
        Some(&meta),
    )
    .map(|chunk| {
        let mut bytes = Vec::new();
        chunk.encode_into(&mut bytes);
        let decoded = ActionChunk::decode(&bytes).unwrap();
        assert_eq!(decoded, chunk);
        format!(
            "nonce={} flags={:?} progress={} payload={}",
            chunk.header.nonce,
            chunk.header.flags,
            chunk.header.progress,
            chunk.payload.len()
        )
    })
    .collect();
    expect![[r#"
        nonce=7 flags=ChunkFlags(0x0e meta binary json) progress=64 payload=19
        nonce=7 flags=ChunkFlags(0x0c binary json) progress=128 payload=16348
        nonce=7 flags=ChunkFlags(0x0c binary json) progress=191 payload=16348
        nonce=7 flags=ChunkFlags(0x0d last binary json) progress=255 payload=7304"#]]
    .assert_eq(&listing.join("\n"));
}
