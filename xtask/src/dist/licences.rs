//! The third-party licence file of the bundle: the crates the binary links, walked from
//! `cargo metadata`, and the licence texts each ships.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{LICENCE_PREFIXES, PACKAGE, array, package, strings};

/// A third-party crate of the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Crate {
    pub(super) name: String,
    pub(super) version: String,
    /// The SPDX expression from its manifest, or what stands in for it.
    pub(super) licence: String,
    /// Its licence files: (path relative to the crate folder, text).
    pub(super) texts: Vec<(String, String)>,
}

/// The third-party crates of the [`PACKAGE`] binary, sorted by name then version.
///
/// Walks `resolve` from the package along normal dependency edges only: dev-dependencies are not
/// in the binary, and neither are build-only dependencies (`cc`, build-script helpers), which run
/// on the build machine; a crate that is both a build and a normal dependency is kept. Proc-macro
/// crates are normal dependencies and are kept (their expansions are in the binary). Workspace
/// members are skipped: they are ours, under the workspace's `LICENSE`.
///
/// `cargo metadata` resolves the whole workspace with its members' default features unified, so
/// an optional dependency that another member enables may be listed although this binary does not
/// use it: the list errs on the side of too many, never too few.
pub(super) fn third_party_crates(metadata: &Value) -> Result<Vec<Crate>> {
    let packages: HashMap<&str, &Value> = array(&metadata["packages"])
        .filter_map(|package| Some((package["id"].as_str()?, package)))
        .collect();
    let members: HashSet<&str> = strings(&metadata["workspace_members"]).collect();
    let nodes: HashMap<&str, &Value> = array(&metadata["resolve"]["nodes"])
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    if nodes.is_empty() {
        bail!("cargo metadata has no resolve graph (was it run with --no-deps?)");
    }
    let start = package(metadata)?["id"]
        .as_str()
        .context("a package without an id in cargo metadata")?;

    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let node = nodes
            .get(id)
            .with_context(|| format!("{id} is not in cargo metadata's resolve graph"))?;
        for dep in array(&node["deps"]) {
            // `kind` is null for a normal dependency, "dev" or "build" otherwise.
            let normal = array(&dep["dep_kinds"]).any(|kind| kind["kind"].is_null());
            if normal {
                stack.push(
                    dep["pkg"]
                        .as_str()
                        .context("a dependency without a pkg id")?,
                );
            }
        }
    }

    let mut crates = seen
        .into_iter()
        .filter(|id| !members.contains(id))
        .map(|id| {
            let package = packages
                .get(id)
                .with_context(|| format!("{id} is in the resolve graph but not in packages"))?;
            crate_of(package)
        })
        .collect::<Result<Vec<_>>>()?;
    crates.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    Ok(crates)
}

pub(super) fn crate_of(package: &Value) -> Result<Crate> {
    let name = package["name"]
        .as_str()
        .context("a package without a name in cargo metadata")?;
    let version = package["version"].as_str().unwrap_or_default();
    let licence = match (
        package["license"].as_str(),
        package["license_file"].as_str(),
    ) {
        (Some(expression), _) => expression.to_owned(),
        (None, Some(file)) => format!("see {file}"),
        (None, None) => "unknown (none declared)".to_owned(),
    };
    let manifest = Path::new(
        package["manifest_path"]
            .as_str()
            .with_context(|| format!("{name} has no manifest_path in cargo metadata"))?,
    );
    let folder = manifest.parent().unwrap_or(Path::new("."));
    let texts = licence_texts(folder, package["license_file"].as_str())
        .with_context(|| format!("could not read the licence files of {name} {version}"))?;
    Ok(Crate {
        name: name.to_owned(),
        version: version.to_owned(),
        licence,
        texts,
    })
}

