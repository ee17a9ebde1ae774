//! `cargo xtask ci [--quick]`: set-up, then every check, then a summary of each stage's pass and
//! fail counts and time. A failed stage does not stop the later ones (so one run shows every
//! problem), but the command fails if any stage did.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cargo, setup, tidy, workspace_root};

/// How one stage went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stage {
    pub(crate) name: &'static str,
    /// What the counts count ("tests", "checks", "crates", "installed").
    pub(crate) unit: &'static str,
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
    pub(crate) ok: bool,
    pub(crate) took: Duration,
}

/// Counts from libtest's `test result:` lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TestCounts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
    /// How many test binaries (and doctest runs) reported.
    pub(crate) binaries: u64,
}

impl TestCounts {
    /// Adds the counts of one output line, if it is a `test result:` line.
    pub(crate) fn read_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        self.binaries += 1;
        let Some((_, counts)) = rest.split_once(". ") else {
            return;
        };
        for part in counts.split(';') {
            let mut words = part.split_whitespace();
            let (Some(number), Some(what)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match what {
                "passed" => self.passed += number,
                "failed" => self.failed += number,
                "ignored" => self.ignored += number,
                _ => {}
            }
        }
    }
}

/// Runs `command`, echoing its standard output line by line and counting test results.
fn run_counting(mut command: Command) -> Result<(bool, TestCounts)> {
    println!("$ {command:?}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {command:?}"))?;
    let mut counts = TestCounts::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            println!("{line}");
            counts.read_line(&line);
        }
    }
    let status = child.wait()?;
    Ok((status.success(), counts))
}

impl Stage {
    /// A stage that passed or failed as a whole, started at `start`.
    fn whole(name: &'static str, ok: bool, start: Instant) -> Self {
        Self {
            name,
            unit: "checks",
            passed: u64::from(ok),
            failed: u64::from(!ok),
            ignored: 0,
            ok,
            took: start.elapsed(),
        }
    }
}

/// A check that passes or fails as a whole.
fn check(name: &'static str, command: Command) -> Stage {
    let start = Instant::now();
    let ok = run_counting(command).is_ok_and(|(ok, _)| ok);
    Stage::whole(name, ok, start)
}

/// A test run, counted test by test.
fn tests(name: &'static str, command: Command) -> Stage {
    let start = Instant::now();
    let (ok, counts) = run_counting(command).unwrap_or((false, TestCounts::default()));
    Stage {
        name,
        unit: "tests",
        passed: counts.passed,
        failed: counts.failed,
        ignored: counts.ignored,
        // A build failure reports no failed test but is a failure all the same.
        ok: ok && counts.failed == 0,
        took: start.elapsed(),
    }
}

/// The summary table.
pub(crate) fn summary(stages: &[Stage]) -> String {
    let mut out = String::from("\nstage    result  passed  failed  ignored  time\n");
    for stage in stages {
        let _ = writeln!(
            out,
            "{:<8} {:<7} {:>6}  {:>6}  {:>7}  {:>6.1} s  ({})",
            stage.name,
            if stage.ok { "ok" } else { "FAILED" },
            stage.passed,
            stage.failed,
            stage.ignored,
            stage.took.as_secs_f64(),
            stage.unit,
        );
    }
    let total: Duration = stages.iter().map(|stage| stage.took).sum();
    let failed: Vec<&str> = stages
        .iter()
        .filter(|s| !s.ok)
        .map(|stage| stage.name)
        .collect();
    if failed.is_empty() {
        let _ = writeln!(out, "all stages passed in {:.1} s", total.as_secs_f64());
    } else {
        let _ = writeln!(
            out,
            "FAILED: {} ({:.1} s in all)",
            failed.join(", "),
            total.as_secs_f64()
        );
    }
    out
}

/// The crates with no IO: their tests start no server.
fn pure_crates() -> Result<Vec<String>> {
    tidy::browser_crates(&workspace_root())
}

/// Seconds each fuzz target runs in `cargo xtask ci`.
const CI_FUZZ_SECONDS: u64 = 3;

pub(crate) fn ci(args: &[String]) -> Result<()> {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => bail!("usage: cargo xtask ci [--quick]"),
    };
    let mut stages = Vec::new();

    let start = Instant::now();
    let installed = setup::provision(&workspace_root()).context("set-up failed")?;
    stages.push(Stage {
        name: "setup",
        unit: "installed",
        passed: installed as u64,
        failed: 0,
        ignored: 0,
        ok: true,
        took: start.elapsed(),
    });

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    stages.push(check("fmt", fmt));

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    stages.push(check("clippy", clippy));

    if quick {
        let mut test = cargo();
        test.args(["test", "--no-fail-fast", "-p", "xtask"]);
        for name in pure_crates()? {
            test.args(["-p", &name]);
        }
        stages.push(tests("test", test));
    } else {
        let mut doc = cargo();
        doc.args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings");
        stages.push(check("doc", doc));

        let mut test = cargo();
        test.args(["test", "--workspace", "--no-fail-fast"]);
        stages.push(tests("test", test));

        let start = Instant::now();
        let ok = match crate::wasm() {
            Ok(()) => true,
            Err(error) => {
                println!("{error:#}");
                false
            }
        };
        stages.push(Stage::whole("wasm", ok, start));

        // Every fuzz target briefly: they build, read their seeds and survive a few seconds.
        let start = Instant::now();
        let stage = match crate::fuzz::run_all(CI_FUZZ_SECONDS, None) {
            Ok(outcomes) => {
                print!("{}", crate::fuzz::table(&outcomes));
                let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
                Stage {
                    name: "fuzz",
                    unit: "targets",
                    passed: (outcomes.len() - failed) as u64,
                    failed: failed as u64,
                    ignored: 0,
                    ok: failed == 0,
                    took: start.elapsed(),
                }
            }
            Err(error) => {
                println!("{error:#}");
                Stage::whole("fuzz", false, start)
            }
        };
        stages.push(stage);
    }

    print!("{}", summary(&stages));
    if stages.iter().all(|stage| stage.ok) {
        Ok(())
    } else {
        bail!("cargo xtask ci failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_result_lines_are_counted() {
        let mut counts = TestCounts::default();
        for line in [
            "running 3 tests",
            "test a ... ok",
            "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            "test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.2s",
            "   Doc-tests trystero",
            "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
        ] {
            counts.read_line(line);
        }
        assert_eq!(
            counts,
            TestCounts {
                passed: 8,
                failed: 2,
                ignored: 1,
                binaries: 3
            }
        );
    }

    #[test]
    fn the_summary_names_failed_stages() {
        let stage = |name, ok: bool| Stage {
            name,
            unit: "tests",
            passed: 4,
            failed: u64::from(!ok),
            ignored: 0,
            ok,
            took: Duration::from_millis(1500),
        };
        let text = summary(&[stage("fmt", true), stage("test", false)]);
        assert!(text.contains("fmt      ok"), "{text}");
        assert!(text.contains("test     FAILED"), "{text}");
        assert!(text.contains("FAILED: test (3.0 s in all)"), "{text}");
        let text = summary(&[stage("fmt", true)]);
        assert!(text.contains("all stages passed in 1.5 s"), "{text}");
    }
}
