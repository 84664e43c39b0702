"""A download that stalls: a real socket with a small receive buffer that reads the response
headers and then stops reading, as a slow or hostile client does."""

from __future__ import annotations

import socket
from pathlib import Path

# Every byte the kernel may buffer between the server and a stalled client on this machine:
# the server's largest send buffer plus the client's receive buffer (loopback, TCP).
TCP_WMEM = Path("/proc/sys/net/ipv4/tcp_wmem")


def kernel_buffer_bytes(rcvbuf: int) -> int:
    send_max = int(TCP_WMEM.read_text().split()[-1]) if TCP_WMEM.exists() else 4 << 20
    return send_max + 2 * rcvbuf


class StalledDownload:
    """``with StalledDownload(port, path, token) as download:`` the server has answered with
    ``download.status`` and is sending the body, which nobody reads until ``drain()``."""

    def __init__(self, port: int, path: str, token: str, rcvbuf: int = 4096) -> None:
        self.port, self.path, self.token, self.rcvbuf = port, path, token, rcvbuf
        self.status = 0
        self.content_length = 0
        self._body_start = b""
        self.sock: socket.socket | None = None

    def __enter__(self) -> StalledDownload:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Before connect: the window the client offers is fixed at the handshake.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", self.port))
        self.sock = sock
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1024)
            if not chunk:
                raise AssertionError(f"the server closed the download: {head!r}")
            head += chunk
        header, _, self._body_start = head.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                self.content_length = int(value.strip())
        return self

    def drain(self, timeout_s: float = 60) -> int:
        """Read the rest of the body; returns the body's length in bytes."""
        assert self.sock is not None
        self.sock.settimeout(timeout_s)
        received = len(self._body_start)
        while chunk := self.sock.recv(1 << 16):
            received += len(chunk)
        return received

    def __exit__(self, *_exc) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
