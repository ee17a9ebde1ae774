//! `cargo xtask setup` (also the first stage of `cargo xtask ci`): installs what the tests need
//! and is not there yet, so the README's test command works on a fresh machine.
//!
//! Idempotent and silent when everything is present; one line per thing it installs; a clear
//! error when it cannot install (not root and no password-less sudo: it prints the exact
//! `apt-get install` line to run).
//!
//! What is needed, and why:
//! - Debian packages: clang (ring's C code for the wasm32 check), coturn and mosquitto (TURN and
//!   MQTT servers the tests start on 127.0.0.1), Node.js and npm (real Trystero JS peers and the
//!   WebTorrent tracker), python3-venv (the independent Nostr relay), Mesa's software Vulkan and
//!   Xvfb (the renderer's golden images and window), ALSA headers and pkg-config (cpal builds
//!   against ALSA), PulseAudio and its tools (the audio device test plays into a null sink).
//! - The wasm32 target and rustfmt/clippy, through rustup.
//! - `interop/node_modules` from the lockfile (`npm ci`), and `interop/.venv` with PyPI
//!   `nostr-relay` pinned by `interop/requirements.txt`.

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

/// How to tell whether a requirement is already met.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Probe {
    /// A program on `PATH`.
    Command(&'static str),
    /// Any of these files exists.
    File(&'static [&'static str]),
    /// `python3 -c CODE` succeeds.
    Python(&'static str),
}

/// One thing the tests need, the Debian packages that provide it, and why.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requirement {
    pub(crate) probe: Probe,
    pub(crate) packages: &'static [&'static str],
    pub(crate) why: &'static str,
}

/// Every system requirement of the test suite and of the run command.
pub(crate) const SYSTEM: &[Requirement] = &[
    Requirement {
        probe: Probe::Command("clang"),
        packages: &["clang"],
        why: "compiles ring's C code for the wasm32 check",
    },
    Requirement {
        probe: Probe::Command("turnserver"),
        packages: &["coturn"],
        why: "the TURN server of the relay-only tests",
    },
    Requirement {
        probe: Probe::File(&[
            "/usr/sbin/mosquitto",
            "/usr/local/sbin/mosquitto",
            "/usr/bin/mosquitto",
        ]),
        packages: &["mosquitto"],
        why: "the MQTT broker of the MQTT tests",
    },
    Requirement {
        probe: Probe::Command("node"),
        packages: &["nodejs"],
        why: "real Trystero JS peers and the WebTorrent tracker",
    },
    Requirement {
        probe: Probe::Command("npm"),
        packages: &["npm"],
        why: "installs the JS peers from interop/package-lock.json",
    },
    Requirement {
        probe: Probe::Python("import venv, ensurepip"),
        packages: &["python3-venv"],
        why: "the independent Nostr relay (PyPI nostr-relay) in a venv",
    },
    Requirement {
        probe: Probe::File(&[
            "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
            "/usr/share/vulkan/icd.d/lvp_icd.aarch64.json",
        ]),
        packages: &["mesa-vulkan-drivers", "libvulkan1"],
        why: "software Vulkan (lavapipe) for the renderer's tests",
    },
    Requirement {
        probe: Probe::Command("Xvfb"),
        packages: &["xvfb"],
        why: "an X server for the window tests",
    },
    Requirement {
        probe: Probe::Command("ip"),
        packages: &["iproute2"],
        why: "network namespaces for the fault tests' simulated network",
    },
    Requirement {
        probe: Probe::Command("tmux"),
        packages: &["tmux"],
        why: "a terminal for the test of the lobby's terminal view",
    },
    Requirement {
        probe: Probe::File(&["/usr/include/alsa/asoundlib.h"]),
        packages: &["libasound2-dev"],
        why: "ALSA headers: cpal builds against them",
    },
    Requirement {
        probe: Probe::Command("pkg-config"),
        packages: &["pkg-config"],
        why: "finds ALSA when cpal builds",
    },
    Requirement {
        probe: Probe::Command("pulseaudio"),
        packages: &["pulseaudio"],
        why: "a null-sink sound server for the audio device test",
    },
    Requirement {
        probe: Probe::Command("parec"),
        packages: &["pulseaudio-utils"],
        why: "records what the audio device test played",
    },
    Requirement {
        probe: Probe::File(&[
            "/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so",
            "/usr/lib/aarch64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so",
        ]),
        packages: &["libasound2-plugins"],
        why: "ALSA's PulseAudio plugin (cpal's fallback path)",
    },
];

/// The rustup parts the checks need.
const TARGETS: &[&str] = &["wasm32-unknown-unknown"];
const COMPONENTS: &[&str] = &["rustfmt", "clippy"];

