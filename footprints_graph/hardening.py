"""Defences that do not belong to one stage: no outbound network traffic, and no XML entity tricks in uploads.

Two layers keep the server and the `validate` command from reaching other hosts:

- `outbound_connections_refused()`: a Python audit hook (PEP 578) that raises on any connection, datagram,
  name lookup or URL request to a host other than loopback (or one on an explicit allowlist). It sees what
  Python code does (rdflib fetching a JSON-LD `@context`, urllib, http.client, sockets) but not what native
  code does: pyoxigraph evaluates SERVICE in Rust, below the hook.
- `drop_network()`: a seccomp filter that makes the kernel refuse IPv4 and IPv6 sockets to this process and
  its children. The endpoint applies it to each query process, so even a SERVICE clause that slipped past
  the query guard (endpoint/guard.py) cannot open a connection.
"""

import ctypes
import errno
import ipaddress
import platform
import re
import socket
import struct
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from footprints_graph.errors import FootprintsError


class OutboundConnectionRefused(FootprintsError, PermissionError):
    """Code in this process tried to reach another host. Raised inside the socket and urllib code that tried
    (the audit hook), so it stays an OSError: the library that made the connection sees a failed connection,
    as it would without the hook; and a FootprintsError, so the edges say it rather than crash."""


# ----------------------------------------------------------------------------- the audit hook

LOCAL_NAMES = frozenset({"localhost", "localhost.", "", "0.0.0.0", "::"})  # the last three: binding, not reaching
_allowed: frozenset[str] | None = None  # None: not refusing; else the host names allowed besides loopback
_hook_installed = False


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_local(host: str) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _text(host: object) -> str:
    if host is None:  # getaddrinfo(None, port): the local addresses, to bind to
        return ""
    return (host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)).lower()


def _check(host: str, what: str) -> None:
    if not (_is_local(host) or host in _allowed):
        raise OutboundConnectionRefused(f"footprints-graph makes no outbound connections: refused {what}. To let "
                                        "the endpoint federate with another endpoint on purpose, list its URL in "
                                        "the `federation` setting.")


def _audit(event: str, args: tuple) -> None:
    if _allowed is None:
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        if isinstance(args[1], tuple) and len(args[1]) >= 2:  # AF_INET(6); an AF_UNIX path is local
            _check(_text(args[1][0]), f"a connection to {_text(args[1][0])}:{args[1][1]}")
    elif event == "socket.getaddrinfo":
        _check(_text(args[0]), f"a name lookup of {_text(args[0])}")
    elif event == "http.client.connect":
        _check(_text(args[1]), f"an HTTP connection to {_text(args[1])}:{args[2]}")
    elif event == "urllib.Request":
        _check_url(str(args[0]))


def _check_url(url: str) -> None:
    """http(s) to loopback or an allowed host; never file:, ftp: and the like, which read this machine's files
    (a JSON-LD `@context` of file:///etc/passwd) or other hosts."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        _check(_host_of(url), f"a request for {url}")
    elif scheme != "data":
        raise OutboundConnectionRefused(f"footprints-graph fetches no {scheme}: URLs: refused a request for {url}")


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:  # a hook cannot be removed: install it once, switch it with `_allowed`
        sys.addaudithook(_audit)
        _hook_installed = True


def refuse_outbound_connections(allowed_urls: Iterable[str] = ()) -> None:
    """From now on, for the life of this process, refuse connections except to loopback and `allowed_urls`."""
    global _allowed
    _install_hook()
    _allowed = frozenset(_host_of(url) for url in allowed_urls)


@contextmanager
def outbound_connections_refused(allowed_urls: Iterable[str] = ()) -> Iterator[None]:
    """Refuse outbound connections while the block runs (the `validate` command reading a submission)."""
    global _allowed
    before = _allowed
    refuse_outbound_connections(allowed_urls)
    try:
        yield
    finally:
        _allowed = before


# ----------------------------------------------------------------------------- the kernel's refusal

# seccomp-BPF: audit architecture and the number of socket(2), per machine
SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
X32_SYSCALL_BIT = 0x40000000


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _bpf(code: int, jump_true: int, jump_false: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jump_true, jump_false, k)


def _socket_filter(arch: int, socket_nr: int) -> bytes:
    """Refuse socket(AF_INET | AF_INET6, …) with EACCES; refuse every call of another ABI; allow the rest."""
    refuse = SECCOMP_RET_ERRNO | errno.EACCES
    return b"".join([
        _bpf(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _bpf(BPF_JEQ_K, 1, 0, arch),
        _bpf(BPF_RET_K, 0, 0, refuse),
        _bpf(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _bpf(BPF_JGE_K, 5, 0, X32_SYSCALL_BIT),  # x32 calls on x86_64 would dodge the number below
        _bpf(BPF_JEQ_K, 0, 3, socket_nr),  # not socket(2): allow
        _bpf(BPF_LD_W_ABS, 0, 0, 16),  # seccomp_data.args[0], low half: the address family
        _bpf(BPF_JEQ_K, 2, 0, socket.AF_INET),
        _bpf(BPF_JEQ_K, 1, 0, socket.AF_INET6),
        _bpf(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        _bpf(BPF_RET_K, 0, 0, refuse),
    ])


def network_sandbox_supported() -> bool:
    return sys.platform == "linux" and platform.machine() in SECCOMP_ARCHES


def drop_network() -> None:
    """Make the kernel refuse IP sockets to this process and every child it forks, irreversibly. Unix
    sockets, pipes and files still work. Raises OSError if the kernel will not install the filter."""
    program = _socket_filter(*SECCOMP_ARCHES[platform.machine()])
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"the kernel refused the network sandbox: {errno.errorcode.get(code, code)}")


# ----------------------------------------------------------------------------- uploads

class UnsafeUpload(FootprintsError):
    """An uploaded file that is refused before it is parsed, because parsing it could be an attack."""


_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_xml_declarations(data: bytes, where: str) -> None:
    """Refuse RDF/XML with a document type or entity declarations (entity expansion can exhaust memory and
    time, and external entities read files or reach other hosts), and XML that is not UTF-8, where such a
    declaration could hide from this check. RDF/XML never needs either."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:1024]:
        raise UnsafeUpload(f"{where}: RDF/XML must be encoded in UTF-8; convert the file and send it again.")
    found = _XML_DECLARATIONS.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        raise UnsafeUpload(f"{where}:{line}: RDF/XML with <!{found.group(1).decode().upper()} declarations is "
                           "refused: entities can exhaust the parser or read other files. Remove the DOCTYPE "
                           "and write entity values out in full.")
