//! A tokio `Runtime` for webrtc-rs that gives every UDP socket a large receive buffer.
//!
//! webrtc-rs binds its sockets itself and hands each bound socket to
//! `Runtime::wrap_udp_socket`; that is the one hook where socket options can be set.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use webrtc::runtime::{
    AsyncInterval, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, JoinHandle, Runtime,
    TokioRuntime,
};

/// [`TokioRuntime`] with `SO_RCVBUF` set on every UDP socket.
#[derive(Debug)]
pub(crate) struct ReceiveBufferRuntime {
    pub(crate) inner: TokioRuntime,
    /// Bytes; 0 leaves the system default.
    pub(crate) receive_buffer: usize,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Runtime for ReceiveBufferRuntime {
    fn spawn(&self, future: BoxFuture<()>) -> Box<dyn JoinHandle> {
        self.inner.spawn(future)
    }

    fn spawn_reactor(&self, pool_size: usize, future: BoxFuture<()>) -> Box<dyn JoinHandle> {
        self.inner.spawn_reactor(pool_size, future)
    }

    fn wrap_udp_socket(&self, socket: std::net::UdpSocket) -> io::Result<Arc<dyn AsyncUdpSocket>> {
        if self.receive_buffer > 0 {
            // Best effort: a smaller buffer than asked (rmem_max) still works, only slower.
            let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(self.receive_buffer);
        }
        self.inner.wrap_udp_socket(socket)
    }

    fn wrap_tcp_listener(
        &self,
        listener: std::net::TcpListener,
    ) -> io::Result<Arc<dyn AsyncTcpListener>> {
        self.inner.wrap_tcp_listener(listener)
    }

    fn connect_tcp<'a>(
        &'a self,
        remote: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = io::Result<Arc<dyn AsyncTcpStream>>> + Send + 'a>> {
        self.inner.connect_tcp(remote)
    }

    fn resolve_host<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        self.inner.resolve_host(host)
    }

    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        self.inner.sleep(duration)
    }

    fn interval(&self, period: Duration) -> Box<dyn AsyncInterval> {
        self.inner.interval(period)
    }

    fn block_on(&self, future: Pin<Box<dyn Future<Output = ()> + '_>>) {
        self.inner.block_on(future)
    }

    fn yield_now(&self) -> BoxFuture<()> {
        self.inner.yield_now()
    }

    fn name(&self) -> &'static str {
        "tokio with large UDP receive buffers"
    }
}
