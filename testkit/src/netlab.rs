//! A simulated network of test hosts, each in its own network namespace (`ip netns`), for fault
//! tests: links that can be cut and restored, hosts on separate networks that only a third
//! host joins (where a TURN server or a relay runs), and programs started on a host.
//!
//! Each [`Net`] is a bridge in a namespace of its own (the switch), on a /24 of 10.X.0.0/8
//! chosen per lab; each host has one veth pair per net it is on: `ethN` inside the host with
//! the address 10.X.0.H, the other end on the net's bridge. The namespaces are named after the
//! lab (`trlab-<pid>-<n>-…`), so labs of parallel tests never meet, and the traffic never leaves
//! them: no route, no forwarding, no address outside 10.X.0.0/24. Dropping the lab deletes every
//! namespace it made (and with them the links); programs started on its hosts are the caller's
//! to stop (a [`crate::peer::Peer`] is killed on drop).
//!
//! Needs root and iproute2 (`ip`), as the CI machine has. A lab that cannot be made panics with
//! the `ip` command's own words.

use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Labs made by this process so far (a part of each lab's name).
static LABS: AtomicU32 = AtomicU32::new(0);

/// A set of networks and hosts, torn down on drop.
#[derive(Debug)]
pub struct Lab {
    prefix: String,
    serial: u32,
    /// The second octet of this lab's addresses (10.X.…).
    octet: u8,
    namespaces: Vec<String>,
    /// Each net's switch namespace (empty for a lossy net, which has none).
    nets: Vec<String>,
    /// The forwarders of lossy nets (`lossy.py`), stopped before the namespaces go.
    forwarders: Vec<Child>,
}

/// What a lossy net does to each packet, one way. The draws come from a generator seeded with
/// `seed`, so a run repeats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// Added to every packet (half the round trip).
    pub delay: Duration,
    /// Up to this much more, uniformly (packets overtake each other).
    pub jitter: Duration,
    /// The probability that a packet is dropped.
    pub loss: f64,
    /// The generator's seed.
    pub seed: u64,
}

/// One network of a lab: a bridge its hosts' links attach to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net(usize);

/// One host of a lab: a network namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    namespace: String,
    /// Its address on each net it is on, and the switch-side name of that link.
    links: Vec<(Net, Ipv4Addr, String)>,
}

fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .expect("iproute2's `ip` must be installed (.ci/run installs it)");
    assert!(
        output.status.success(),
        "`ip {}` failed (fault tests need root): {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
}

impl Lab {
    /// An empty lab.
    pub fn new() -> Self {
        let serial = LABS.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        // Spread parallel labs (and processes) over 10.16.0.0–10.239.255.255.
        let octet =
            16 + u8::try_from((pid.wrapping_mul(7).wrapping_add(serial * 13)) % 224).unwrap();
        Self {
            prefix: format!("trlab-{pid}-{serial}"),
            serial,
            octet,
            namespaces: Vec::new(),
            nets: Vec::new(),
            forwarders: Vec::new(),
        }
    }

    fn namespace(&mut self, name: &str) -> String {
        let namespace = format!("{}-{name}", self.prefix);
        ip(&["netns", "add", &namespace]);
        self.namespaces.push(namespace.clone());
        ip(&["-n", &namespace, "link", "set", "lo", "up"]);
        namespace
    }

