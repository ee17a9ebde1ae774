//! `trystero peer`: a scriptable peer, one JSON object per line each way. A public interface:
//! the README documents it, keep it stable.
//!
//! stdin:
//! - `{"send": {"action": "chat", "data": <any JSON>, "to": ["<peer id>"], "meta": <any JSON>}}`
//!   (a JSON string in `data` travels as text, anything else as JSON; `to` and `meta` optional;
//!   `"unordered": true` prefers the second, unordered channel to peers that have it)
//! - `{"send": {"action": "blob", "binary": "<base64>", "to": [...], "meta": <any JSON>}}`
//! - `{"ping": "<peer id>"}`
//! - `{"peers": true}`: the active peers, each with whether its connection has the unordered
//!   channel and the type of its selected local candidate (`host`, `srflx`, `prflx`, `relay`,
//!   or null while unknown)
//! - `{"stats": true}`: what the room holds (peers, links, incoming transfers and their bytes,
//!   pings and requests awaiting replies, unread events) and the process's live async tasks
//! - `{"leave": true}`
//!
//! stdout: `self`, `join`, `leave`, `dropped` (a peer we cut off, and why), `message`,
//! `progress`, `pong`, `peers`, `stats` and `error` events.

use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clap::Args;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use trystero::{ActionType, JsonText, Payload, PeerId, RoomEvent, RoomSender, RoomStats};

use super::NetworkArgs;

#[derive(Debug, Args)]
pub(crate) struct PeerArgs {
    #[command(flatten)]
    pub(crate) network: NetworkArgs,
}

type Out = UnboundedSender<Value>;

pub(crate) async fn run(args: PeerArgs) -> Result<()> {
    let network = args.network.resolve().await?;
    let mut room =
        trystero::join_room_with(network.config, &args.network.room, &network.options).await?;
    let (out, mut lines_out) = unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(line) = lines_out.recv().await {
            let mut text = line.to_string();
            text.push('\n');
            if stdout.write_all(text.as_bytes()).await.is_err() || stdout.flush().await.is_err() {
                break;
            }
        }
    });
    emit(
        &out,
        json!({"event": "self", "id": trystero::self_id().as_str()}),
    );
    let sender = room.sender();
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut reading = true;
    loop {
        tokio::select! {
            line = stdin.next_line(), if reading => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => match parse_command(&line) {
                    Ok(Command::Leave) => {
                        if let Err(error) = room.leave().await {
                            emit(&out, json!({"event": "error", "message": error.to_string()}));
                        }
                        break;
                    }
                    Ok(Command::Stats) => emit(&out, stats_json(&room.stats().await)),
                    Ok(command) => start(command, &sender, &out),
                    Err(message) => emit(&out, json!({"event": "error", "message": message})),
                },
                // Input closed: keep receiving until killed (scripts often pipe a few lines).
                Ok(None) | Err(_) => reading = false,
            },
            event = room.next_event() => match event {
                Some(event) => {
                    if let Some(line) = event_json(event) {
                        emit(&out, line);
                    }
                }
                None => break,
            },
        }
    }
    // Let the leave frames go out before the process ends.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    drop(out);
    let _ = writer.await;
    Ok(())
}

/// The `stats` event: the room's counts and the runtime's live tasks.
fn stats_json(stats: &RoomStats) -> Value {
    json!({
        "event": "stats",
        "peers": stats.peers,
        "links": stats.links,
        "incoming_transfers": stats.incoming_transfers,
        "buffered_bytes": stats.buffered_bytes,
        "pending_pings": stats.pending_pings,
        "pending_requests": stats.pending_requests,
        "queued_events": stats.queued_events,
        "tasks": tokio::runtime::Handle::current().metrics().num_alive_tasks(),
    })
}

fn emit(out: &Out, line: Value) {
    let _ = out.send(line);
}

#[derive(Debug, PartialEq)]
enum Command {
    Send {
        action: ActionType,
        payload: Payload,
        to: Option<Vec<PeerId>>,
        meta: Option<JsonText>,
        unordered: bool,
    },
    Ping(PeerId),
    Peers,
    Stats,
    Leave,
}

