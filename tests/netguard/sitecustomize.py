"""Loaded by every Python process started with this folder on PYTHONPATH (tests only).

Blocks every outbound connection and name lookup except loopback and records each attempt in the
file named by NETGUARD_LOG, so a test can assert that none was attempted.
"""

import os
import sys

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "", None}
_LOG = os.environ.get("NETGUARD_LOG")


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(what + "\n")


def _host_of(address: object) -> object:
    if isinstance(address, tuple) and address:
        return address[0]
    return None  # AF_UNIX paths and socketpairs stay on this machine


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    return host in _LOOPBACK or str(host).startswith("127.")


def _guard(event: str, args: tuple) -> None:
    # connect covers TCP and connected UDP; sendto/sendmsg cover datagrams sent without connecting.
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        host = _host_of(args[1])
        if not _is_loopback(host):
            _record(f"{event.removeprefix('socket.')} {args[1]!r}")
            raise OSError(f"network blocked by test guard: {args[1]!r}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        host = args[0]
        if not _is_loopback(host):
            _record(f"{event.removeprefix('socket.')} {host!r}")
            raise OSError(f"name lookup blocked by test guard: {host!r}")


sys.addaudithook(_guard)
