//! Debian's coturn (`turnserver`) on 127.0.0.1 with a static user, one per test: a TURN relay
//! for peers restricted to relayed candidates.

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trystero_core::IceServer;

/// The TURN user.
pub const USER: &str = "trystero";
/// The TURN user's password.
pub const PASSWORD: &str = "relay-secret";

/// A coturn process on loopback, killed on drop.
#[derive(Debug)]
pub struct Coturn {
    child: Child,
    port: u16,
}

impl Coturn {
    /// A TURN server for [`USER`] with [`PASSWORD`] over UDP, answering STUN once it returns.
    pub fn start() -> Self {
        let port = free_udp_port();
        let relay_low = relay_range_start();
        let child = Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                &format!("--listening-port={port}"),
                &format!("--min-port={relay_low}"),
                &format!("--max-port={}", relay_low.saturating_add(200)),
                "--allow-loopback-peers",
                "--lt-cred-mech",
                &format!("--user={USER}:{PASSWORD}"),
                "--realm=trystero",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--log-file=stdout",
                "--simple-log",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("coturn's turnserver must be installed (.ci/run installs it)");
        let coturn = Self { child, port };
        coturn.wait_ready();
        coturn
    }

    /// Sends STUN binding requests until the server answers.
    fn wait_ready(&self) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        request.extend_from_slice(b"trystero-rs!");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            socket.send_to(&request, ("127.0.0.1", self.port)).unwrap();
            let mut answer = [0u8; 512];
            if let Ok((len, _)) = socket.recv_from(&mut answer)
                && len >= 20
                && answer[..2] == [0x01, 0x01]
            {
                return;
            }
        }
        panic!("coturn did not answer on 127.0.0.1:{}", self.port);
    }

    /// The TURN URL, `turn:127.0.0.1:PORT?transport=udp`.
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=udp", self.port)
    }

    /// The ICE server entry for this relay, with its credentials.
    pub fn ice_server(&self) -> IceServer {
        IceServer::turn(self.url(), USER, PASSWORD)
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A block of 200 relay ports below the kernel's ephemeral range (32768 and up), so the relay
/// never competes for ports with the WebRTC sockets of tests running beside it.
fn relay_range_start() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let slot = NEXT.fetch_add(1, Ordering::SeqCst);
    let spread = u16::try_from(std::process::id() % 50).unwrap_or(0);
    20_000 + ((spread + slot * 7) % 55) * 200
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
