//! Debian's mosquitto on 127.0.0.1, one per test, with a plain MQTT listener (mosquitto 2.0
//! refuses a config whose only listener is WebSockets) and a WebSocket one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::free_port;

/// A mosquitto process on 127.0.0.1, killed (and its config folder removed) on drop.
#[derive(Debug)]
pub struct Mosquitto {
    child: Child,
    dir: PathBuf,
    ws_port: u16,
}

fn program() -> &'static str {
    ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .unwrap_or("mosquitto")
}

impl Mosquitto {
    /// A broker that lets anyone in, listening once it returns.
    pub fn start() -> Self {
        Self::start_with(|_| "allow_anonymous true\n".to_owned())
    }

    /// A broker that only lets `user` in with `password`.
    pub fn start_with_password(user: &str, password: &str) -> Self {
        Self::start_with(|dir| {
            let file = dir.join("passwd");
            let status = Command::new("mosquitto_passwd")
                .args(["-b", "-c"])
                .arg(&file)
                .args([user, password])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("mosquitto_passwd (Debian's mosquitto package) is installed");
            assert!(status.success(), "mosquitto_passwd failed: {status}");
            format!("allow_anonymous false\npassword_file {}\n", file.display())
        })
    }

    fn start_with(auth: impl FnOnce(&Path) -> String) -> Self {
        let (tcp_port, ws_port) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("trystero-mosquitto-{ws_port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let auth = auth(&dir);
        let config = format!(
            "per_listener_settings false\n{auth}\
             listener {tcp_port} 127.0.0.1\nprotocol mqtt\n\
             listener {ws_port} 127.0.0.1\nprotocol websockets\n"
        );
        std::fs::write(dir.join("mosquitto.conf"), config).unwrap();
        let child = spawn(&dir);
        let broker = Self {
            child,
            dir,
            ws_port,
        };
        broker.wait_listening();
        broker
    }

    /// The WebSocket URL, `ws://127.0.0.1:PORT/mqtt`.
    pub fn url(&self) -> String {
        self.url_with("")
    }

    /// The WebSocket URL with `userinfo` (e.g. `user:pass@`) before the host.
    pub fn url_with(&self, userinfo: &str) -> String {
        format!("ws://{userinfo}127.0.0.1:{}/mqtt", self.ws_port)
    }

    /// Kills the broker (every session and subscription is lost) and starts it again on the
    /// same ports.
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn(&self.dir);
        self.wait_listening();
    }

    /// Kills the broker; [`Mosquitto::restart`] starts it again.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn wait_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.ws_port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn spawn(dir: &Path) -> Child {
    Command::new(program())
        .arg("-c")
        .arg(dir.join("mosquitto.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto (Debian's package) is installed; .ci/run installs it")
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
