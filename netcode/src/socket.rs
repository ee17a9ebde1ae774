//! The non-blocking socket port a session polls once per frame, and its in-memory adapter.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Sends datagrams to an address and drains the ones received. Delivery may be unreliable and
/// unordered: the session copes.
pub trait Socket<A> {
    /// Sends `bytes` to `to` (fire and forget).
    fn send_to(&mut self, to: &A, bytes: &[u8]);
    /// Appends every datagram received since the last call, with its sender.
    fn receive(&mut self, into: &mut Vec<(A, Vec<u8>)>);
}

type Inboxes = Rc<RefCell<Vec<VecDeque<(usize, Vec<u8>)>>>>;

/// A perfect in-process network: sockets addressed by index, every datagram delivered at once
/// and in order.
#[derive(Debug, Clone, Default)]
pub struct MemoryNetwork {
    inboxes: Inboxes,
}

impl MemoryNetwork {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new socket; its address is its index (0, 1, …).
    pub fn socket(&self) -> MemorySocket {
        let mut inboxes = self.inboxes.borrow_mut();
        inboxes.push(VecDeque::new());
        MemorySocket {
            address: inboxes.len() - 1,
            inboxes: self.inboxes.clone(),
        }
    }
}

/// A socket of a [`MemoryNetwork`].
#[derive(Debug)]
pub struct MemorySocket {
    address: usize,
    inboxes: Inboxes,
}

impl MemorySocket {
    /// This socket's address.
    pub fn address(&self) -> usize {
        self.address
    }
}

impl Socket<usize> for MemorySocket {
    fn send_to(&mut self, to: &usize, bytes: &[u8]) {
        if let Some(inbox) = self.inboxes.borrow_mut().get_mut(*to) {
            inbox.push_back((self.address, bytes.to_vec()));
        }
    }

    fn receive(&mut self, into: &mut Vec<(usize, Vec<u8>)>) {
        if let Some(inbox) = self.inboxes.borrow_mut().get_mut(self.address) {
            into.extend(inbox.drain(..));
        }
    }
}
