//! The architecture rules, checked over `cargo metadata`.
//!
//! The layers (see `ARCHITECTURE.md`), by crate folder:
//!
//! | layer | folders | may depend on (normal and build dependencies) |
//! |---|---|---|
//! | core | `core` | no workspace crate |
//! | crypto | `crypto` | core |
//! | logic | `netcode`, `ai`, `anim`, `lobby` | core, crypto |
//! | game | `game` (the world composed of the logic crates) | core, crypto, logic |
//! | signaling support | `signaling/client` (the relay client the strategies share) | core |
//! | strategy | `signaling/<strategy>` | core, crypto, signaling support |
//! | adapter | `transport`, `render`, `audio` | core, crypto |
//! | app | `app` | anything but xtask and testkit (the composition root) |
//! | tool | `xtask` | no workspace crate |
//! | testkit | `testkit` | anything but app and xtask (shared test support) |
//!
//! Dev-dependencies may also name adapters, logic crates and testkit (a logic crate's
//! integration tests may run a real adapter; any crate's tests may use the test kit), but never
//! `app` or `xtask`. Testkit is dev-only: a normal or build dependency on it is refused, from
//! any layer. Besides the edges: no package is named plain `core`, and every library's `lib.rs`
//! opens with `//!` docs.

use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Where a crate sits in the layering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Core,
    Crypto,
    Logic,
    /// `trystero-game`: the game's world, composed of the logic crates; only app uses it.
    Game,
    SignalingSupport,
    Strategy,
    Adapter,
    App,
    Tool,
    /// `trystero-testkit`: shared test support, reached only through dev-dependencies.
    TestKit,
}

impl Layer {
    /// The layer of a crate folder (relative to the workspace root, `/`-separated).
    fn of_folder(folder: &str) -> Option<Self> {
        Some(match folder {
            "core" => Self::Core,
            "crypto" => Self::Crypto,
            "netcode" | "ai" | "anim" | "lobby" => Self::Logic,
            "game" => Self::Game,
            "transport" | "render" | "audio" => Self::Adapter,
            "app" => Self::App,
            "xtask" => Self::Tool,
            "signaling/client" => Self::SignalingSupport,
            "testkit" => Self::TestKit,
            _ => match folder.strip_prefix("signaling/") {
                Some(strategy) if !strategy.is_empty() && !strategy.contains('/') => Self::Strategy,
                _ => return None,
            },
        })
    }

    /// Whether a normal or build dependency from `self` to `to` is allowed.
    fn may_depend_on(self, to: Self) -> bool {
        match self {
            Self::Core | Self::Tool => false,
            Self::Crypto | Self::SignalingSupport => to == Self::Core,
            Self::Logic | Self::Adapter => matches!(to, Self::Core | Self::Crypto),
            Self::Game => matches!(to, Self::Core | Self::Crypto | Self::Logic),
            Self::Strategy => matches!(to, Self::Core | Self::Crypto | Self::SignalingSupport),
            Self::App => !matches!(to, Self::Tool | Self::TestKit),
            Self::TestKit => !matches!(to, Self::App | Self::Tool),
        }
    }

    /// Whether a dev-dependency from `self` to `to` is allowed.
    fn may_dev_depend_on(self, to: Self) -> bool {
        if to == Self::Game {
            // Only the game's own tests and the app sit above it.
            return matches!(self, Self::App | Self::Game | Self::TestKit);
        }
        (self == Self::App && to != Self::Tool) || !matches!(to, Self::App | Self::Tool)
    }

    /// Whether crates of this layer must compile for `wasm32-unknown-unknown`.
    fn runs_in_browsers(self) -> bool {
        matches!(self, Self::Core | Self::Crypto | Self::Logic | Self::Game)
    }
}

/// The kind of a dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DepKind {
    Normal,
    Build,
    Dev,
}

/// A workspace package, reduced to what the rules need.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub(crate) name: String,
    /// The crate folder relative to the workspace root, `/`-separated.
    pub(crate) folder: String,
    /// Dependencies on other workspace packages, by name.
    pub(crate) deps: Vec<(String, DepKind)>,
    /// The library's `lib.rs` contents, if the package has a library.
    pub(crate) lib_source: Option<String>,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Violation {
    UnknownFolder {
        package: String,
        folder: String,
    },
    PackageNamedCore {
        folder: String,
    },
    ForbiddenEdge {
        from: String,
        to: String,
        kind: DepKind,
    },
    MissingCrateDocs {
        package: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownFolder { package, folder } => write!(
                f,
                "{package} lives in {folder:?}, which is not a folder of the layout \
                 (core, crypto, signaling/client, signaling/<strategy>, transport, netcode, ai, \
                 anim, lobby, render, audio, app, xtask, testkit)"
            ),
            Self::PackageNamedCore { folder } => write!(
                f,
                "the package in {folder:?} is named plain `core`; name it `trystero-core`"
            ),
            Self::ForbiddenEdge { from, to, kind } => {
                write!(f, "{from} must not depend on {to} ({kind:?} dependency)")
            }
            Self::MissingCrateDocs { package } => {
                write!(f, "{package}'s lib.rs must open with `//!` crate docs")
            }
        }
    }
}

