//! An X server of a test's own: `Xvfb` on a free display number, stopped on drop (SIGTERM, so
//! it removes its socket and lock; SIGKILL after 2 s). Give its [`Xvfb::display`] to a child
//! process as `DISPLAY` (the test process's own environment is left alone). A number whose
//! lock names a process that no longer runs (a server killed outright) is taken back.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `Xvfb`.
#[derive(Debug)]
pub struct Xvfb {
    child: Child,
    /// Its display, e.g. `:93`.
    pub display: String,
}

impl Xvfb {
    /// Starts one on the first free display number from 90 (a number in use is skipped; one
    /// left behind by a dead server is cleaned up and used), 1280×800×24, no TCP; waits up to
    /// 5 s for its socket.
    pub fn start() -> Self {
        Self::start_sized("1280x800x24")
    }

    /// As [`Xvfb::start`], with the screen `WxHxDEPTH`.
    pub fn start_sized(screen: &str) -> Self {
        for number in 90..160 {
            let socket = format!("/tmp/.X11-unix/X{number}");
            let lock = format!("/tmp/.X{number}-lock");
            if stale(&lock) {
                let _ = std::fs::remove_file(&socket);
                let _ = std::fs::remove_file(&lock);
            }
            if Path::new(&socket).exists() || Path::new(&lock).exists() {
                continue;
            }
            let display = format!(":{number}");
            let Ok(mut child) = Command::new("Xvfb")
                .args([display.as_str(), "-screen", "0", screen, "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            else {
                panic!("Xvfb is not installed (cargo xtask setup installs it)");
            };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if Path::new(&socket).exists() {
                    return Self { child, display };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // lost a race for the number: try the next
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("no free X display number");
    }
}

/// Whether the lock file names a process that is gone (or names none readable).
fn stale(lock: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(lock) else {
        return false;
    };
    match text.trim().parse::<u32>() {
        Ok(pid) => !Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM first: Xvfb then removes its socket and lock, so the number is free again.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
