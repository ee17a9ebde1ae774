//! `cargo xtask dist`: the release bundle for the host target.
//!
//! `target/dist/trystero-<version>-<target>.tar.gz` holds one folder,
//! `trystero-<version>-<target>/`, with:
//! - `trystero`: the binary, from `cargo build --release -p trystero --bin trystero`;
//! - `README.md` and `LICENSE`, from the workspace root;
//! - `THIRD-PARTY-LICENSES.txt`: every third-party crate of the binary for this target (from
//!   `cargo metadata`) with its version and licence expression, then the licence texts each crate
//!   ships;
//! - `SHA256SUMS`: the other four files' sums in `sha256sum` format, so
//!   `cd trystero-*/ && sha256sum -c SHA256SUMS` checks an unpacked bundle.
//!
//! [`write_bundle`] does everything but the build, from a binary path and the metadata JSON, so
//! the tests run it on a small fake binary.
#![allow(clippy::print_stdout)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{cargo, run, workspace_root};

mod licences;

use licences::{licences_text, third_party_crates};

/// The package and binary that the bundle ships.
const PACKAGE: &str = "trystero";
const LICENCES_FILE: &str = "THIRD-PARTY-LICENSES.txt";
const SUMS_FILE: &str = "SHA256SUMS";
/// File names (upper-cased) that hold a crate's licence text, by prefix.
const LICENCE_PREFIXES: [&str; 3] = ["LICENSE", "LICENCE", "COPYING"];

/// The binary's name in the bundle (and in `target/release`).
fn binary_name() -> String {
    format!("{PACKAGE}{}", std::env::consts::EXE_SUFFIX)
}

/// `cargo xtask dist`: builds the release binary and writes the bundle under `target/dist`.
pub(crate) fn dist(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask dist (it takes no arguments)");
    }
    let started = Instant::now();
    let host = host_target()?;
    let metadata = metadata(&host)?;
    let version = package_version(&metadata)?;
    println!("dist: {PACKAGE} {version} for {host}");

    println!("dist: building the release binary…");
    let build_started = Instant::now();
    let mut build = cargo();
    build.args(["build", "--release", "-p", PACKAGE, "--bin", PACKAGE]);
    run(build).context("the release build failed")?;
    println!(
        "dist: built the release binary in {:.0} s",
        build_started.elapsed().as_secs_f64()
    );

    let target_dir = PathBuf::from(
        metadata["target_directory"]
            .as_str()
            .context("cargo metadata has no target_directory")?,
    );
    let built = target_dir.join("release").join(binary_name());
    // The release profile keeps line tables (for backtraces while developing); the bundle's
    // copy drops them (symbol names stay, so backtraces still name functions).
    let out_dir = target_dir.join("dist");
    fs::create_dir_all(&out_dir)?;
    let stripped = out_dir.join(format!("{}.stripped", binary_name()));
    fs::copy(&built, &stripped).context("copying the release binary")?;
    let binary = if Command::new("strip")
        .arg("--strip-debug")
        .arg(&stripped)
        .status()
        .is_ok_and(|status| status.success())
    {
        stripped
    } else {
        println!("dist: no working `strip` here; the binary keeps its line tables");
        built
    };
    println!("dist: writing the bundle…");
    let bundle = write_bundle(&binary, &metadata, &host, &out_dir)?;
    let root = workspace_root();
    let shown = bundle.path.strip_prefix(&root).unwrap_or(&bundle.path);
    println!(
        "dist: wrote {} ({:.1} MiB, {} dependencies) in {:.0} s",
        shown.display(),
        bundle.bytes as f64 / (1024.0 * 1024.0),
        bundle.dependencies,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The host target triple, from the `host:` line of `rustc -vV`.
fn host_target() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("could not run {rustc} -vV"))?;
    if !output.status.success() {
        bail!("{rustc} -vV failed: {}", output.status);
    }
    host_from_rustc_vv(&String::from_utf8_lossy(&output.stdout))
}

fn host_from_rustc_vv(text: &str) -> Result<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("host:"))
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty())
        .context("rustc -vV printed no `host:` line")
}

/// `cargo metadata` of the workspace, with the dependency graph reduced to `target`.
fn metadata(target: &str) -> Result<Value> {
    let mut command = cargo();
    command
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            target,
        ])
        .stderr(Stdio::inherit());
    let output = command
        .output()
        .with_context(|| format!("could not start {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", output.status);
    }
    serde_json::from_slice(&output.stdout).context("cargo metadata printed invalid JSON")
}