/// Parses one input line; the error is the message of the `error` event.
fn parse_command(line: &str) -> Result<Command, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|error| format!("input is not JSON: {error}"))?;
    let object = value
        .as_object()
        .ok_or_else(|| "input must be a JSON object".to_owned())?;
    if let Some(send) = object.get("send") {
        let send = send
            .as_object()
            .ok_or_else(|| "\"send\" must be an object".to_owned())?;
        let action = send
            .get("action")
            .and_then(Value::as_str)
            .ok_or_else(|| "\"send\" needs an \"action\" string".to_owned())?;
        let action = ActionType::new(action).map_err(|error| error.to_string())?;
        let payload = match (send.get("data"), send.get("binary")) {
            (Some(Value::String(text)), None) => Payload::Text(text.clone()),
            (Some(data), None) => Payload::json(data).map_err(|error| error.to_string())?,
            (None, Some(Value::String(encoded))) => Payload::Binary(
                BASE64
                    .decode(encoded)
                    .map_err(|error| format!("\"binary\" is not base64: {error}"))?,
            ),
            (None, Some(_)) => return Err("\"binary\" must be a base64 string".into()),
            _ => return Err("\"send\" needs exactly one of \"data\" or \"binary\"".into()),
        };
        let to = match send.get("to") {
            None | Some(Value::Null) => None,
            Some(Value::Array(ids)) => Some(
                ids.iter()
                    .map(|id| {
                        id.as_str()
                            .ok_or_else(|| "\"to\" must list peer id strings".to_owned())
                            .and_then(|id| PeerId::parse(id).map_err(|error| error.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err("\"to\" must be an array of peer ids".into()),
        };
        let meta = match send.get("meta") {
            None => None,
            Some(meta) => Some(JsonText::from_value(meta).map_err(|error| error.to_string())?),
        };
        let unordered = match send.get("unordered") {
            None | Some(Value::Bool(false)) => false,
            Some(Value::Bool(true)) => true,
            Some(_) => return Err("\"unordered\" must be true or false".into()),
        };
        return Ok(Command::Send {
            action,
            payload,
            to,
            meta,
            unordered,
        });
    }
    if let Some(peer) = object.get("ping") {
        let peer = peer
            .as_str()
            .ok_or_else(|| "\"ping\" takes a peer id string".to_owned())?;
        return PeerId::parse(peer)
            .map(Command::Ping)
            .map_err(|error| error.to_string());
    }
    if object.get("leave") == Some(&Value::Bool(true)) {
        return Ok(Command::Leave);
    }
    if object.get("peers") == Some(&Value::Bool(true)) {
        return Ok(Command::Peers);
    }
    if object.get("stats") == Some(&Value::Bool(true)) {
        return Ok(Command::Stats);
    }
    Err("unknown command: expected \"send\", \"ping\", \"peers\", \"stats\" or \"leave\"".into())
}

/// Runs a send or ping in its own task, so events keep flowing meanwhile.
fn start(command: Command, sender: &RoomSender, out: &Out) {
    let (sender, out) = (sender.clone(), out.clone());
    match command {
        Command::Send {
            action,
            payload,
            to,
            meta,
            unordered,
        } => {
            let progress_out = out.clone();
            tokio::spawn(async move {
                let mut sending =
                    sender
                        .send(action.as_str(), payload)
                        .progress(move |peer, fraction| {
                            emit(
                                &progress_out,
                                json!({
                                    "event": "progress",
                                    "action": action.as_str(),
                                    "peer": peer.as_str(),
                                    "direction": "send",
                                    "fraction": fraction,
                                }),
                            );
                        });
                if let Some(to) = to {
                    sending = sending.to(to);
                }
                if let Some(meta) = meta {
                    sending = sending.meta(meta);
                }
                if unordered {
                    sending = sending.unordered();
                }
                if let Err(error) = sending.await {
                    emit(
                        &out,
                        json!({"event": "error", "kind": "send", "message": error.to_string()}),
                    );
                }
            });
        }
        Command::Ping(peer) => {
            tokio::spawn(async move {
                match sender.ping(peer).await {
                    Ok(rtt) => emit(
                        &out,
                        json!({"event": "pong", "peer": peer.as_str(), "ms": rtt.as_secs_f64() * 1000.0}),
                    ),
                    Err(error) => emit(
                        &out,
                        json!({"event": "error", "kind": "ping", "message": error.to_string()}),
                    ),
                }
            });
        }
        Command::Peers => {
            tokio::spawn(async move {
                let peers: Vec<Value> = sender
                    .peers()
                    .await
                    .iter()
                    .map(|peer| {
                        json!({
                            "id": peer.id.as_str(),
                            "unordered": peer.unordered,
                            "candidate": peer.candidate.map(|kind| kind.as_str()),
                        })
                    })
                    .collect();
                emit(&out, json!({"event": "peers", "peers": peers}));
            });
        }
        Command::Stats | Command::Leave => {}
    }
}

/// The output line for a room event (`None` for events the interface does not show).
fn event_json(event: RoomEvent) -> Option<Value> {
    Some(match event {
        RoomEvent::PeerJoined(peer) => json!({"event": "join", "peer": peer.as_str()}),
        RoomEvent::PeerLeft(peer) => json!({"event": "leave", "peer": peer.as_str()}),
        RoomEvent::PeerDropped { peer, reason } => {
            json!({"event": "dropped", "peer": peer.as_str(), "reason": reason.to_string()})
        }
        RoomEvent::JoinError { peer, error } => {
            json!({"event": "error", "kind": "join", "peer": peer.as_str(), "message": error})
        }
        RoomEvent::ReceiveError { peer, error } => {
            json!({"event": "error", "kind": "receive", "peer": peer.as_str(), "message": error.to_string()})
        }
        RoomEvent::RelayNotice { relay, message } => {
            json!({"event": "error", "kind": "relay", "relay": relay, "message": message})
        }
        RoomEvent::Progress {
            peer,
            action,
            progress,
            ..
        } => json!({
            "event": "progress",
            "action": action.as_str(),
            "peer": peer.as_str(),
            "direction": "receive",
            "fraction": f64::from(progress) / 255.0,
        }),
        RoomEvent::Message(message) => {
            let meta = message
                .metadata
                .as_ref()
                .and_then(|meta| meta.deserialize::<Value>().ok())
                .unwrap_or(Value::Null);
            let mut line = json!({
                "event": "message",
                "action": message.action.as_str(),
                "peer": message.peer.as_str(),
                "meta": meta,
            });
            match message.payload {
                Payload::Text(text) => line["data"] = Value::String(text),
                Payload::Json(json) => line["data"] = json.deserialize().unwrap_or(Value::Null),
                Payload::Binary(bytes) => line["binary"] = Value::String(BASE64.encode(bytes)),
            }
            line
        }
        // Pongs answer our own pings (shown by the ping command); newer events are not part
        // of the interface yet.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_as_documented() {
        let id = "skwDUFD6qrm1B4WvfkwH";
        assert_eq!(
            parse_command(&format!(
                r#"{{"send":{{"action":"chat","data":"hi","to":["{id}"]}}}}"#
            )),
            Ok(Command::Send {
                action: ActionType::new("chat").unwrap(),
                payload: Payload::Text("hi".into()),
                to: Some(vec![PeerId::parse(id).unwrap()]),
                meta: None,
                unordered: false,
            })
        );
        let Ok(Command::Send { unordered, .. }) =
            parse_command(r#"{"send":{"action":"x","data":1,"unordered":true}}"#)
        else {
            panic!("expected a send");
        };
        assert!(unordered);
        assert_eq!(parse_command(r#"{"peers":true}"#), Ok(Command::Peers));
        assert_eq!(parse_command(r#"{"stats":true}"#), Ok(Command::Stats));
        let Ok(Command::Send { payload, meta, .. }) =
            parse_command(r#"{"send":{"action":"chat","data":{"n":1},"meta":{"m":1}}}"#)
        else {
            panic!("expected a send");
        };
        assert_eq!(payload.as_bytes(), br#"{"n":1}"#);
        assert_eq!(meta.unwrap().get(), r#"{"m":1}"#);
        let Ok(Command::Send { payload, .. }) =
            parse_command(r#"{"send":{"action":"blob","binary":"AQID"}}"#)
        else {
            panic!("expected a send");
        };
        assert_eq!(payload, Payload::Binary(vec![1, 2, 3]));
        assert_eq!(
            parse_command(&format!(r#"{{"ping":"{id}"}}"#)),
            Ok(Command::Ping(PeerId::parse(id).unwrap()))
        );
        assert_eq!(parse_command(r#"{"leave":true}"#), Ok(Command::Leave));
    }

    #[test]
    fn malformed_lines_are_errors_not_crashes() {
        for line in [
            "not json",
            "[1]",
            r#"{"send":{}}"#,
            r#"{"send":{"action":"x"}}"#,
            r#"{"send":{"action":"x","data":1,"binary":"AA=="}}"#,
            r#"{"send":{"action":"x","binary":"***"}}"#,
            r#"{"send":{"action":"x","data":1,"to":"nope"}}"#,
            r#"{"send":{"action":"x","data":1,"to":["short"]}}"#,
            r#"{"send":{"action":"123456789012345678901234567890123","data":1}}"#,
            r#"{"ping":5}"#,
            r#"{"send":{"action":"x","data":1,"unordered":"yes"}}"#,
            r#"{"dance":true}"#,
        ] {
            assert!(parse_command(line).is_err(), "{line}");
        }
    }
}
