"""Make every network attempt of this Python process fail loudly, and record it.

Put this folder first on PYTHONPATH and set ALSTUDIO_NETWORK_LOG to a file: Python imports
``sitecustomize`` at start-up, before any of the program's code, and from then on
``socket.socket.connect``/``connect_ex``/``sendto``/``sendmsg``, ``socket.create_connection``,
``getaddrinfo``, ``gethostbyname(_ex)`` and ``gethostbyaddr`` raise :class:`NetworkBlocked`
(an ``OSError``, as a machine with no network would) after appending one JSON line
(call, address, the innermost frames) to that file. A library that swallows the error still
leaves its line, so the test reading the file fails either way.

Allowed: Unix-domain sockets (``AF_UNIX``: local IPC such as torch's shared-memory manager or
multiprocessing's resource tracker) and ``socket.socketpair``; they never leave the machine.
Not covered: connections opened by C code that calls the C library directly, without
Python's socket module.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import traceback
from typing import Any

_LOG = os.environ.get("ALSTUDIO_NETWORK_LOG")


class NetworkBlocked(OSError):
    """Raised instead of reaching the network (errno ENETUNREACH, as on an offline machine)."""


def _record(call: str, address: object) -> None:
    frames = traceback.format_stack(limit=12)[:-2]
    line = {"call": call, "address": repr(address), "pid": os.getpid(),
            "stack": [frame.strip() for frame in frames][-8:]}
    print(f"NETWORK ATTEMPT BLOCKED: {call}({address!r})", file=sys.stderr, flush=True)
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")


def _blocked(call: str, address: object) -> NetworkBlocked:
    _record(call, address)
    return NetworkBlocked(101, f"network access is blocked in this process: {call}({address!r})")


def _is_local(sock: socket.socket) -> bool:
    return getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_sendmsg = getattr(socket.socket, "sendmsg", None)


def connect(self: socket.socket, address: Any) -> None:
    if _is_local(self):
        return _connect(self, address)
    raise _blocked("socket.connect", address)


def connect_ex(self: socket.socket, address: Any) -> int:
    if _is_local(self):
        return _connect_ex(self, address)
    raise _blocked("socket.connect_ex", address)


def sendto(self: socket.socket, data: Any, *args: Any) -> int:
    if _is_local(self):
        return _sendto(self, data, *args)
    raise _blocked("socket.sendto", args[-1] if args else None)


def sendmsg(self: socket.socket, *args: Any) -> int:
    if _is_local(self) or len(args) < 4:  # no address: a connected (hence allowed) socket
        return _sendmsg(self, *args)  # type: ignore[misc]
    raise _blocked("socket.sendmsg", args[3])


def _function(name: str) -> Any:
    def blocked(*args: Any, **kwargs: Any) -> Any:
        raise _blocked(f"socket.{name}", args[0] if args else kwargs)

    blocked.__name__ = name
    return blocked


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.socket.sendto = sendto  # type: ignore[method-assign, assignment]
if _sendmsg is not None:
    socket.socket.sendmsg = sendmsg  # type: ignore[method-assign]
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
              "gethostbyaddr"):
    setattr(socket, _name, _function(_name))
os.environ["ALSTUDIO_NETWORK_GUARD"] = "on"
