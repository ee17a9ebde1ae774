//! `cargo xtask fuzz`: every cargo-fuzz target in `fuzz/`, each for N seconds, then a table of
//! executions and failures per target.
//!
//! The targets build with cargo-fuzz on the stable toolchain and without a sanitizer (`-s none`):
//! this machine kind has one toolchain, and the code fuzzed forbids `unsafe`, so the fuzzer
//! looks for panics, hangs (`-timeout`) and memory blow-ups (`-rss_limit_mb`). Each target reads
//! its committed seeds (`fuzz/seeds/<target>`) and keeps what it finds in `fuzz/corpus/<target>`
//! (ignored by git). A failure leaves its input in `fuzz/artifacts/<target>/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::workspace_root;

/// One target's run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) target: String,
    pub(crate) execs: u64,
    pub(crate) seconds: f64,
    /// `None`: no crash, timeout or out-of-memory.
    pub(crate) failure: Option<String>,
}

/// The `[[bin]]` names of the fuzz crate's manifest, in order.
pub(crate) fn targets(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin
            && let Some(value) = line.strip_prefix("name")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            names.push(value.trim().trim_matches('"').to_owned());
        }
    }
    names
}

/// What libFuzzer's final stats and error lines say about a run.
pub(crate) fn read_run(target: &str, log: &str, exited_ok: bool, seconds: f64) -> Outcome {
    let execs = log
        .lines()
        .find_map(|line| line.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let failure = log
        .lines()
        .find_map(|line| {
            let rest = line.split("ERROR: libFuzzer: ").nth(1)?;
            Some(rest.trim().to_owned())
        })
        .or_else(|| {
            log.lines()
                .find(|line| line.contains("panicked at"))
                .map(|line| line.trim().to_owned())
        })
        .or_else(|| (!exited_ok).then(|| "the fuzzer failed (see its output above)".to_owned()));
    Outcome {
        target: target.to_owned(),
        execs,
        seconds,
        failure,
    }
}

/// The table `cargo xtask fuzz` prints (and BENCHMARKS.md shows).
pub(crate) fn table(outcomes: &[Outcome]) -> String {
    let mut out =
        String::from("| target | seconds | execs | execs/s | result |\n|---|---:|---:|---:|---|\n");
    for outcome in outcomes {
        let rate = if outcome.seconds > 0.0 {
            outcome.execs as f64 / outcome.seconds
        } else {
            0.0
        };
        out.push_str(&format!(
            "| {} | {:.0} | {} | {:.0} | {} |\n",
            outcome.target,
            outcome.seconds,
            outcome.execs,
            rate,
            outcome
                .failure
                .as_deref()
                .unwrap_or("no crash, timeout or OOM"),
        ));
    }
    let total: u64 = outcomes.iter().map(|outcome| outcome.execs).sum();
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    out.push_str(&format!(
        "| **all {}** | | **{total}** | | **{failed} failed** |\n",
        outcomes.len()
    ));
    out
}

/// Every registry package of a `Cargo.lock`, by name, with the versions it locks.
fn locked_versions(lock: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            entry.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
                Some(value.trim().trim_matches('"').to_owned())
            })
        };
        // Path packages (the workspace's own crates) have no source.
        if let (Some(name), Some(version), Some(_)) =
            (field("name"), field("version"), field("source"))
        {
            versions.entry(name).or_default().insert(version);
        }
    }
    versions
}

/// The packages the fuzz crate locks at a version the workspace does not use: the fuzz targets
/// would then build other code than the tests, clippy and the release (and warnings the
/// workspace never sees). Each entry names the package, the fuzz version and the workspace's.
pub(crate) fn lock_drift(workspace_lock: &str, fuzz_lock: &str) -> Vec<String> {
    let workspace = locked_versions(workspace_lock);
    let mut drift = Vec::new();
    for (name, fuzz_versions) in locked_versions(fuzz_lock) {
        let Some(ours) = workspace.get(&name) else {
            continue; // the fuzzer's own (libfuzzer-sys, arbitrary, ...)
        };
        for version in fuzz_versions.difference(ours) {
            let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
            drift.push(format!(
                "{name} {version} (the workspace locks {})",
                ours.join(", ")
            ));
        }
    }
    drift
}

fn check_lock(root: &Path) -> Result<()> {
    let workspace = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let fuzz = std::fs::read_to_string(root.join("fuzz/Cargo.lock"))?;
    let drift = lock_drift(&workspace, &fuzz);
    if !drift.is_empty() {
        bail!(
            "fuzz/Cargo.lock has drifted from Cargo.lock: {}. Resync it: \
             cp Cargo.lock fuzz/ && cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 >/dev/null",
            drift.join("; ")
        );
    }
    Ok(())
}

fn cargo_fuzz() -> Command {
    let mut command = Command::new("cargo");
    command
        .current_dir(workspace_root())
        .arg("fuzz")
        // cargo-fuzz's own error needs no stack trace: the compiler's message above it is what
        // a reader of the CI log's tail needs.
        .env("RUST_LIB_BACKTRACE", "0")
        .env("RUST_BACKTRACE", "0");
    command
}

/// Builds every target once (the runs then start at once).
fn build(root: &Path) -> Result<()> {
    check_lock(root)?;
    let mut build = cargo_fuzz();
    build.args(["build", "--fuzz-dir", "fuzz", "-s", "none", "-O"]);
    let status = build
        .status()
        .context("cargo-fuzz is needed: `cargo xtask setup` installs it")?;
    if !status.success() {
        // A full disk is the usual cause on a CI machine; say how full it is.
        let df = Command::new("df")
            .args(["-h", "."])
            .current_dir(root)
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        bail!("the fuzz targets did not build (disk: {})", df.trim());
    }
    Ok(())
}

