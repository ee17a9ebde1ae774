//! The `trystero` command: a scriptable peer and an embedded relay.
//!
//! - `trystero peer --app A --room R [--password P] [--relay URL]... [--local]`: a peer that
//!   speaks one JSON object per line on stdin and stdout (see `cli/peer.rs` and the README).
//! - `trystero relay [--port N]`: hosts the embedded Nostr relay on 127.0.0.1.

#![forbid(unsafe_code)]

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Set while a full-screen view owns the terminal: log lines would tear it, so they are dropped.
pub(crate) static LOGS_SILENCED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Stderr, or nothing while [`LOGS_SILENCED`].
fn log_writer() -> Box<dyn std::io::Write> {
    if LOGS_SILENCED.load(std::sync::atomic::Ordering::Relaxed) {
        Box::new(std::io::sink())
    } else {
        Box::new(std::io::stderr())
    }
}

/// Logs to stderr: `RUST_LOG` when set, else warnings, raised by `-v` (info), `-vv` (debug)
/// and `-vvv` (trace) for the project's crates. The embedded relay's per-connection complaints
/// (a probe that never finished its WebSocket handshake, a peer process that exited) are not
/// the user's business: they show from `-v` on.
fn init_logs(verbose: u8) {
    let filter = match std::env::var_os("RUST_LOG") {
        Some(_) => EnvFilter::from_default_env(),
        None => EnvFilter::new(match verbose {
            0 => "warn,nostr_relay_builder=off",
            1 => "warn,trystero=info",
            2 => "warn,trystero=debug",
            _ => "info,trystero=trace",
        }),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(log_writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = cli::Cli::parse();
    init_logs(command.verbose);
    match cli::run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("trystero: {error:#}");
            ExitCode::FAILURE
        }
    }
}
