//! `trystero chat`: two processes learn each other's names and talk.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use trystero_testkit::free_port;

struct Chat {
    child: Child,
    lines: Receiver<String>,
}

impl Chat {
    fn start(port: u16, name: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trystero"))
            .args(["chat", "--local", "--local-port", &port.to_string()])
            .args(["--room", "chat", "--name", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = trystero_testkit::read_lines(child.stdout.take().unwrap());
        Self { child, lines }
    }

    fn say(&mut self, text: &str) {
        writeln!(self.child.stdin.as_mut().unwrap(), "{text}").unwrap();
    }

    fn expect(&self, wanted: &str) {
        trystero_testkit::line_containing(&self.lines, wanted, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("no line containing {wanted:?}"));
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_people_chat_by_name() {
    let port = free_port();
    let mut alice = Chat::start(port, "alice");
    let mut bob = Chat::start(port, "bob");
    alice.expect("is bob");
    bob.expect("is alice");
    alice.say("hello bob");
    bob.expect("[alice] hello bob");
    bob.say("hi alice");
    alice.expect("[bob] hi alice");
    // Closing bob's input makes him leave.
    drop(bob.child.stdin.take());
    alice.expect("bob left");
}
