//! `trystero send FILE` and `trystero receive`: one file over a room, with progress bars, the
//! file name and SHA-256 in the metadata, no overwriting on the receiving side, and delivery
//! confirmed end to end.
//!
//! The file travels in pieces of at most [`PIECE`] bytes (so any size fits under the
//! receivers' message limit and neither side holds the whole file in memory), each a binary
//! message on the `file` action with `{"name", "size", "offset"}` metadata; the last piece
//! also carries `"sha256"` of the whole file. The receiver writes the pieces to a temporary
//! file, checks the SHA-256, syncs it to disk, renames it into place and only then answers on
//! `file-ack` with `{"sha256", "ok": true}` (or `"ok": false` and an `"error"`). The sender
//! says "delivered" only after that answer, and fails otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ring::digest;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trystero::{JsonText, Payload, PeerId, Room, RoomEvent};

use super::NetworkArgs;

/// The action file pieces travel on.
const FILE_ACTION: &str = "file";
/// The action the receiver confirms (or refuses) a file on.
const ACK_ACTION: &str = "file-ack";
/// The largest piece: a quarter of the receivers' default message limit.
const PIECE: u64 = 16 << 20;

#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The file to send.
    file: PathBuf,
    #[command(flatten)]
    network: NetworkArgs,
    /// How long to wait for a peer to send to.
    #[arg(long, default_value_t = 60)]
    wait_secs: u64,
    /// How long to wait, after the last byte, for the receiver to confirm the file.
    #[arg(long, default_value_t = 60)]
    confirm_secs: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ReceiveArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Where to write received files.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Keep receiving after the first file.
    #[arg(long)]
    keep: bool,
}

fn bar(length: u64, prefix: String) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}

fn hex(digest: &digest::Digest) -> String {
    digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
fn sha256_hex(bytes: &[u8]) -> String {
    hex(&digest::digest(&digest::SHA256, bytes))
}

/// Where in the file `fraction` of a piece at `offset` of `length` bytes is.
fn position(offset: u64, length: u64, fraction: f32) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let within = (length as f64 * f64::from(fraction)) as u64;
    offset + within.min(length)
}

pub(crate) async fn send(args: SendArgs) -> Result<()> {
    let mut file = tokio::fs::File::open(&args.file)
        .await
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let size = file
        .metadata()
        .await
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    let name = args
        .file
        .file_name()
        .and_then(|name| name.to_str())
        .context("the file name is not UTF-8")?
        .to_owned();
    let network = args.network.resolve().await?;
    let mut room =
        trystero::join_room_with(network.config, &args.network.room, &network.options).await?;
    eprintln!("waiting for a peer in room {:?}…", args.network.room);
    let peer = tokio::time::timeout(Duration::from_secs(args.wait_secs), async {
        loop {
            match room.next_event().await {
                Some(RoomEvent::PeerJoined(peer)) => return Ok(peer),
                Some(RoomEvent::JoinError { error, .. }) => bail!("{error}"),
                Some(_) => {}
                None => bail!("the room closed"),
            }
        }
    })
    .await
    .context("no peer joined in time")??;

    let progress = bar(size, format!("→ {peer}"));
    let mut hasher = digest::Context::new(&digest::SHA256);
    let mut offset = 0u64;
    loop {
        let length = PIECE.min(size - offset);
        let mut piece = vec![0; usize::try_from(length)?];
        file.read_exact(&mut piece)
            .await
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        hasher.update(&piece);
        let last = offset + length == size;
        let mut meta = json!({"name": name, "size": size, "offset": offset});
        if last {
            meta["sha256"] = json!(hex(&hasher.clone().finish()));
        }
        let shown = progress.clone();
        room.send(FILE_ACTION, Payload::Binary(piece))
            .to(peer)
            .meta(meta)
            .progress(move |_, fraction| shown.set_position(position(offset, length, fraction)))
            .await
            .with_context(|| format!("sending to {peer}"))?;
        offset += length;
        if last {
            break;
        }
    }
    progress.finish();
    let sha256 = hex(&hasher.finish());
    eprintln!("sent {name} ({size} bytes); waiting for {peer} to confirm…");
    let confirmed = tokio::time::timeout(
        Duration::from_secs(args.confirm_secs),
        confirmation(&mut room, peer, &sha256),
    )
    .await
    .with_context(|| {
        format!(
            "{peer} did not confirm {name} within {} s: not delivered",
            args.confirm_secs
        )
    })?;
    let left = room.leave().await;
    confirmed?;
    eprintln!("delivered {name} to {peer}: {size} bytes, SHA-256 verified by the receiver");
    // The receiver confirmed, so its copy is safe whatever leaving says.
    if let Err(error) = left {
        eprintln!("(leaving the room: {error})");
    }
    Ok(())
}

