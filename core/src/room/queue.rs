//! The bounded event queue between the driver and one listener (a [`Room`](super::Room)'s
//! events, or one typed action's).
//!
//! The driver never waits on a listener: it hands events over at once. But it counts what each
//! listener has not read yet, and once a listener holds [`EVENT_QUEUE`] events the room is
//! *full*: the driver stops reading from the connections that carry the room's peers until the
//! listener has read down to [`EVENT_QUEUE_RESUME`]. Back-pressure then reaches the peers
//! through WebRTC's own flow control (their sends wait), so nothing is dropped and nothing grows
//! without bound. What arrives after the mark, before the reading stops, is at most what one
//! frame per connection yields (a progress event and a message), plus signalling events.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::Stream;
use futures_util::task::AtomicWaker;

use super::RoomEvent;

/// Events a listener may hold unread before its room stops reading from its peers.
pub const EVENT_QUEUE: usize = 1024;
/// Once a full listener has read down to this many, its room reads again.
pub const EVENT_QUEUE_RESUME: usize = EVENT_QUEUE / 2;

/// What the two ends share.
#[derive(Debug, Default)]
struct Counter {
    /// Events sent and not yet read.
    unread: AtomicUsize,
    /// The receiver was dropped.
    closed: AtomicBool,
    /// The driver, waiting for the listener to read down to [`EVENT_QUEUE_RESUME`].
    waiter: AtomicWaker,
}

/// A new queue's two ends.
pub(crate) fn event_queue() -> (EventSender, EventReceiver) {
    let (sender, receiver) = unbounded();
    let counter = Arc::new(Counter::default());
    (
        EventSender {
            sender,
            counter: counter.clone(),
        },
        EventReceiver { receiver, counter },
    )
}

/// The driver's end.
#[derive(Debug)]
pub(crate) struct EventSender {
    sender: UnboundedSender<RoomEvent>,
    counter: Arc<Counter>,
}

impl EventSender {
    /// Hands `event` over; `false` if the listener is gone.
    pub(crate) fn send(&self, event: RoomEvent) -> bool {
        // Counted before it can be read, so the count never goes below zero.
        self.counter.unread.fetch_add(1, Ordering::SeqCst);
        if self.sender.unbounded_send(event).is_ok() {
            return true;
        }
        self.counter.unread.fetch_sub(1, Ordering::SeqCst);
        false
    }

    /// The listener holds [`EVENT_QUEUE`] unread events (and still listens).
    pub(crate) fn is_full(&self) -> bool {
        !self.counter.closed.load(Ordering::SeqCst)
            && self.counter.unread.load(Ordering::SeqCst) >= EVENT_QUEUE
    }

    /// A handle that resolves once the listener has read down to [`EVENT_QUEUE_RESUME`] or is
    /// gone.
    pub(crate) fn drained(&self) -> Drained {
        Drained {
            counter: self.counter.clone(),
        }
    }
}

/// Resolves once its listener has read down to [`EVENT_QUEUE_RESUME`] or dropped its end.
#[derive(Debug)]
pub(crate) struct Drained {
    counter: Arc<Counter>,
}

impl Future for Drained {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let ready = |counter: &Counter| {
            counter.closed.load(Ordering::SeqCst)
                || counter.unread.load(Ordering::SeqCst) <= EVENT_QUEUE_RESUME
        };
        if ready(&self.counter) {
            return Poll::Ready(());
        }
        // Registered before the second look, so a read in between still wakes us.
        self.counter.waiter.register(cx.waker());
        if ready(&self.counter) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A listener's end: a [`Stream`] of [`RoomEvent`]s.
#[derive(Debug)]
pub struct EventReceiver {
    receiver: UnboundedReceiver<RoomEvent>,
    counter: Arc<Counter>,
}

impl EventReceiver {
    /// Events waiting to be read.
    pub fn len(&self) -> usize {
        self.counter.unread.load(Ordering::SeqCst)
    }

    /// No event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Stream for EventReceiver {
    type Item = RoomEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<RoomEvent>> {
        let polled = Pin::new(&mut self.receiver).poll_next(cx);
        if let Poll::Ready(Some(_)) = &polled {
            let left = self.counter.unread.fetch_sub(1, Ordering::SeqCst) - 1;
            if left <= EVENT_QUEUE_RESUME {
                self.counter.waiter.wake();
            }
        }
        polled
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        self.counter.closed.store(true, Ordering::SeqCst);
        self.counter.waiter.wake();
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use futures_util::future::FutureExt;

    use super::*;
    use crate::id::PeerId;

    fn event() -> RoomEvent {
        RoomEvent::PeerJoined(PeerId::parse("aaaaaaaaaaaaaaaaaaaa").expect("an id"))
    }

    #[test]
    fn counts_fill_and_drain() {
        let (sender, mut receiver) = event_queue();
        for _ in 0..EVENT_QUEUE - 1 {
            assert!(sender.send(event()));
        }
        assert!(!sender.is_full());
        assert!(sender.send(event()));
        assert!(sender.is_full());
        assert_eq!(receiver.len(), EVENT_QUEUE);
        let mut drained = sender.drained();
        assert!((&mut drained).now_or_never().is_none());
        for _ in 0..EVENT_QUEUE - EVENT_QUEUE_RESUME - 1 {
            assert!(receiver.next().now_or_never().flatten().is_some());
        }
        assert!((&mut drained).now_or_never().is_none());
        assert!(receiver.next().now_or_never().flatten().is_some());
        assert!(drained.now_or_never().is_some());
        assert_eq!(receiver.len(), EVENT_QUEUE_RESUME);
    }

    #[test]
    fn a_dropped_listener_is_never_full() {
        let (sender, receiver) = event_queue();
        for _ in 0..EVENT_QUEUE {
            sender.send(event());
        }
        let drained = sender.drained();
        drop(receiver);
        assert!(!sender.is_full());
        assert!(drained.now_or_never().is_some());
        assert!(!sender.send(event()));
    }
}