/// Checks every rule over `packages`; returns all violations.
pub(crate) fn violations(packages: &[Package]) -> Vec<Violation> {
    let mut found = Vec::new();
    let layer_of = |name: &str| {
        packages
            .iter()
            .find(|package| package.name == name)
            .and_then(|package| Layer::of_folder(&package.folder))
    };
    for package in packages {
        if package.name == "core" {
            found.push(Violation::PackageNamedCore {
                folder: package.folder.clone(),
            });
        }
        let Some(from) = Layer::of_folder(&package.folder) else {
            found.push(Violation::UnknownFolder {
                package: package.name.clone(),
                folder: package.folder.clone(),
            });
            continue;
        };
        for (dep, kind) in &package.deps {
            let Some(to) = layer_of(dep) else { continue };
            let allowed = match kind {
                DepKind::Normal | DepKind::Build => from.may_depend_on(to),
                DepKind::Dev => from.may_dev_depend_on(to),
            };
            if !allowed {
                found.push(Violation::ForbiddenEdge {
                    from: package.name.clone(),
                    to: dep.clone(),
                    kind: *kind,
                });
            }
        }
        if let Some(source) = &package.lib_source
            && !source.trim_start().starts_with("//!")
        {
            found.push(Violation::MissingCrateDocs {
                package: package.name.clone(),
            });
        }
    }
    found
}

/// Reads the workspace's packages from `cargo metadata`.
pub(crate) fn load_packages(root: &Path) -> Result<Vec<Package>> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .context("could not run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    parse_metadata(&metadata, root)
}

fn parse_metadata(metadata: &Value, root: &Path) -> Result<Vec<Package>> {
    let root = metadata["workspace_root"]
        .as_str()
        .map_or_else(|| root.to_path_buf(), Into::into);
    let raw = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages")?;
    let names: Vec<&str> = raw.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut packages = Vec::new();
    for package in raw {
        let name = package["name"].as_str().context("package without a name")?;
        let manifest = Path::new(
            package["manifest_path"]
                .as_str()
                .context("package without a manifest path")?,
        );
        let dir = manifest.parent().context("manifest without a folder")?;
        let folder = dir
            .strip_prefix(&root)
            .unwrap_or(dir)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let deps = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|dep| {
                let dep_name = dep["name"].as_str()?;
                names.contains(&dep_name).then(|| {
                    let kind = match dep["kind"].as_str() {
                        Some("dev") => DepKind::Dev,
                        Some("build") => DepKind::Build,
                        _ => DepKind::Normal,
                    };
                    (dep_name.to_owned(), kind)
                })
            })
            .collect();
        let lib_path = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|t| {
                let is_lib = t["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"));
                is_lib.then(|| t["src_path"].as_str()).flatten()
            });
        let lib_source = match lib_path {
            Some(path) => {
                Some(std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?)
            }
            None => None,
        };
        packages.push(Package {
            name: name.to_owned(),
            folder,
            deps,
            lib_source,
        });
    }
    Ok(packages)
}

/// Runs every rule on the workspace at `root`; fails with the list of violations.
pub(crate) fn check_workspace(root: &Path) -> Result<()> {
    let packages = load_packages(root)?;
    let found = violations(&packages);
    if !found.is_empty() {
        let list: Vec<String> = found.iter().map(|v| format!("  - {v}")).collect();
        bail!(
            "tidy found {} problem(s):\n{}",
            found.len(),
            list.join("\n")
        );
    }
    Ok(())
}

