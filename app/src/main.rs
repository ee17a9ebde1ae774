//! The `trystero` command: a scriptable peer and an embedded relay.
//!
//! - `trystero peer --app A --room R [--password P] [--relay URL]... [--local]`: a peer that
//!   speaks one JSON object per line on stdin and stdout (see `cli/peer.rs` and the README).
//! - `trystero relay [--port N]`: hosts the embedded Nostr relay on 127.0.0.1.

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let command = cli::Cli::parse();
    match cli::run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("trystero: {error:#}");
            ExitCode::FAILURE
        }
    }
}
