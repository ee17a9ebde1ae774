//! The Trystero JS 0.25.4 peer: `interop/peer.mjs` on Node (with node-datachannel), which
//! speaks the `trystero peer` JSON-lines interface. `.ci/run` installs the npm packages from
//! `interop/package-lock.json`.

use std::process::Command;

use crate::interop_dir;
use crate::peer::Peer;

/// The command that runs the JS peer in `room` of `app`, with more `peer.mjs` flags (e.g.
/// `--strategy mqtt --relay URL`, `--password P`, another `--room R`).
pub fn command(room: &str, app: &str, args: &[&str]) -> Command {
    let script = interop_dir().join("peer.mjs");
    assert!(
        script
            .with_file_name("node_modules")
            .join("trystero")
            .exists(),
        "run `npm ci` in interop/ (.ci/run does)"
    );
    let mut command = Command::new("node");
    command
        .arg(script)
        .args(["--room", room, "--app", app])
        .args(args);
    command
}

/// Starts the JS peer (see [`command`]): once this returns it has printed its id; it is killed
/// when the [`Peer`] drops.
pub fn start(room: &str, app: &str, args: &[&str]) -> Peer {
    Peer::spawn(command(room, app, args))
}