/// The packages that must compile for `wasm32-unknown-unknown`.
pub(crate) fn browser_crates(root: &Path) -> Result<Vec<String>> {
    Ok(load_packages(root)?
        .into_iter()
        .filter(|p| Layer::of_folder(&p.folder).is_some_and(Layer::runs_in_browsers))
        .map(|p| p.name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, folder: &str, deps: &[(&str, DepKind)]) -> Package {
        Package {
            name: name.into(),
            folder: folder.into(),
            deps: deps.iter().map(|(d, k)| ((*d).into(), *k)).collect(),
            lib_source: Some("//! Docs.\n".into()),
        }
    }

    /// A plausible full workspace that follows every rule.
    fn healthy() -> Vec<Package> {
        use DepKind::{Dev, Normal};
        vec![
            package("trystero-core", "core", &[]),
            package("trystero-crypto", "crypto", &[("trystero-core", Normal)]),
            package(
                "trystero-netcode",
                "netcode",
                &[("trystero-core", Normal), ("trystero-webrtc", Dev)],
            ),
            package(
                "trystero-nostr",
                "signaling/nostr",
                &[("trystero-core", Normal), ("trystero-crypto", Normal)],
            ),
            package(
                "trystero-webrtc",
                "transport",
                &[("trystero-core", Normal), ("trystero-testkit", Dev)],
            ),
            package(
                "trystero",
                "app",
                &[
                    ("trystero-nostr", Normal),
                    ("trystero-webrtc", Normal),
                    ("trystero-netcode", Normal),
                ],
            ),
            package("xtask", "xtask", &[("trystero-testkit", Dev)]),
            package(
                "trystero-testkit",
                "testkit",
                &[
                    ("trystero-core", Normal),
                    ("trystero-crypto", Normal),
                    ("trystero-webrtc", Normal),
                    ("trystero-nostr", Normal),
                    ("trystero-netcode", Normal),
                ],
            ),
        ]
    }

    /// The index of the testkit package in [`healthy`].
    const TESTKIT: usize = 7;

    #[test]
    fn the_real_workspace_is_tidy() {
        check_workspace(&crate::workspace_root()).unwrap();
    }

    #[test]
    fn a_healthy_table_has_no_violations() {
        assert_eq!(violations(&healthy()), []);
    }

    #[test]
    fn core_depending_on_anything_is_forbidden() {
        let mut packages = healthy();
        packages[0]
            .deps
            .push(("trystero-crypto".into(), DepKind::Normal));
        assert_eq!(
            violations(&packages),
            [Violation::ForbiddenEdge {
                from: "trystero-core".into(),
                to: "trystero-crypto".into(),
                kind: DepKind::Normal
            }]
        );
    }

    #[test]
    fn adapters_never_depend_on_each_other() {
        let mut packages = healthy();
        packages[3]
            .deps
            .push(("trystero-webrtc".into(), DepKind::Normal));
        let found = violations(&packages);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .to_string()
                .contains("trystero-nostr must not depend on trystero-webrtc")
        );
    }

    #[test]
    fn logic_crates_never_depend_on_adapters_except_in_tests() {
        let mut packages = healthy();
        packages[2]
            .deps
            .push(("trystero-nostr".into(), DepKind::Build));
        assert_eq!(
            violations(&packages),
            [Violation::ForbiddenEdge {
                from: "trystero-netcode".into(),
                to: "trystero-nostr".into(),
                kind: DepKind::Build
            }]
        );
    }

    #[test]
    fn only_strategies_use_the_signaling_client_which_only_uses_core() {
        use DepKind::Normal;
        let mut packages = healthy();
        packages.push(package(
            "trystero-signaling-client",
            "signaling/client",
            &[("trystero-core", Normal)],
        ));
        packages[3]
            .deps
            .push(("trystero-signaling-client".into(), Normal));
        assert_eq!(violations(&packages), []);
        // The transport is an adapter but not a strategy; the client must not reach crypto.
        packages[4]
            .deps
            .push(("trystero-signaling-client".into(), Normal));
        let last = packages.len() - 1;
        packages[last].deps.push(("trystero-crypto".into(), Normal));
        let found: Vec<String> = violations(&packages)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "trystero-webrtc must not depend on trystero-signaling-client (Normal dependency)",
                "trystero-signaling-client must not depend on trystero-crypto (Normal dependency)"
            ]
        );
        assert!(!Layer::SignalingSupport.runs_in_browsers());
    }

    #[test]
    fn the_game_composes_logic_crates_and_only_app_uses_it() {
        use DepKind::{Dev, Normal};
        let mut packages = healthy();
        packages.push(package(
            "trystero-game",
            "game",
            &[("trystero-core", Normal), ("trystero-netcode", Normal)],
        ));
        assert_eq!(violations(&packages), []);
        assert!(Layer::Game.runs_in_browsers());
        // A logic crate may not use the game (not even in tests: it sits above them), nor
        // may the game use an adapter.
        packages[2].deps.push(("trystero-game".into(), Dev));
        let last = packages.len() - 1;
        packages[last].deps.push(("trystero-webrtc".into(), Normal));
        let found: Vec<String> = violations(&packages)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[1].contains("trystero-game must not depend on trystero-webrtc"),
            "{found:?}"
        );
    }

    #[test]
    fn nothing_depends_on_app_even_in_tests() {
        let mut packages = healthy();
        packages[2].deps.push(("trystero".into(), DepKind::Dev));
        assert_eq!(violations(&packages).len(), 1);
    }

    #[test]
    fn crypto_may_only_depend_on_core() {
        let mut packages = healthy();
        packages[1]
            .deps
            .push(("trystero-netcode".into(), DepKind::Normal));
        assert_eq!(violations(&packages).len(), 1);
    }

    #[test]
    fn testkit_sits_in_its_own_folder_and_not_in_browsers() {
        assert_eq!(Layer::of_folder("testkit"), Some(Layer::TestKit));
        assert_eq!(Layer::of_folder("testkit/sub"), None);
        assert!(!Layer::TestKit.runs_in_browsers());
    }

    #[test]
    fn testkit_may_depend_on_any_crate_but_app_and_xtask() {
        let mut packages = healthy();
        assert_eq!(packages[TESTKIT].name, "trystero-testkit");
        packages[TESTKIT]
            .deps
            .push(("trystero".into(), DepKind::Normal));
        packages[TESTKIT].deps.push(("xtask".into(), DepKind::Dev));
        assert_eq!(
            violations(&packages),
            [
                Violation::ForbiddenEdge {
                    from: "trystero-testkit".into(),
                    to: "trystero".into(),
                    kind: DepKind::Normal
                },
                Violation::ForbiddenEdge {
                    from: "trystero-testkit".into(),
                    to: "xtask".into(),
                    kind: DepKind::Dev
                }
            ]
        );
    }

    #[test]
    fn every_crate_may_use_testkit_in_tests() {
        let mut packages = healthy();
        for package in &mut packages[..TESTKIT] {
            package.deps.push(("trystero-testkit".into(), DepKind::Dev));
        }
        assert_eq!(violations(&packages), []);
    }

    #[test]
    fn no_crate_may_use_testkit_outside_tests() {
        for kind in [DepKind::Normal, DepKind::Build] {
            let mut packages = healthy();
            let mut expected = Vec::new();
            for package in &mut packages[..TESTKIT] {
                package.deps.push(("trystero-testkit".into(), kind));
                expected.push(Violation::ForbiddenEdge {
                    from: package.name.clone(),
                    to: "trystero-testkit".into(),
                    kind,
                });
            }
            assert_eq!(violations(&packages), expected, "{kind:?}");
        }
    }

    #[test]
    fn a_package_named_core_is_refused() {
        let mut packages = healthy();
        packages[0].name = "core".into();
        packages[1].deps[0].0 = "core".into();
        assert_eq!(
            violations(&packages),
            [Violation::PackageNamedCore {
                folder: "core".into()
            }]
        );
    }

    #[test]
    fn crates_outside_the_layout_are_refused() {
        let mut packages = healthy();
        packages.push(package("trystero-utils", "utils", &[]));
        packages.push(package("trystero-deep", "signaling/a/b", &[]));
        assert_eq!(violations(&packages).len(), 2);
    }

    #[test]
    fn a_lib_without_crate_docs_is_refused() {
        let mut packages = healthy();
        packages[4].lib_source = Some("// plain comment\n".into());
        assert_eq!(
            violations(&packages),
            [Violation::MissingCrateDocs {
                package: "trystero-webrtc".into()
            }]
        );
    }

    #[test]
    fn metadata_json_is_read_into_packages() {
        let metadata = serde_json::json!({
            "workspace_root": "/w",
            "packages": [
                {
                    "name": "trystero-core",
                    "manifest_path": "/w/core/Cargo.toml",
                    "dependencies": [{"name": "serde", "kind": null}],
                    "targets": []
                },
                {
                    "name": "trystero-nostr",
                    "manifest_path": "/w/signaling/nostr/Cargo.toml",
                    "dependencies": [
                        {"name": "trystero-core", "kind": null},
                        {"name": "trystero-crypto", "kind": "dev"}
                    ],
                    "targets": []
                }
            ]
        });
        let packages = parse_metadata(&metadata, Path::new("/w")).unwrap();
        assert_eq!(packages[0].folder, "core");
        assert!(
            packages[0].deps.is_empty(),
            "third-party crates are not edges"
        );
        assert_eq!(packages[1].folder, "signaling/nostr");
        assert_eq!(
            packages[1].deps,
            [("trystero-core".to_owned(), DepKind::Normal)]
        );
    }

    #[test]
    fn browser_crates_are_core_crypto_and_logic() {
        assert!(Layer::Core.runs_in_browsers());
        assert!(Layer::Crypto.runs_in_browsers());
        assert!(Layer::Logic.runs_in_browsers());
        assert!(!Layer::Adapter.runs_in_browsers());
        assert!(!Layer::App.runs_in_browsers());
    }
}