/// Whether `probe` is met on this machine.
fn present(probe: Probe) -> bool {
    match probe {
        Probe::Command(name) => on_path(name),
        Probe::File(paths) => paths.iter().any(|path| Path::new(path).exists()),
        Probe::Python(code) => Command::new("python3")
            .args(["-c", code])
            .output()
            .is_ok_and(|output| output.status.success()),
    }
}

fn on_path(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    // Root's sbin folders hold daemons (turnserver); look there too.
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|dir| dir.join(name).is_file())
}

/// The requirements of `all` that `is_present` says are missing.
pub(crate) fn missing(all: &[Requirement], is_present: impl Fn(Probe) -> bool) -> Vec<Requirement> {
    all.iter()
        .copied()
        .filter(|requirement| !is_present(requirement.probe))
        .collect()
}

/// Who may install system packages here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Installer {
    /// We are root.
    Root,
    /// `sudo -n` works without a password.
    Sudo,
    /// Neither: the person must run the command.
    Nobody,
    /// No `apt-get` at all (not Debian).
    NoApt,
}

fn installer() -> Installer {
    if !on_path("apt-get") {
        return Installer::NoApt;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0");
    if root {
        Installer::Root
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .output()
        .is_ok_and(|output| output.status.success())
    {
        Installer::Sudo
    } else {
        Installer::Nobody
    }
}

/// The `apt-get install` line that installs every package of `missing`.
pub(crate) fn install_line(missing: &[Requirement]) -> String {
    let mut packages: Vec<&str> = missing.iter().flat_map(|r| r.packages).copied().collect();
    packages.dedup();
    format!("sudo apt-get install -y {}", packages.join(" "))
}

/// The error for missing packages we cannot install ourselves.
pub(crate) fn cannot_install(missing: &[Requirement], installer: Installer) -> anyhow::Error {
    let list: Vec<String> = missing
        .iter()
        .map(|r| format!("  {}: {}", r.packages.join(" "), r.why))
        .collect();
    let how = match installer {
        Installer::NoApt => "this is not a Debian-like system (no apt-get); install the \
                             equivalents of these packages, then run again"
            .to_owned(),
        _ => format!(
            "not root and no password-less sudo; run this, then run again:\n  {}",
            install_line(missing)
        ),
    };
    anyhow::anyhow!(
        "the tests need system packages that are missing:\n{}\n{how}",
        list.join("\n")
    )
}

/// Runs `command` quietly; its output is shown only if it fails.
fn quiet(mut command: Command) -> Result<Output> {
    let output = command
        .output()
        .with_context(|| format!("could not start {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

fn apt_get(installer: Installer) -> Command {
    let mut command = if installer == Installer::Sudo {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", "apt-get"]);
        sudo
    } else {
        Command::new("apt-get")
    };
    command.env("DEBIAN_FRONTEND", "noninteractive");
    command
}

fn system_packages() -> Result<usize> {
    let missing = missing(SYSTEM, present);
    if missing.is_empty() {
        return Ok(0);
    }
    let installer = installer();
    if matches!(installer, Installer::Nobody | Installer::NoApt) {
        return Err(cannot_install(&missing, installer));
    }
    for requirement in &missing {
        println!(
            "setup: installing {}: {}",
            requirement.packages.join(" "),
            requirement.why
        );
    }
    let mut update = apt_get(installer);
    update.args(["update", "-qq"]);
    quiet(update).context("apt-get update failed")?;
    let mut install = apt_get(installer);
    install.args(["install", "-y", "-qq"]);
    install.args(missing.iter().flat_map(|r| r.packages));
    quiet(install).context("apt-get install failed")?;
    let still = self::missing(&missing, present);
    if !still.is_empty() {
        bail!(
            "installed, but still missing: {}",
            install_line(&still).trim_start_matches("sudo apt-get install -y ")
        );
    }
    Ok(missing.len())
}

fn rustup_list(args: &[&str]) -> Result<String> {
    let mut command = Command::new("rustup");
    command.args(args);
    let output = quiet(command).context("rustup is needed to add the wasm32 target")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn rust_parts() -> Result<usize> {
    let mut installed = 0;
    let targets = rustup_list(&["target", "list", "--installed"])?;
    for target in TARGETS {
        if !targets.lines().any(|line| line.trim() == *target) {
            println!("setup: adding the {target} target (the browser crates' check)");
            let mut add = Command::new("rustup");
            add.args(["target", "add", target]);
            quiet(add)?;
            installed += 1;
        }
    }
    let components = rustup_list(&["component", "list", "--installed"])?;
    for component in COMPONENTS {
        if !components.lines().any(|line| line.starts_with(component)) {
            println!("setup: adding rustup component {component}");
            let mut add = Command::new("rustup");
            add.args(["component", "add", component]);
            quiet(add)?;
            installed += 1;
        }
    }
    Ok(installed)
}

/// cargo-fuzz, from crates.io, for `cargo xtask fuzz` (and the fuzz stage of CI).
fn cargo_fuzz() -> Result<usize> {
    let mut probe = Command::new("cargo");
    probe.args(["fuzz", "--version"]);
    if quiet(probe).is_ok() {
        return Ok(0);
    }
    println!("setup: installing cargo-fuzz from crates.io (the fuzz targets)");
    let mut install = Command::new("cargo");
    install.args(["install", "--locked", "--quiet", "cargo-fuzz@0.13.2"]);
    quiet(install)?;
    Ok(1)
}

/// Whether `stamp` holds exactly the bytes of `source` (what was installed from it).
fn stamp_matches(source: &Path, stamp: &Path) -> bool {
    match (std::fs::read(source), std::fs::read(stamp)) {
        (Ok(want), Ok(have)) => want == have,
        _ => false,
    }
}

fn js_peers(root: &Path) -> Result<usize> {
    let interop = root.join("interop");
    let lock = interop.join("package-lock.json");
    let stamp = interop.join("node_modules/.xtask-package-lock.json");
    if stamp_matches(&lock, &stamp) {
        return Ok(0);
    }
    println!("setup: installing the JS peers (npm ci in interop/, pinned by its lockfile)");
    // No install scripts: bittorrent-tracker's client side pulls an older node-datachannel whose
    // script downloads a binary; the tracker server and node-datachannel 0.33.4 (which ships
    // its binaries) need none.
    let mut npm = Command::new("npm");
    npm.current_dir(&interop).args([
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]);
    quiet(npm)?;
    std::fs::copy(&lock, &stamp).context("writing the npm stamp")?;
    Ok(1)
}

fn nostr_relay(root: &Path) -> Result<usize> {
    let interop = root.join("interop");
    let requirements = interop.join("requirements.txt");
    let venv = interop.join(".venv");
    let stamp = venv.join("xtask-requirements.txt");
    if venv.join("bin/nostr-relay").is_file() && stamp_matches(&requirements, &stamp) {
        return Ok(0);
    }
    println!("setup: installing PyPI nostr-relay into interop/.venv (an independent Nostr relay)");
    let mut create = Command::new("python3");
    create.arg("-m").arg("venv").arg(&venv);
    quiet(create)?;
    let mut pip = Command::new(venv.join("bin/pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements);
    quiet(pip)?;
    std::fs::copy(&requirements, &stamp).context("writing the venv stamp")?;
    Ok(1)
}

/// Installs whatever is missing; returns how many things it installed (0: all was there).
pub(crate) fn provision(root: &Path) -> Result<usize> {
    // System packages first: npm and python3-venv come from them.
    let mut installed = system_packages()?;
    installed += rust_parts()?;
    installed += cargo_fuzz()?;
    installed += js_peers(root)?;
    installed += nostr_relay(root)?;
    Ok(installed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_missing_when_every_probe_passes() {
        assert!(missing(SYSTEM, |_| true).is_empty());
    }

    #[test]
    fn a_failed_probe_names_its_packages() {
        let missing = missing(SYSTEM, |probe| !matches!(probe, Probe::Command("Xvfb")));
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].packages, ["xvfb"]);
    }

    #[test]
    fn without_root_the_error_gives_the_apt_line() {
        let missing = missing(SYSTEM, |probe| {
            !matches!(probe, Probe::Command("clang" | "turnserver"))
        });
        let error = cannot_install(&missing, Installer::Nobody).to_string();
        assert!(
            error.contains("sudo apt-get install -y clang coturn"),
            "{error}"
        );
        assert!(error.contains("not root"), "{error}");
        assert!(error.contains("ring's C code"), "{error}");
    }

    #[test]
    fn without_apt_the_error_says_so() {
        let error = cannot_install(&SYSTEM[..1], Installer::NoApt).to_string();
        assert!(error.contains("no apt-get"), "{error}");
        assert!(error.contains("clang"), "{error}");
    }

    #[test]
    fn every_package_is_named_once() {
        let line = install_line(SYSTEM);
        let packages: Vec<&str> = line.split_whitespace().skip(4).collect();
        let mut unique = packages.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), packages.len(), "{line}");
        assert!(packages.contains(&"libasound2-dev"));
    }

    #[test]
    fn a_stamp_matches_only_the_same_bytes() {
        let dir = std::env::temp_dir().join(format!("xtask-stamp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (source, stamp) = (dir.join("lock"), dir.join("stamp"));
        std::fs::write(&source, b"v1").unwrap();
        assert!(!stamp_matches(&source, &stamp), "no stamp yet");
        std::fs::write(&stamp, b"v1").unwrap();
        assert!(stamp_matches(&source, &stamp));
        std::fs::write(&source, b"v2").unwrap();
        assert!(!stamp_matches(&source, &stamp), "the lockfile changed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
