#!/usr/bin/env python3
"""A lossy, slow network between test hosts: the userspace stand-in for `tc netem`, which this
kernel lacks (see `trystero_testkit::netlab::Lab::lossy_net`).

    lossy.py --delay-ms D --jitter-ms J --loss P --seed S NAMESPACE=ADDRESS/24 ...

Makes a TUN device `tun0` with ADDRESS in each network namespace and forwards the IPv4 packets
between them by destination address: each is dropped with probability P, otherwise delivered
D ms later, plus up to J ms of uniform jitter (which reorders). The random choices come from one
generator seeded with S, so a run repeats. Prints `ready` once every device is up, then runs
until stdin closes. On stdin, `down ADDRESS` and `up ADDRESS` cut and restore one host. At the
end it prints `forwarded N dropped M`. The devices vanish with the process.
"""

import argparse
import ctypes
import fcntl
import heapq
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


def tun_in(namespace, cidr, home):
    """A TUN device `tun0` with `cidr` in `namespace`, up; its file descriptor."""
    target = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    setns(target)
    try:
        tun = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", b"tun0", IFF_TUN | IFF_NO_PI))
        # Children inherit this thread's namespace.
        subprocess.run(["ip", "addr", "add", cidr, "dev", "tun0"], check=True)
        subprocess.run(["ip", "link", "set", "tun0", "up"], check=True)
    finally:
        setns(home)
        os.close(target)
    os.set_blocking(tun, False)
    return tun


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("hosts", nargs="+")
    args = parser.parse_args()

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    devices = {}
    for spec in args.hosts:
        namespace, cidr = spec.split("=")
        address = socket.inet_aton(cidr.split("/")[0])
        devices[address] = tun_in(namespace, cidr, home)
    by_fd = {fd: address for address, fd in devices.items()}
    down = set()
    rng = random.Random(args.seed)
    queue = []  # (due, sequence, fd, packet)
    sequence = 0
    forwarded = dropped = 0
    os.set_blocking(0, False)
    print("ready", flush=True)

    stdin_buffer = b""
    while True:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        readable, _, _ = select.select(list(by_fd) + [0], [], [], timeout)
        for fd in readable:
            if fd == 0:
                chunk = os.read(0, 4096)
                if not chunk:
                    print(f"forwarded {forwarded} dropped {dropped}", flush=True)
                    return
                stdin_buffer += chunk
                while b"\n" in stdin_buffer:
                    line, stdin_buffer = stdin_buffer.split(b"\n", 1)
                    words = line.decode().split()
                    if len(words) == 2 and words[0] in ("down", "up"):
                        address = socket.inet_aton(words[1])
                        if words[0] == "down":
                            down.add(address)
                        else:
                            down.discard(address)
                        print(f"{words[0]} {words[1]}", flush=True)
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue
                destination = packet[16:20]
                out = devices.get(destination)
                # Draw for every packet, so cutting a host does not shift the others' draws.
                lost = rng.random() < args.loss
                jitter = rng.random() * args.jitter_ms
                if out is None or lost or by_fd[fd] in down or destination in down:
                    dropped += 1
                    continue
                due = time.monotonic() + (args.delay_ms + jitter) / 1000.0
                heapq.heappush(queue, (due, sequence, out, packet))
                sequence += 1
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, packet = heapq.heappop(queue)
            try:
                os.write(out, packet)
                forwarded += 1
            except OSError:
                dropped += 1


if __name__ == "__main__":
    sys.exit(main())
