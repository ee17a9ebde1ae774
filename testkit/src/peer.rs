//! A peer as a process that speaks the `trystero peer` JSON-lines interface (commands on
//! stdin, events on stdout): the `trystero` binary or the Trystero JS peer ([`crate::js_peer`]).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStderr, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running peer process, killed on drop. Its stdout is read by a thread into
/// [`Peer::lines`]; the first event (`self`) gives its [`Peer::id`].
#[derive(Debug)]
pub struct Peer {
    child: Child,
    stdin: ChildStdin,
    /// Its events, one JSON value per stdout line.
    pub lines: Receiver<Value>,
    /// Its peer id (20 characters), from its first event.
    pub id: String,
    /// `error` events that [`Peer::next`] read past while waiting for another kind.
    skipped_errors: std::cell::RefCell<Vec<Value>>,
}

impl Peer {
    /// Starts any program that speaks the `trystero peer` JSON-lines interface; its stderr goes
    /// to the test's when `TRYSTERO_TRACE` is set, nowhere otherwise.
    pub fn spawn(mut command: Command) -> Self {
        command.stderr(if std::env::var_os("TRYSTERO_TRACE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        Self::start_piped(command)
    }

    /// Like [`Peer::spawn`], with stderr piped: take it with [`Peer::take_stderr`] and read it
    /// from another thread (or after the peer exits).
    pub fn spawn_with_stderr(mut command: Command) -> Self {
        command.stderr(Stdio::piped());
        Self::start_piped(command)
    }

    /// The piped stderr of a peer started with [`Peer::spawn_with_stderr`].
    pub fn take_stderr(&mut self) -> ChildStderr {
        self.child.stderr.take().expect("stderr is piped")
    }

    fn start_piped(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line).expect("stdout is JSON lines");
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        let mut peer = Self {
            child,
            stdin,
            lines,
            id: String::new(),
            skipped_errors: std::cell::RefCell::new(Vec::new()),
        };
        let first = peer.next("self");
        peer.id = first["id"].as_str().unwrap().to_owned();
        assert_eq!(peer.id.len(), 20);
        peer
    }

    /// The process id (for reading its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes one command line.
    pub fn send(&mut self, line: &Value) {
        writeln!(self.stdin, "{line}").unwrap();
    }

    /// Writes one line as it is (e.g. one that is not JSON).
    pub fn send_raw(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
    }

    /// The next event of this kind (others are skipped), within 20 s.
    pub fn next(&self, kind: &str) -> Value {
        match self.next_of(&[kind], Duration::from_secs(20)) {
            Some(value) => value,
            None if self.exited() => panic!("the peer exited before {kind:?}"),
            None => panic!("no {kind:?} event within 20 s"),
        }
    }

    /// The next event of any of these kinds (others are skipped, `error`s kept for
    /// [`Peer::errors`]), within `within`; `None` at the deadline or once the peer exited.
    pub fn next_of(&self, kinds: &[&str], within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let value = self.lines.recv_timeout(left).ok()?;
            if kinds.iter().any(|kind| value["event"] == *kind) {
                return Some(value);
            }
            if value["event"] == "error" {
                self.skipped_errors.borrow_mut().push(value);
            }
        }
    }

    /// Whether its output ended (the process exited).
    fn exited(&self) -> bool {
        matches!(
            self.lines.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Disconnected)
        )
    }
}

impl Peer {
    /// The `error` events read so far, [`Peer::next`] skipped or not yet read (waits up to
    /// `settle` for more lines).
    pub fn errors(&self, settle: Duration) -> Vec<Value> {
        let deadline = Instant::now() + settle;
        while let Ok(value) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if value["event"] == "error" {
                self.skipped_errors.borrow_mut().push(value);
            }
        }
        self.skipped_errors.borrow().clone()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a chat line from `from` to `to` alone and waits (up to `within`) until `to` has it:
/// the two can talk.
pub fn talk(from: &mut Peer, to: &Peer, text: &str, within: Duration) {
    from.send(&serde_json::json!({"send": {"action": "chat", "data": text, "to": [to.id]}}));
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = to
            .next_of(&["message"], left)
            .unwrap_or_else(|| panic!("{text:?} did not arrive within {within:?}"));
        if message["data"] == text {
            return;
        }
    }
}