    /// A new network (a bridge in its own namespace).
    pub fn net(&mut self) -> Net {
        let index = self.nets.len();
        let switch = self.namespace(&format!("net{index}"));
        ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &switch, "link", "set", "br0", "up"]);
        self.nets.push(switch);
        Net(index)
    }

    /// A new host on these nets (one link on each, `eth0`, `eth1`, … in this order).
    pub fn host(&mut self, name: &str, nets: &[Net]) -> Host {
        let namespace = self.namespace(name);
        let host_number = u8::try_from(self.namespaces.len()).unwrap();
        let mut links = Vec::new();
        for (index, net) in nets.iter().enumerate() {
            let switch = self.nets[net.0].clone();
            // Made in the root namespace first, so named apart from other labs of this process;
            // at most 15 bytes. Renamed `ethN` inside the host.
            let outside = format!("{}h{host_number}n{}", self.serial, net.0);
            let inside = format!("{}i{host_number}n{}", self.serial, net.0);
            ip(&[
                "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ]);
            ip(&["link", "set", &outside, "netns", &switch]);
            ip(&["link", "set", &inside, "netns", &namespace]);
            let eth = format!("eth{index}");
            ip(&["-n", &namespace, "link", "set", &inside, "name", &eth]);
            let address = Ipv4Addr::new(10, self.octet, u8::try_from(net.0).unwrap(), host_number);
            ip(&[
                "-n",
                &namespace,
                "addr",
                "add",
                &format!("{address}/24"),
                "dev",
                &eth,
            ]);
            ip(&["-n", &namespace, "link", "set", &eth, "up"]);
            ip(&["-n", &switch, "link", "set", &outside, "master", "br0"]);
            ip(&["-n", &switch, "link", "set", &outside, "up"]);
            links.push((*net, address, outside));
        }
        Host { namespace, links }
    }

    /// Hosts on a new lossy, slow network: a TUN device `tun0` in each, and a forwarder between
    /// them (`testkit/lossy.py`, Python's standard library) that delays and drops packets as
    /// `impairment` says. This kernel has no `netem` qdisc, hence the userspace forwarder.
    pub fn lossy_hosts(&mut self, names: &[&str], impairment: Impairment) -> Vec<Host> {
        let index = self.nets.len();
        self.nets.push(String::new());
        let net = Net(index);
        let mut hosts = Vec::new();
        let mut specs = Vec::new();
        for name in names {
            let namespace = self.namespace(name);
            let host_number = u8::try_from(self.namespaces.len()).unwrap();
            let address = Ipv4Addr::new(10, self.octet, u8::try_from(index).unwrap(), host_number);
            specs.push(format!("{namespace}={address}/24"));
            hosts.push(Host {
                namespace,
                links: vec![(net, address, String::new())],
            });
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lossy.py");
        let mut forwarder = Command::new("python3")
            .arg(script)
            .args([
                "--delay-ms",
                &(impairment.delay.as_secs_f64() * 1000.0).to_string(),
                "--jitter-ms",
                &(impairment.jitter.as_secs_f64() * 1000.0).to_string(),
                "--loss",
                &impairment.loss.to_string(),
                "--seed",
                &impairment.seed.to_string(),
            ])
            .args(&specs)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the lossy network's forwarder");
        let stdout = forwarder.stdout.take().unwrap();
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        assert_eq!(
            first.trim(),
            "ready",
            "the lossy network's forwarder did not start"
        );
        self.forwarders.push(forwarder);
        hosts
    }

    /// Limits every bridged link of `host` to `kbit` kbit/s each way (`tc tbf` on both ends of
    /// its veth): a transfer to or from it then lasts long enough to be cut in the middle.
    pub fn limit_rate(&mut self, host: &Host, kbit: u32) {
        let rate = format!("{kbit}kbit");
        for (index, (net, _, outside)) in host.links.iter().enumerate() {
            assert!(!outside.is_empty(), "a lossy net's links have no qdisc");
            let inside = format!("eth{index}");
            for (namespace, device) in [(&host.namespace, &inside), (&self.nets[net.0], outside)] {
                let output = Command::new("ip")
                    .args(["netns", "exec", namespace, "tc", "qdisc", "add", "dev"])
                    .args([device, "root", "tbf", "rate", &rate])
                    .args(["burst", "32kbit", "latency", "400ms"])
                    .output()
                    .expect("iproute2's `tc` must be installed (.ci/run installs it)");
                assert!(
                    output.status.success(),
                    "tc tbf on {device} failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }
    }

    /// Cuts (`false`) or restores (`true`) every link of `host`: its packets go nowhere.
    pub fn set_connected(&mut self, host: &Host, connected: bool) {
        let state = if connected { "up" } else { "down" };
        for (net, address, outside) in &host.links {
            if outside.is_empty() {
                // A lossy net: its forwarder drops the host's packets.
                for forwarder in &mut self.forwarders {
                    let stdin = forwarder.stdin.as_mut().unwrap();
                    let _ = writeln!(stdin, "{state} {address}");
                }
            } else {
                ip(&["-n", &self.nets[net.0], "link", "set", outside, state]);
            }
        }
    }
}

impl Default for Lab {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for mut forwarder in self.forwarders.drain(..) {
            let _ = forwarder.kill();
            let _ = forwarder.wait();
        }
        // Deleting a namespace deletes its links (and so the veth peers in the others).
        for namespace in self.namespaces.drain(..).rev() {
            let _ = Command::new("ip")
                .args(["netns", "del", &namespace])
                .status();
        }
    }
}

impl Host {
    /// Its address on `net`.
    pub fn addr(&self, net: Net) -> Ipv4Addr {
        self.links
            .iter()
            .find(|(on, _, _)| *on == net)
            .map(|(_, address, _)| *address)
            .expect("the host is on this net")
    }

    /// Its address on its first net.
    pub fn first_addr(&self) -> Ipv4Addr {
        self.links[0].1
    }

    /// A command that runs `program` on this host (`ip netns exec`).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", self.namespace.as_str()])
            .arg(program);
        command
    }
}