/// Waits for the receiver's answer on [`ACK_ACTION`].
async fn confirmation(room: &mut Room, peer: PeerId, sha256: &str) -> Result<()> {
    loop {
        match room.next_event().await {
            Some(RoomEvent::Message(message))
                if message.peer == peer && message.action.as_str() == ACK_ACTION =>
            {
                let Payload::Json(json) = message.payload else {
                    bail!("{peer} answered with something that is not JSON");
                };
                let ack: Value = json.deserialize()?;
                if ack["ok"] != json!(true) {
                    bail!(
                        "{peer} refused the file: {}",
                        ack["error"].as_str().unwrap_or("no reason given")
                    );
                }
                if ack["sha256"].as_str() != Some(sha256) {
                    bail!("{peer} confirmed another SHA-256: not delivered");
                }
                return Ok(());
            }
            Some(RoomEvent::PeerLeft(left)) if left == peer => {
                bail!("{peer} left before confirming the file: not delivered")
            }
            Some(_) => {}
            None => bail!("the room closed before {peer} confirmed the file"),
        }
    }
}

/// A file being received from one peer.
struct Incoming {
    name: String,
    size: u64,
    /// Bytes written so far: the offset the next piece must have.
    written: u64,
    part: PathBuf,
    file: tokio::fs::File,
    hasher: digest::Context,
    bar: ProgressBar,
}

/// One piece's metadata.
struct PieceMeta {
    name: String,
    size: u64,
    offset: u64,
    sha256: Option<String>,
}

impl PieceMeta {
    fn parse(metadata: Option<&JsonText>) -> Result<Self> {
        let meta: Value = metadata
            .context("a file piece without metadata")?
            .deserialize()?;
        Ok(Self {
            name: safe_name(meta["name"].as_str().unwrap_or("received.bin")),
            size: meta["size"]
                .as_u64()
                .context("a file piece without a size")?,
            offset: meta["offset"].as_u64().unwrap_or(0),
            sha256: meta["sha256"].as_str().map(str::to_owned),
        })
    }
}

async fn answer(room: &Room, peer: PeerId, ack: &Value) -> Result<()> {
    room.send(ACK_ACTION, Payload::json(ack)?)
        .to(peer)
        .await
        .with_context(|| format!("answering {peer}"))
}

/// Takes one piece; returns the final path once the file is complete, verified and on disk.
async fn take_piece(
    out: &Path,
    incoming: &mut HashMap<PeerId, Incoming>,
    peer: PeerId,
    meta: PieceMeta,
    bytes: &[u8],
) -> Result<Option<(PathBuf, String)>> {
    if meta.offset == 0 {
        if let Some(old) = incoming.remove(&peer) {
            let _ = tokio::fs::remove_file(&old.part).await;
        }
        let part = out.join(format!(".{}.{peer}.part", meta.name));
        let file = tokio::fs::File::create(&part)
            .await
            .with_context(|| format!("cannot write {}", part.display()))?;
        incoming.insert(
            peer,
            Incoming {
                bar: bar(meta.size, format!("← {peer}")),
                name: meta.name.clone(),
                size: meta.size,
                written: 0,
                part,
                file,
                hasher: digest::Context::new(&digest::SHA256),
            },
        );
    }
    let file = incoming
        .get_mut(&peer)
        .context("a file piece without its start")?;
    if meta.offset != file.written || meta.size != file.size || meta.name != file.name {
        bail!(
            "a piece of {} at offset {} does not follow the {} bytes received",
            meta.name,
            meta.offset,
            file.written
        );
    }
    file.file
        .write_all(bytes)
        .await
        .with_context(|| format!("cannot write {}", file.part.display()))?;
    file.hasher.update(bytes);
    file.written += bytes.len() as u64;
    file.bar.set_position(file.written);
    if file.written < file.size {
        return Ok(None);
    }
    let Some(file) = incoming.remove(&peer) else {
        return Ok(None);
    };
    file.bar.finish();
    let actual = hex(&file.hasher.finish());
    let expected = meta.sha256.context("the last piece carries no SHA-256")?;
    if expected != actual {
        let _ = tokio::fs::remove_file(&file.part).await;
        bail!(
            "{}: SHA-256 mismatch (sender said {expected}, got {actual})",
            file.name
        );
    }
    let mut written = file.file;
    written.flush().await?;
    written
        .sync_all()
        .await
        .with_context(|| format!("cannot sync {}", file.part.display()))?;
    let path = free_path(out, &file.name);
    tokio::fs::rename(&file.part, &path)
        .await
        .with_context(|| format!("cannot move the file into {}", path.display()))?;
    Ok(Some((path, actual)))
}

