//! An X server of a test's own: `Xvfb` on a free display number, killed on drop. Give its
//! [`Xvfb::display`] to a child process as `DISPLAY` (the test process's own environment is
//! left alone).

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
    /// Starts one on the first free display number from 90 (a number whose socket or lock
    /// exists is skipped), 1280×800×24, no TCP; waits up to 5 s for its socket.
    pub fn start() -> Self {
        for number in 90..160 {
            let socket = format!("/tmp/.X11-unix/X{number}");
            if Path::new(&socket).exists() || Path::new(&format!("/tmp/.X{number}-lock")).exists() {
                continue;
            }
            let display = format!(":{number}");
            let Ok(mut child) = Command::new("Xvfb")
                .args([
                    display.as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
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

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
