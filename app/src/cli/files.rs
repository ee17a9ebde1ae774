//! `trystero send FILE` and `trystero receive`: one file over a room, with progress bars, the
//! file name and SHA-256 in the metadata, and no overwriting on the receiving side.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ring::digest;
use serde_json::json;
use trystero::{ActionType, JsonText, Payload, RoomEvent, SendProgress};

use super::NetworkArgs;

/// The action files travel on.
const FILE_ACTION: &str = "file";
/// The largest file: the receivers' default message limit.
const MAX_FILE: u64 = 64 << 20;

#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The file to send.
    file: PathBuf,
    #[command(flatten)]
    network: NetworkArgs,
    /// How long to wait for a peer to send to.
    #[arg(long, default_value_t = 60)]
    wait_secs: u64,
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

fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

pub(crate) async fn send(args: SendArgs) -> Result<()> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    if size > MAX_FILE {
        bail!(
            "{} is {size} bytes; the limit is {MAX_FILE} bytes",
            args.file.display()
        );
    }
    let bytes = tokio::fs::read(&args.file)
        .await
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .and_then(|name| name.to_str())
        .context("the file name is not UTF-8")?
        .to_owned();
    let metadata = JsonText::from_value(&json!({
        "name": name,
        "size": bytes.len(),
        "sha256": sha256_hex(&bytes),
    }))?;
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
    let progress = bar(bytes.len() as u64, format!("→ {peer}"));
    let total = bytes.len() as f64;
    let shown = progress.clone();
    let on_progress: SendProgress = Arc::new(move |_, byte| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        shown.set_position((total * f64::from(byte) / 255.0) as u64);
    });
    room.send_with_progress(
        ActionType::new(FILE_ACTION)?,
        Payload::Binary(bytes),
        Some(metadata),
        Some(vec![peer]),
        on_progress,
    )
    .await
    .with_context(|| format!("sending to {peer}"))?;
    progress.finish();
    eprintln!("sent {name} to {peer}");
    // Let the last frames drain before leaving.
    tokio::time::sleep(Duration::from_millis(300)).await;
    room.leave();
    Ok(())
}

pub(crate) async fn receive(args: ReceiveArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let network = args.network.resolve().await?;
    let mut room =
        trystero::join_room_with(network.config, &args.network.room, &network.options).await?;
    eprintln!("waiting for files in room {:?}…", args.network.room);
    let mut progress: Option<ProgressBar> = None;
    while let Some(event) = room.next_event().await {
        match event {
            RoomEvent::Progress {
                peer,
                action,
                progress: byte,
                metadata,
                ..
            } if action.as_str() == FILE_ACTION => {
                let size = metadata
                    .and_then(|meta| meta.deserialize::<serde_json::Value>().ok())
                    .and_then(|meta| meta["size"].as_u64())
                    .unwrap_or(0);
                let bar = progress.get_or_insert_with(|| bar(size, format!("← {peer}")));
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                bar.set_position((size as f64 * f64::from(byte) / 255.0) as u64);
            }
            RoomEvent::Message(message) if message.action.as_str() == FILE_ACTION => {
                if let Some(bar) = progress.take() {
                    bar.finish();
                }
                let meta: serde_json::Value = message
                    .metadata
                    .as_ref()
                    .and_then(|meta| meta.deserialize().ok())
                    .unwrap_or_default();
                let Payload::Binary(bytes) = message.payload else {
                    eprintln!("ignored a non-binary file message from {}", message.peer);
                    continue;
                };
                let name = safe_name(meta["name"].as_str().unwrap_or("received.bin"));
                let path = free_path(&args.out, &name);
                tokio::fs::write(&path, &bytes)
                    .await
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let actual = sha256_hex(&bytes);
                match meta["sha256"].as_str() {
                    Some(expected) if expected == actual => {
                        // The path on stdout, for scripts; the human line on stderr.
                        #[allow(clippy::print_stdout)]
                        {
                            println!("{}", path.display());
                        }
                        eprintln!(
                            "received {} ({} bytes) from {}, SHA-256 verified",
                            path.display(),
                            bytes.len(),
                            message.peer
                        );
                    }
                    Some(expected) => bail!(
                        "{}: SHA-256 mismatch (sender said {expected}, got {actual})",
                        path.display()
                    ),
                    None => eprintln!("received {} (no checksum to verify)", path.display()),
                }
                if !args.keep {
                    room.leave();
                    return Ok(());
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
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
