"""Fetching one file from a public web server, which is not trusted.

Only :meth:`pubkit.resources.ResourcePolicy.fetch_remote` calls this, once
the site or the command line has allowed remote resources.  What a server
can try, and what stops it:

- **An address inside the network** (the machine itself, the LAN, a cloud's
  metadata service at 169.254.169.254): the host name is resolved once and
  every address it gives must be public, including the IPv4 address inside
  an IPv6 one (``::ffff:``, 6to4, Teredo, NAT64).  The connection goes to the
  addresses that were checked, in turn: a name that resolves to a public
  address when checked and to ``127.0.0.1`` a moment later (DNS rebinding) is
  never asked again.  An international name is asked for in its DNS form.
- **A redirect** (to a private address, or anywhere): not followed.  Any
  answer but ``200`` refuses the file.
- **Endless or slow answers**: the whole fetch (connection, headers, body)
  has one time limit; a server that sends a byte a second is cut off at it.
  A body over the size limit is refused when the limit is passed, not read
  to its end.
- **Garbage instead of HTTP**, too many or too long header lines, a broken
  TLS handshake or certificate: refused with the reason.

No proxy from the environment is used: a proxy would resolve the name itself.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_CHUNK = 65536


class RemoteRefused(Exception):
    """The file was not fetched; the message says why."""


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet (and so is any IPv4 address inside it)."""
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        # A 6to4 address (2002::/16) reaches the IPv4 address inside it, which alone decides:
        # Python's own tables count all of 2002::/16 as private in some releases (3.11.2) and
        # as global in others (3.11.7).
        return is_public(address.sixtofour)
    if address.is_multicast or not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner: ipaddress.IPv4Address | None = address.ipv4_mapped
        if inner is None and address.teredo:
            inner = address.teredo[1]
        if inner is None and any(address in net for net in _NAT64):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not is_public(inner):
            return False
    return True


def public_addresses(host: str, port: int, allowed: Callable[[Address], bool] = is_public) -> list[str]:
    """The addresses of ``host`` to connect to; :class:`RemoteRefused` unless all are ``allowed``."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise RemoteRefused(f"cannot resolve {host}: {exc}") from None
    found: list[str] = []
    for info in infos:
        shown = str(info[4][0])
        address = ipaddress.ip_address(shown.split("%")[0])
        if not allowed(address):
            raise RemoteRefused(f"{host} resolves to a private or loopback address ({address})")
        if shown not in found:
            found.append(shown)
    if not found:
        raise RemoteRefused(f"cannot resolve {host}")
    return found


def fetch(url: str, timeout: float, limit: int,
          allowed: Callable[[Address], bool] = is_public) -> tuple[bytes, str | None]:
    """The body and content type of ``url`` (http or https), within ``timeout`` seconds in all
    and ``limit`` bytes, or :class:`RemoteRefused`.  ``allowed`` judges the server's address."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise RemoteRefused(f"not a valid port in {url}") from None
    if scheme not in ("http", "https") or not host:
        raise RemoteRefused(f"only http and https URLs may be fetched ({url})")
    try:
        host = host.encode("idna").decode("ascii")  # the name as DNS, Host and TLS know it
    except UnicodeError:
        raise RemoteRefused(f"not a valid host name in {url}") from None
    deadline = time.monotonic() + timeout
    addresses = public_addresses(host, port, allowed)
    kind = _Pinned if scheme == "http" else _PinnedTLS
    conn = kind(host, port, addresses, timeout, deadline)
    # The socket's timeout bounds each wait; this bounds them all: at the deadline the
    # connection is shut, and whatever read it was in fails.
    cutoff = threading.Timer(max(0.0, deadline - time.monotonic()), conn.cut)
    cutoff.daemon = True
    cutoff.start()
    try:
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        conn.request("GET", target, headers={"User-Agent": "pubkit", "Accept": "*/*",
                                             "Accept-Encoding": "identity"})
        response = conn.getresponse()
        if response.status != 200:
            where = response.getheader("Location")
            if 300 <= response.status < 400 and where:
                raise RemoteRefused(f"{url}: redirects are not followed (to {where[:200]})")
            raise RemoteRefused(f"{url}: HTTP {response.status}")
        body = bytearray()
        while len(body) <= limit:
            chunk = response.read(min(_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if conn.was_cut or time.monotonic() > deadline:  # a cut connection reads as its end
            raise RemoteRefused(f"{url}: no answer within {timeout:g} s")
        if len(body) > limit:
            raise RemoteRefused(f"{url} is larger than {limit} bytes")
        if response.length:  # what Content-Length promised and the connection did not bring
            raise RemoteRefused(f"{url}: the answer stopped {response.length} bytes short")
        return bytes(body), response.headers.get_content_type()
    except RemoteRefused:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if conn.was_cut or time.monotonic() > deadline:
            raise RemoteRefused(f"{url}: no answer within {timeout:g} s") from None
        raise RemoteRefused(f"{url}: {type(exc).__name__}: {exc}"[:300]) from None
    finally:
        cutoff.cancel()
        conn.close()


class _Pinned(http.client.HTTPConnection):
    """A connection to ``host`` made to one of the checked ``addresses`` (in turn, as the
    resolver ordered them), never to a new lookup."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float,
                 deadline: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses
        self.deadline = deadline
        self.wait = timeout
        """The longest wait for any one read or write."""
        self.was_cut = False
        self._lock = threading.Lock()

    def connect(self) -> None:
        with self._lock:
            if self.was_cut:
                raise TimeoutError("time limit reached")
        failed: OSError | None = None
        for address in self.addresses:
            left = self.deadline - time.monotonic()  # the timer cannot cut a connection not made
            if left <= 0:
                raise TimeoutError("time limit reached")
            try:
                sock = socket.create_connection((address, self.port), min(left, self.wait))
            except OSError as exc:
                failed = exc
                continue
            sock.settimeout(self.wait)
            with self._lock:
                if self.was_cut:
                    sock.close()
                    raise TimeoutError("time limit reached")
                self.sock = sock
            return
        raise failed or OSError("no address to connect to")

    def cut(self) -> None:
        """Stop the fetch where it is (from the timer's thread)."""
        with self._lock:
            self.was_cut = True
            if self.sock is not None:
                with contextlib.suppress(OSError):  # already closed by the other side
                    self.sock.shutdown(socket.SHUT_RDWR)


class _PinnedTLS(_Pinned):
    """:class:`_Pinned` over TLS, the certificate checked against the host name."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        assert self.sock is not None
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)