pub(crate) async fn receive(args: ReceiveArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let network = args.network.resolve().await?;
    let mut room =
        trystero::join_room_with(network.config, &args.network.room, &network.options).await?;
    eprintln!("waiting for files in room {:?}…", args.network.room);
    let mut incoming: HashMap<PeerId, Incoming> = HashMap::new();
    while let Some(event) = room.next_event().await {
        match event {
            RoomEvent::Progress {
                peer,
                action,
                progress: byte,
                metadata,
                ..
            } if action.as_str() == FILE_ACTION => {
                let Ok(meta) = PieceMeta::parse(metadata.as_ref()) else {
                    continue;
                };
                if let Some(file) = incoming.get(&peer) {
                    let length = PIECE.min(meta.size.saturating_sub(meta.offset));
                    file.bar
                        .set_position(position(meta.offset, length, f32::from(byte) / 255.0));
                }
            }
            RoomEvent::Message(message) if message.action.as_str() == FILE_ACTION => {
                let peer = message.peer;
                let Payload::Binary(bytes) = message.payload else {
                    eprintln!("ignored a non-binary file message from {peer}");
                    continue;
                };
                let taken = match PieceMeta::parse(message.metadata.as_ref()) {
                    Ok(meta) => take_piece(&args.out, &mut incoming, peer, meta, &bytes).await,
                    Err(error) => Err(error),
                };
                match taken {
                    Ok(None) => {}
                    Ok(Some((path, sha256))) => {
                        answer(&room, peer, &json!({"ok": true, "sha256": sha256})).await?;
                        // The path on stdout, for scripts; the human line on stderr.
                        #[allow(clippy::print_stdout)]
                        {
                            println!("{}", path.display());
                        }
                        eprintln!("received {} from {peer}, SHA-256 verified", path.display());
                        if !args.keep {
                            // Leaving waits until the sender has the confirmation.
                            if let Err(error) = room.leave().await {
                                eprintln!("the sender may not have the confirmation: {error}");
                            }
                            return Ok(());
                        }
                    }
                    Err(error) => {
                        if let Some(file) = incoming.remove(&peer) {
                            let _ = tokio::fs::remove_file(&file.part).await;
                        }
                        let message = format!("{error:#}");
                        let _ = answer(&room, peer, &json!({"ok": false, "error": message})).await;
                        if args.keep {
                            eprintln!("refused a file from {peer}: {message}");
                        } else {
                            let _ = room.leave().await;
                            bail!("refused a file from {peer}: {message}");
                        }
                    }
                }
            }
            RoomEvent::ReceiveError { peer, error } => {
                // A piece that could not be reassembled: the file cannot complete.
                if let Some(file) = incoming.remove(&peer) {
                    let _ = tokio::fs::remove_file(&file.part).await;
                    let message = format!("a piece of {} was lost: {error}", file.name);
                    eprintln!("{message}");
                    let _ = answer(&room, peer, &json!({"ok": false, "error": message})).await;
                }
            }
            RoomEvent::PeerLeft(peer) => {
                if let Some(file) = incoming.remove(&peer) {
                    let _ = tokio::fs::remove_file(&file.part).await;
                    eprintln!(
                        "{peer} left after {} of {} bytes of {}; dropped",
                        file.written, file.size, file.name
                    );
                }
            }
            RoomEvent::JoinError { error, .. } => eprintln!("join error: {error}"),
            _ => {}
        }
    }
    Ok(())
}

/// The last path component only, without separators or leading dots.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let trimmed = base.trim_start_matches('.');
    if trimmed.is_empty() {
        "received.bin".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `dir/name`, or `dir/stem (1).ext`, `(2)`, … if taken: never overwrites.
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let candidate = dir.join(name);
    if !candidate.exists() {
        return candidate;
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|n| dir.join(format!("{stem} ({n}){extension}")))
        .find(|path| !path.exists())
        .unwrap_or(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\\\x\\\\y.txt"), "y.txt");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name(""), "received.bin");
    }

    #[test]
    fn existing_files_are_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("trystero-free-path-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(free_path(&dir, "a.txt"), dir.join("a.txt"));
        std::fs::write(dir.join("a.txt"), b"x").unwrap();
        assert_eq!(free_path(&dir, "a.txt"), dir.join("a (1).txt"));
        std::fs::write(dir.join("a (1).txt"), b"x").unwrap();
        assert_eq!(free_path(&dir, "a.txt"), dir.join("a (2).txt"));
        std::fs::write(dir.join("noext"), b"x").unwrap();
        assert_eq!(free_path(&dir, "noext"), dir.join("noext (1)"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn progress_positions_span_the_pieces() {
        assert_eq!(position(0, 100, 0.0), 0);
        assert_eq!(position(0, 100, 1.0), 100);
        assert_eq!(position(PIECE, 10, 1.0), PIECE + 10);
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