fn run_one(root: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let seeds = root.join("fuzz/seeds").join(target);
    let mut run = cargo_fuzz();
    run.args(["run", "--fuzz-dir", "fuzz", "-s", "none", "-O", target])
        .arg(&corpus);
    if seeds.is_dir() {
        run.arg(&seeds);
    }
    run.args([
        "--",
        &format!("-max_total_time={seconds}"),
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-print_final_stats=1",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let start = Instant::now();
    let output = run.output().context("running cargo fuzz")?;
    let log = String::from_utf8_lossy(&output.stderr);
    let outcome = read_run(
        target,
        &log,
        output.status.success(),
        start.elapsed().as_secs_f64(),
    );
    if outcome.failure.is_some() {
        // The fuzzer's own report names the input and the stack.
        eprintln!("{log}");
    }
    Ok(outcome)
}

/// `cargo xtask fuzz [--seconds N] [--target NAME]`.
pub(crate) fn fuzz(args: &[String]) -> Result<()> {
    let mut seconds = 60;
    let mut only = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} takes a value"))?;
        match flag.as_str() {
            "--seconds" => {
                seconds = value
                    .parse()
                    .with_context(|| format!("--seconds takes a number, got {value:?}"))?;
            }
            "--target" => only = Some(value.clone()),
            _ => bail!("usage: cargo xtask fuzz [--seconds N] [--target NAME]"),
        }
    }
    let outcomes = run_all(seconds, only.as_deref())?;
    print!("{}", table(&outcomes));
    if outcomes.iter().any(|outcome| outcome.failure.is_some()) {
        bail!("a fuzz target failed");
    }
    Ok(())
}

/// Builds, then runs every target (or only `only`) for `seconds` each.
pub(crate) fn run_all(seconds: u64, only: Option<&str>) -> Result<Vec<Outcome>> {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml"))?;
    let mut names = targets(&manifest);
    if let Some(only) = only {
        if !names.iter().any(|name| name == only) {
            bail!("no fuzz target {only:?}; there are: {}", names.join(", "));
        }
        names.retain(|name| name == only);
    }
    build(&root)?;
    let mut outcomes = Vec::new();
    for name in &names {
        println!("fuzz: {name} for {seconds} s");
        outcomes.push(run_one(&root, name, seconds)?);
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bin_of_the_manifest_is_a_target() {
        let manifest = std::fs::read_to_string(workspace_root().join("fuzz/Cargo.toml")).unwrap();
        let names = targets(&manifest);
        assert!(names.len() >= 12, "{names:?}");
        for name in &names {
            let source = workspace_root().join(format!("fuzz/fuzz_targets/{name}.rs"));
            assert!(source.is_file(), "{name} has no source");
            let seeds = workspace_root().join(format!("fuzz/seeds/{name}"));
            assert!(
                seeds.read_dir().is_ok_and(|mut d| d.next().is_some()),
                "{name} has no committed seeds"
            );
        }
    }

    #[test]
    fn the_fuzz_lockfile_follows_the_workspace() {
        let read = |path: &str| std::fs::read_to_string(workspace_root().join(path)).unwrap();
        let drift = lock_drift(&read("Cargo.lock"), &read("fuzz/Cargo.lock"));
        assert!(drift.is_empty(), "{drift:?}");
    }

    #[test]
    fn drift_is_a_version_the_workspace_does_not_lock() {
        let entry = |name: &str, version: &str, source: bool| {
            let source = if source {
                "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
            } else {
                ""
            };
            format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n{source}\n")
        };
        let workspace = [
            entry("rustls", "0.23.46", true),
            entry("base64", "0.21.7", true),
            entry("base64", "0.22.1", true),
            entry("trystero-core", "0.1.0", false),
        ]
        .concat();
        let fuzz = [
            entry("rustls", "0.23.48", true),
            entry("base64", "0.22.1", true),
            entry("libfuzzer-sys", "0.4.13", true),
            entry("trystero-core", "0.1.0", false),
        ]
        .concat();
        assert_eq!(
            lock_drift(&workspace, &fuzz),
            ["rustls 0.23.48 (the workspace locks 0.23.46)"]
        );
        assert!(lock_drift(&workspace, &workspace).is_empty());
    }

    #[test]
    fn a_clean_run_and_a_crash_are_told_apart() {
        let clean =
            "#123 DONE cov: 5\nstat::number_of_executed_units: 812345\nstat::peak_rss_mb: 40\n";
        assert_eq!(
            read_run("wire", clean, true, 10.0),
            Outcome {
                target: "wire".into(),
                execs: 812_345,
                seconds: 10.0,
                failure: None
            }
        );
        let crash = "thread '<unnamed>' panicked at core/src/x.rs:1:1:\n==1== ERROR: libFuzzer: deadly signal\nstat::number_of_executed_units: 77\n";
        let outcome = read_run("wire", crash, false, 1.0);
        assert_eq!(outcome.execs, 77);
        assert_eq!(outcome.failure.as_deref(), Some("deadly signal"));
        assert!(read_run("wire", "", false, 1.0).failure.is_some());
        let text = table(&[outcome]);
        assert!(
            text.contains("| wire | 1 | 77 | 77 | deadly signal |"),
            "{text}"
        );
        assert!(text.contains("**1 failed**"), "{text}");
    }
}