/// The licence files in a crate's folder: files named `LICENSE*`, `LICENCE*` or `COPYING*` (any
/// case), the files of a folder so named (`LICENSES/`, REUSE-style), and the manifest's
/// `license-file`; by path, each once.
pub(super) fn licence_texts(
    folder: &Path,
    license_file: Option<&str>,
) -> Result<Vec<(String, String)>> {
    let is_licence = |path: &Path| {
        path.file_name().is_some_and(|name| {
            let name = name.to_string_lossy().to_uppercase();
            LICENCE_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix))
        })
    };
    let mut paths = BTreeSet::new();
    let Ok(entries) = fs::read_dir(folder) else {
        // The sources are not on disk (not downloaded): the summary still lists the crate.
        return Ok(Vec::new());
    };
    for entry in entries {
        let path = entry?.path();
        if !is_licence(&path) {
            continue;
        }
        if path.is_dir() {
            for inner in fs::read_dir(&path)? {
                let inner = inner?.path();
                if inner.is_file() {
                    paths.insert(inner);
                }
            }
        } else if path.is_file() {
            paths.insert(path);
        }
    }
    if let Some(file) = license_file {
        let path = folder.join(file);
        if path.is_file() {
            paths.insert(path);
        }
    }

    let mut seen = HashSet::new();
    let mut texts = Vec::new();
    for path in paths {
        // `license-file = "./LICENSE"` and the `LICENSE` found by name are one file.
        if !seen.insert(fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
            continue;
        }
        let bytes =
            fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        let shown = path.strip_prefix(folder).unwrap_or(&path);
        texts.push((shown.to_string_lossy().replace('\\', "/"), text));
    }
    Ok(texts)
}

/// Orders `major.minor.patch[-pre][+build]` versions numerically, a pre-release before its
/// release; anything unparsable falls back to comparing the strings.
pub(super) fn compare_versions(a: &str, b: &str) -> Ordering {
    fn key(version: &str) -> Option<(Vec<u64>, bool, &str)> {
        let version = version.split('+').next().unwrap_or(version);
        let (numbers, pre) = version.split_once('-').unwrap_or((version, ""));
        let numbers = numbers
            .split('.')
            .map(str::parse)
            .collect::<Result<Vec<u64>, _>>()
            .ok()?;
        Some((numbers, pre.is_empty(), pre))
    }
    match (key(a), key(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// `THIRD-PARTY-LICENSES.txt`: a summary table, then each crate's licence texts.
pub(super) fn licences_text(crates: &[Crate], version: &str, target: &str) -> String {
    let rule = "=".repeat(78);
    let thin = "-".repeat(78);
    let mut out = String::new();
    let title = format!("Third-party software in {PACKAGE} {version} ({target})");
    let _ = writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count()));
    let _ = writeln!(
        out,
        "{PACKAGE} itself is under the MIT licence (see LICENSE). The binary is built from the\n\
         following {} third-party crates: the normal dependencies of the {PACKAGE} package for\n\
         {target}, transitively, as `cargo metadata` resolves them. The table gives each\n\
         crate's licence expression (SPDX) from its manifest; the licence files each crate ships\n\
         follow it.\n",
        crates.len()
    );

    let headings = ("crate", "version", "licence");
    let name_width = crates
        .iter()
        .map(|c| c.name.chars().count())
        .chain([headings.0.len()])
        .max()
        .unwrap_or_default();
    let version_width = crates
        .iter()
        .map(|c| c.version.chars().count())
        .chain([headings.1.len()])
        .max()
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{:name_width$}  {:version_width$}  {}",
        headings.0, headings.1, headings.2
    );
    let _ = writeln!(
        out,
        "{}  {}  {}",
        "-".repeat(name_width),
        "-".repeat(version_width),
        "-".repeat(headings.2.len())
    );
    for c in crates {
        let _ = writeln!(
            out,
            "{:name_width$}  {:version_width$}  {}",
            c.name, c.version, c.licence
        );
    }

    for c in crates {
        let _ = writeln!(
            out,
            "\n\n{rule}\n{} {}\nLicence: {}\n{rule}",
            c.name, c.version, c.licence
        );
        if c.texts.is_empty() {
            let _ = writeln!(
                out,
                "\n(The crate ships no licence file; its manifest declares: {}.)",
                c.licence
            );
        }
        for (file, text) in &c.texts {
            let _ = writeln!(out, "\n{thin}\n{} {}: {file}\n{thin}\n", c.name, c.version);
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    out
}
