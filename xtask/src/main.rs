//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `ci [--quick]`: exactly what CI runs: set-up (installs what the tests need and is missing),
//!   format check, clippy with `-D warnings`, rustdoc with `-D warnings`, the tests, and the
//!   wasm32 check, every fuzz target for 3 s, then a summary. `--quick`: set-up, fmt, clippy
//!   and the pure crates' tests.
//! - `setup`: only the set-up (idempotent; silent when everything is there).
//! - `tidy`: the architecture rules (allowed dependency edges between workspace crates, package
//!   names, crate docs). Also runs as a `#[test]`, so `cargo test` enforces it.
//! - `wasm`: `cargo check --target wasm32-unknown-unknown` of the crates that must run in
//!   browsers, and of `trystero-audio` without its cpal output (the mixer runs in browsers too);
//!   then the game's determinism probe built for wasm32 and run under Node, whose checksum
//!   must equal the native one pinned in `game/tests/probe.txt`.
//! - `bench [ARGS]`: the criterion benches (ARGS go to criterion).
//! - `faults`: the fault tests on a simulated network (`app/tests/it/faults.rs`: test hosts in
//!   network namespaces; needs root), one at a time, with the timings they print.
//! - `fuzz [--seconds N] [--target NAME]`: every cargo-fuzz target in `fuzz/` (or one) for N
//!   seconds each (default 60), then a table of executions and failures per target.
//! - `dist`: the release bundle for the host target, `target/dist/trystero-<version>-<target>.tar.gz`
//!   (the binary, README, LICENSE, the third-party licences and `SHA256SUMS`).
#![allow(clippy::print_stdout)]

mod ci;
mod dist;
mod fuzz;
mod setup;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    match task() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` gives the whole chain of causes, without a backtrace.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn task() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = args
        .split_first()
        .map_or(("help", &[][..]), |(t, r)| (t.as_str(), r));
    match task {
        "ci" => ci::ci(rest),
        "setup" => {
            let installed = setup::provision(&workspace_root())?;
            println!("setup: ok ({installed} installed)");
            Ok(())
        }
        "tidy" => {
            tidy::check_workspace(&workspace_root())?;
            println!("tidy: ok");
            Ok(())
        }
        "wasm" => wasm(),
        "bench" => bench(rest),
        "faults" => faults(rest),
        "fuzz" => fuzz::fuzz(rest),
        "dist" => dist::dist(rest),
        _ => {
            println!(
                "usage: cargo xtask <ci [--quick] | setup | tidy | wasm | bench [ARGS] | faults | fuzz [--seconds N] [--target NAME] | dist>"
            );
            if task == "help" || task == "--help" {
                Ok(())
            } else {
                bail!("unknown task {task:?}")
            }
        }
    }
}

/// The workspace root: the parent of this crate's folder.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

pub(crate) fn run(mut command: Command) -> Result<()> {
    println!("$ {command:?}");
    let status = command
        .status()
        .with_context(|| format!("could not start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}

pub(crate) fn wasm() -> Result<()> {
    let crates = tidy::browser_crates(&workspace_root())?;
    let mut check = cargo();
    check.args(["check", "--target", "wasm32-unknown-unknown"]);
    for name in &crates {
        check.args(["-p", name]);
    }
    run(check).context(
        "the wasm32 check failed; is the target installed (rustup target add \
         wasm32-unknown-unknown) and clang present (ring's C code)?",
    )?;
    // The audio adapter's pure part: the mixer, the sounds and the decoders, without cpal.
    let mut audio = cargo();
    audio.args([
        "check",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "trystero-audio",
        "--no-default-features",
    ]);
    run(audio).context("the wasm32 check of trystero-audio's mixer failed")?;
    wasm_probe()
}

/// The game's scripted match compiled to wasm32 and run under Node must end in the checksum the
/// native build pins: the simulation is bit-identical across targets.
fn wasm_probe() -> Result<()> {
    let root = workspace_root();
    let mut build = cargo();
    build.args([
        "build",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "trystero-game",
        "--example",
        "wasm_probe",
    ]);
    run(build).context("building the game's wasm32 probe failed")?;
    let pin = std::fs::read_to_string(root.join("game/tests/probe.txt"))
        .context("reading game/tests/probe.txt")?;
    let fields: Vec<&str> = pin
        .lines()
        .find(|line| !line.starts_with('#') && !line.trim().is_empty())
        .context("game/tests/probe.txt has no probe line")?
        .split_whitespace()
        .collect();
    let [seed, players, frames, expected] = fields[..] else {
        bail!("game/tests/probe.txt: expected `seed players frames checksum`, got {fields:?}");
    };
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let module = target.join("wasm32-unknown-unknown/debug/examples/wasm_probe.wasm");
    let output = Command::new("node")
        .arg(root.join("game/tests/wasm_probe.cjs"))
        .arg(&module)
        .args([seed, players, frames])
        .output()
        .context("running node (is Node.js installed?)")?;
    if !output.status.success() {
        bail!(
            "the wasm32 probe failed under Node: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let found = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if found != expected {
        bail!(
            "the wasm32 build of the game ends in checksum {found}, the native build in {expected}: the simulation is not bit-identical across targets"
        );
    }
    println!("wasm32 probe: checksum {found}, the same as native");
    Ok(())
}

fn faults(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask faults");
    }
    let mut test = cargo();
    test.args([
        "test",
        "-p",
        "trystero",
        "--test",
        "it",
        "faults::",
        "--",
        "--test-threads=1",
        "--nocapture",
    ])
    // The lossy-network transfer moves 16 MiB here (1 MiB in CI).
    .env("TRYSTERO_LOSSY_MIB", "16");
    run(test)
}

fn bench(args: &[String]) -> Result<()> {
    let mut bench = cargo();
    bench.args(["bench", "--workspace", "--bench", "*", "--"]);
    bench.args(args);
    run(bench)
}
