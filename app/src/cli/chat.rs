//! `trystero chat`: a small interactive chat. Names travel on a `name` action when peers join
//! (as in Trystero's README example); lines typed go to everyone on `chat`.

use std::collections::HashMap;

use anyhow::Result;
use clap::Args;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use trystero::{Message, PeerId, RoomEvent};

use super::NetworkArgs;

#[derive(Debug, Args)]
pub(crate) struct ChatArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Your name in the chat (default: your peer id).
    #[arg(long)]
    name: Option<String>,
}

pub(crate) async fn run(args: ChatArgs) -> Result<()> {
    let network = args.network.resolve().await?;
    let mut room =
        trystero::join_room_with(network.config, &args.network.room, &network.options).await?;
    let me = args
        .name
        .unwrap_or_else(|| trystero::self_id().as_str().to_owned());
    let mut names_action = room.make_action::<String>("name").await?;
    let mut chat = room.make_action::<String>("chat").await?;
    let mut names: HashMap<PeerId, String> = HashMap::new();
    let mut stdout = tokio::io::stdout();
    let mut say = async |line: String| {
        let _ = stdout.write_all(format!("{line}\n").as_bytes()).await;
        let _ = stdout.flush().await;
    };
    say(format!(
        "* you are {me} in room {:?}; type to chat, Ctrl-D to leave",
        args.network.room
    ))
    .await;
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = stdin.next_line() => match line {
                Ok(Some(text)) if !text.trim().is_empty() => {
                    if let Err(error) = chat.send(&text).await {
                        say(format!("* not sent: {error}")).await;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            },
            event = room.next_event() => match event {
                Some(RoomEvent::PeerJoined(peer)) => {
                    let _ = names_action.send(&me).to(peer).await;
                    say(format!("* {peer} joined")).await;
                }
                Some(RoomEvent::PeerLeft(peer)) => {
                    let name = names.remove(&peer).unwrap_or_else(|| peer.to_string());
                    say(format!("* {name} left")).await;
                }
                Some(RoomEvent::JoinError { error, .. }) => say(format!("* {error}")).await,
                Some(_) => {}
                None => break,
            },
            Some(Message { peer, value, .. }) = names_action.recv() => {
                say(format!("* {peer} is {value}")).await;
                names.insert(peer, value);
            },
            Some(Message { peer, value, .. }) = chat.recv() => {
                let name = names.get(&peer).cloned().unwrap_or_else(|| peer.to_string());
                say(format!("[{name}] {value}")).await;
            },
        }
    }
    // Leaving waits until the others have every line sent.
    if let Err(error) = room.leave().await {
        eprintln!("* leaving: {error}");
    }
    Ok(())
}