/// The workspace member named [`PACKAGE`].
fn package(metadata: &Value) -> Result<&Value> {
    let members: HashSet<&str> = strings(&metadata["workspace_members"]).collect();
    array(&metadata["packages"])
        .find(|package| {
            package["name"] == PACKAGE
                && package["id"]
                    .as_str()
                    .is_some_and(|id| members.contains(id))
        })
        .with_context(|| format!("cargo metadata has no workspace package {PACKAGE:?}"))
}

fn package_version(metadata: &Value) -> Result<String> {
    package(metadata)?["version"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{PACKAGE} has no version in cargo metadata"))
}

fn array(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

fn strings(value: &Value) -> impl Iterator<Item = &str> {
    array(value).filter_map(Value::as_str)
}

/// A bundle on disk.
#[derive(Debug)]
pub(crate) struct Bundle {
    pub(crate) path: PathBuf,
    /// The size of the `.tar.gz`.
    pub(crate) bytes: u64,
    /// How many third-party crates the licence file lists.
    pub(crate) dependencies: usize,
}

/// Writes `<out_dir>/trystero-<version>-<target>.tar.gz` from a built `binary` (any file) and the
/// workspace's `cargo metadata` JSON (filtered to `target`), which also names the workspace root
/// that `README.md` and `LICENSE` are read from.
pub(crate) fn write_bundle(
    binary: &Path,
    metadata: &Value,
    target: &str,
    out_dir: &Path,
) -> Result<Bundle> {
    let root = Path::new(
        metadata["workspace_root"]
            .as_str()
            .context("cargo metadata has no workspace_root")?,
    );
    let version = package_version(metadata)?;
    let top = format!("{PACKAGE}-{version}-{target}");
    let crates = third_party_crates(metadata)?;
    let read =
        |path: &Path| fs::read(path).with_context(|| format!("could not read {}", path.display()));

    let mut files = vec![
        BundleFile::new(binary_name(), read(binary)?, 0o755),
        BundleFile::new("README.md", read(&root.join("README.md"))?, 0o644),
        BundleFile::new("LICENSE", read(&root.join("LICENSE"))?, 0o644),
        BundleFile::new(
            LICENCES_FILE,
            licences_text(&crates, &version, target).into_bytes(),
            0o644,
        ),
    ];
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let sums = sha256sums(&files);
    files.push(BundleFile::new(SUMS_FILE, sums.into_bytes(), 0o644));

    fs::create_dir_all(out_dir)
        .with_context(|| format!("could not create {}", out_dir.display()))?;
    let path = out_dir.join(format!("{top}.tar.gz"));
    // Written beside and renamed, so a bundle that exists is always complete.
    let partial = out_dir.join(format!("{top}.tar.gz.partial"));
    write_tar_gz(&partial, &top, &files, mtime())
        .with_context(|| format!("could not write {}", partial.display()))?;
    fs::rename(&partial, &path).with_context(|| {
        format!(
            "could not rename {} to {}",
            partial.display(),
            path.display()
        )
    })?;
    let bytes = fs::metadata(&path)?.len();
    Ok(Bundle {
        path,
        bytes,
        dependencies: crates.len(),
    })
}

/// One file of the bundle, by its name inside the top folder.
#[derive(Debug)]
struct BundleFile {
    name: String,
    bytes: Vec<u8>,
    mode: u32,
}

impl BundleFile {
    fn new(name: impl Into<String>, bytes: Vec<u8>, mode: u32) -> Self {
        Self {
            name: name.into(),
            bytes,
            mode,
        }
    }
}

/// The entries' modification time: `SOURCE_DATE_EPOCH` when set (reproducible bundles), else now.
fn mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|seconds| seconds.trim().parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// `sha256sum` output for `files`: `<hex>  <name>` lines, in order.
fn sha256sums(files: &[BundleFile]) -> String {
    files
        .iter()
        .map(|file| format!("{}  {}\n", sha256_hex(&file.bytes), file.name))
        .collect()
}

fn write_tar_gz(path: &Path, top: &str, files: &[BundleFile], mtime: u64) -> Result<()> {
    let file = fs::File::create(path)?;
    let mut tar = tar::Builder::new(GzEncoder::new(BufWriter::new(file), Compression::default()));
    let header = |kind: tar::EntryType, size: u64, mode: u32| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(mode);
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        header
    };
    let mut folder = header(tar::EntryType::Directory, 0, 0o755);
    tar.append_data(&mut folder, format!("{top}/"), std::io::empty())?;
    for file in files {
        let size = u64::try_from(file.bytes.len())?;
        let mut entry = header(tar::EntryType::Regular, size, file.mode);
        tar.append_data(
            &mut entry,
            format!("{top}/{}", file.name),
            file.bytes.as_slice(),
        )?;
    }
    let mut buffered = tar.into_inner()?.finish()?;
    buffered.flush()?;
    buffered
        .into_inner()
        .map_err(|error| error.into_error())?
        .sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

    use flate2::read::GzDecoder;
    use serde_json::json;

    use super::licences::compare_versions;
    use super::*;

    /// A folder under the system temp dir, removed when dropped.
    #[derive(Debug)]
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(what: &str) -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let path = std::env::temp_dir().join(format!(
                "xtask-dist-{what}-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, AtomicOrdering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// The real workspace's metadata for the host, a fake binary, and the bundle written from
    /// them; returns (temp dir, bundle, fake binary contents).
    fn real_bundle(what: &str) -> (TempDir, Bundle, Vec<u8>) {
        let temp = TempDir::new(what);
        let host = host_target().unwrap();
        let metadata = metadata(&host).unwrap();
        let fake = b"#!/bin/sh\necho not really trystero\n".to_vec();
        let binary = temp.0.join("fake-binary");
        fs::write(&binary, &fake).unwrap();
        let bundle = write_bundle(&binary, &metadata, &host, &temp.0.join("dist")).unwrap();
        (temp, bundle, fake)
    }

    /// Unpacks a `.tar.gz` with the tar and flate2 crates; returns the entries' paths.
    fn unpack(bundle: &Path, into: &Path) -> Vec<String> {
        fs::create_dir_all(into).unwrap();
        let file = fs::File::open(bundle).unwrap();
        let mut archive = tar::Archive::new(GzDecoder::new(file));
        archive.set_preserve_permissions(true);
        let mut paths = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            paths.push(entry.path().unwrap().to_string_lossy().into_owned());
            assert!(
                entry.unpack_in(into).unwrap(),
                "an entry outside the folder"
            );
        }
        paths
    }

    /// What `sha256sum -c SHA256SUMS` does in `folder`: every line's file has that sum. Returns
    /// how many files were checked.
    fn check_sums(folder: &Path) -> Result<usize> {
        let sums = fs::read_to_string(folder.join(SUMS_FILE))?;
        let mut checked = 0;
        for line in sums.lines() {
            let (hex, name) = line
                .split_once("  ")
                .with_context(|| format!("not a sha256sum line: {line:?}"))?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("not a SHA-256 in {line:?}");
            }
            let bytes =
                fs::read(folder.join(name)).with_context(|| format!("{name}: cannot read"))?;
            if sha256_hex(&bytes) != hex {
                bail!("{name}: FAILED (the sum does not match)");
            }
            checked += 1;
        }
        Ok(checked)
    }

    #[test]
    fn the_host_comes_from_the_host_line_of_rustc_vv() {
        let text = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\n\
                    host: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(
            host_from_rustc_vv(text).unwrap(),
            "x86_64-unknown-linux-gnu"
        );
        assert!(host_from_rustc_vv("rustc 1.95.0\nrelease: 1.95.0\n").is_err());
    }

    #[test]
    fn versions_sort_numerically_with_pre_releases_first() {
        let mut versions = ["0.10.0", "0.9.1", "1.0.0", "1.0.0-rc.1", "0.9.0+build"];
        versions.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            versions,
            ["0.9.0+build", "0.9.1", "0.10.0", "1.0.0-rc.1", "1.0.0"]
        );
    }

    #[test]
    fn the_walk_follows_normal_edges_only_and_skips_workspace_members() {
        let temp = TempDir::new("walk");
        // Each package in its own folder, some with licence files.
        let package = |name: &str, version: &str, licence: Option<&str>, files: &[&str]| {
            let folder = temp.0.join(format!("{name}-{version}"));
            fs::create_dir_all(&folder).unwrap();
            for file in files {
                let path = folder.join(file);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, format!("the {file} of {name} {version}\r\n")).unwrap();
            }
            fs::write(folder.join("README.md"), "not a licence").unwrap();
            json!({
                "name": name,
                "version": version,
                "id": format!("{name} {version}"),
                "license": licence,
                "license_file": null,
                "manifest_path": folder.join("Cargo.toml"),
            })
        };
        let normal = json!([{ "kind": null, "target": null }]);
        let dev = json!([{ "kind": "dev", "target": null }]);
        let build = json!([{ "kind": "build", "target": null }]);
        let both = json!([{ "kind": "build", "target": null }, { "kind": null, "target": null }]);
        let edge = |to: &str, kinds: &Value| json!({ "name": to, "pkg": to, "dep_kinds": kinds });
        let node = |id: &str, deps: Vec<Value>| json!({ "id": id, "deps": deps });
        let metadata = json!({
            "workspace_root": temp.0,
            "workspace_members": ["trystero 0.1.0", "trystero-core 0.1.0"],
            "packages": [
                package("trystero", "0.1.0", Some("MIT"), &[]),
                package("trystero-core", "0.1.0", Some("MIT"), &[]),
                package("zeta", "0.10.0", Some("MIT OR Apache-2.0"), &["LICENSE-MIT", "LICENSE-APACHE"]),
                package("zeta", "0.9.0", Some("MIT"), &["licence.txt"]),
                package("alpha", "1.0.0", Some("Unlicense OR MIT"), &["COPYING", "LICENSES/MIT.txt"]),
                package("test-only", "1.0.0", Some("MIT"), &["LICENSE"]),
                package("cc", "1.2.0", Some("MIT"), &["LICENSE"]),
                package("shared", "2.0.0", None, &[]),
                package("unused", "1.0.0", Some("MIT"), &["LICENSE"]),
            ],
            "resolve": { "nodes": [
                node("trystero 0.1.0", vec![
                    edge("trystero-core 0.1.0", &normal),
                    edge("zeta 0.10.0", &normal),
                    edge("test-only 1.0.0", &dev),
                    edge("cc 1.2.0", &build),
                ]),
                node("trystero-core 0.1.0", vec![edge("alpha 1.0.0", &normal), edge("zeta 0.9.0", &normal)]),
                node("zeta 0.10.0", vec![edge("shared 2.0.0", &both)]),
                node("zeta 0.9.0", vec![]),
                node("alpha 1.0.0", vec![edge("cc 1.2.0", &build)]),
                node("test-only 1.0.0", vec![]),
                node("cc 1.2.0", vec![]),
                node("shared 2.0.0", vec![]),
                node("unused 1.0.0", vec![]),
            ]},
        });

        let crates = third_party_crates(&metadata).unwrap();
        let listed: Vec<_> = crates
            .iter()
            .map(|c| (c.name.as_str(), c.version.as_str(), c.licence.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("alpha", "1.0.0", "Unlicense OR MIT"),
                ("shared", "2.0.0", "unknown (none declared)"),
                ("zeta", "0.9.0", "MIT"),
                ("zeta", "0.10.0", "MIT OR Apache-2.0"),
            ]
        );
        let files = |i: usize| {
            crates[i]
                .texts
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(files(0), ["COPYING", "LICENSES/MIT.txt"]);
        assert!(files(1).is_empty());
        assert_eq!(files(2), ["licence.txt"]);
        assert_eq!(files(3), ["LICENSE-APACHE", "LICENSE-MIT"]);
        assert_eq!(crates[3].texts[1].1, "the LICENSE-MIT of zeta 0.10.0\n");

        let text = licences_text(&crates, "0.1.0", "x86_64-unknown-linux-gnu");
        assert!(
            text.starts_with("Third-party software in trystero 0.1.0 (x86_64-unknown-linux-gnu)\n")
        );
        assert!(text.contains("following 4 third-party crates"));
        assert!(text.contains("\ncrate   version  licence\n"), "{text}");
        assert!(
            text.contains("\nzeta    0.10.0   MIT OR Apache-2.0\n"),
            "{text}"
        );
        assert!(text.contains("zeta 0.10.0: LICENSE-MIT\n"));
        assert!(text.contains("the LICENSE-APACHE of zeta 0.10.0\n"));
        assert!(text.contains("The crate ships no licence file; its manifest declares: unknown"));
        assert!(!text.contains("test-only") && !text.contains("cc ") && !text.contains("unused"));
    }

    #[test]
    fn a_bundle_unpacks_to_one_folder_of_five_files_whose_sums_verify() {
        let (temp, bundle, fake) = real_bundle("layout");
        let host = host_target().unwrap();
        let version = package_version(&metadata(&host).unwrap()).unwrap();
        let top = format!("trystero-{version}-{host}");
        assert_eq!(
            bundle.path,
            temp.0.join("dist").join(format!("{top}.tar.gz"))
        );
        assert!(
            !temp
                .0
                .join("dist")
                .join(format!("{top}.tar.gz.partial"))
                .exists()
        );
        assert!(
            bundle.dependencies > 50,
            "only {} dependencies",
            bundle.dependencies
        );
        assert_eq!(bundle.bytes, fs::metadata(&bundle.path).unwrap().len());

        let unpacked = temp.0.join("unpacked");
        // The folder's path may or may not keep its trailing slash.
        let mut paths: Vec<_> = unpack(&bundle.path, &unpacked)
            .iter()
            .map(|p| p.trim_end_matches('/').to_owned())
            .collect();
        paths.sort();
        let binary = binary_name();
        let expected = [
            format!("{top}/"),
            format!("{top}/LICENSE"),
            format!("{top}/README.md"),
            format!("{top}/SHA256SUMS"),
            format!("{top}/THIRD-PARTY-LICENSES.txt"),
            format!("{top}/{binary}"),
        ];
        let mut expected: Vec<_> = expected.iter().map(|p| p.trim_end_matches('/')).collect();
        expected.sort_unstable();
        assert_eq!(paths, expected);
        let top_dir = unpacked.join(&top);
        assert_eq!(fs::read_dir(&unpacked).unwrap().count(), 1);
        assert_eq!(fs::read_dir(&top_dir).unwrap().count(), 5);
        assert_eq!(fs::read(top_dir.join(&binary)).unwrap(), fake);
        assert_eq!(
            fs::read(top_dir.join("LICENSE")).unwrap(),
            fs::read(workspace_root().join("LICENSE")).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(top_dir.join(&binary))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o111,
                0o111,
                "the binary is not executable: {mode:o}"
            );
        }

        // Every file but SHA256SUMS itself has a line, and every line verifies.
        let sums = fs::read_to_string(top_dir.join(SUMS_FILE)).unwrap();
        let named: Vec<_> = sums
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(_, n)| n)
            .collect();
        let mut others = vec!["LICENSE", "README.md", LICENCES_FILE, binary.as_str()];
        others.sort_unstable();
        assert_eq!(named, others);
        assert_eq!(check_sums(&top_dir).unwrap(), 4);
        // And so does coreutils' sha256sum, where there is one.
        match Command::new("sha256sum")
            .args(["-c", SUMS_FILE])
            .current_dir(&top_dir)
            .output()
        {
            Ok(output) => assert!(
                output.status.success(),
                "sha256sum -c failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => eprintln!("no sha256sum to cross-check with ({error})"),
        }

        // The licence file lists a real dependency with its expression, and its texts.
        let licences = fs::read_to_string(top_dir.join(LICENCES_FILE)).unwrap();
        let serde = licences
            .lines()
            .find(|line| line.split_whitespace().next() == Some("serde"))
            .expect("serde is not in the summary table");
        assert!(serde.ends_with("  MIT OR Apache-2.0"), "{serde:?}");
        assert!(licences.contains("Apache License"), "no Apache-2.0 text");
        assert!(
            licences.contains("Permission is hereby granted"),
            "no MIT text"
        );
        let rows: Vec<_> = licences
            .lines()
            .skip_while(|l| !l.starts_with("-----"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(rows.len(), bundle.dependencies);
        // Ours are not third-party, and neither are dev-dependencies (criterion).
        for row in rows {
            let name = row.split_whitespace().next().unwrap_or_default();
            assert!(
                !name.starts_with("trystero") && name != "criterion",
                "{row:?}"
            );
        }
    }

    #[test]
    fn a_changed_file_fails_verification() {
        let (temp, bundle, _) = real_bundle("changed");
        let unpacked = temp.0.join("unpacked");
        unpack(&bundle.path, &unpacked);
        let top_dir = fs::read_dir(&unpacked)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert_eq!(check_sums(&top_dir).unwrap(), 4);

        let readme = top_dir.join("README.md");
        let mut text = String::new();
        fs::File::open(&readme)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        fs::write(&readme, text.replacen("Trystero", "Trystera", 1)).unwrap();
        let error = check_sums(&top_dir).unwrap_err().to_string();
        assert!(error.contains("README.md: FAILED"), "{error}");
        if let Ok(output) = Command::new("sha256sum")
            .args(["-c", SUMS_FILE])
            .current_dir(&top_dir)
            .output()
        {
            assert!(
                !output.status.success(),
                "sha256sum -c passed a changed file"
            );
        }
    }
}
