"""Put on PYTHONPATH by tests/workflow/test_no_network.py: every Python process of the
build (Snakemake, its jobs, the Jupyter kernel) loads this, notes that it did,
and refuses and records any network use other than loopback."""

import errno
import ipaddress
import os
import socket
import sys

_LOG = os.environ.get("TOMAS_NET_ATTEMPTS")
_LOADED = os.environ.get("TOMAS_NET_LOADED")


def _command():
    # sys.argv is not set yet while site runs; the kernel's own record is complete.
    try:
        with open("/proc/self/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")[:300]
    except OSError:
        return " ".join(sys.argv)[:300]


def _note(path, line):
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in (None, "", "localhost", socket.gethostname()) or str(host).endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # any other name would need a DNS lookup


def _refuse(what, target):
    _note(_LOG, f"{os.getpid()} {what} {target!r} {_command()}")
    raise OSError(errno.ENETUNREACH, f"network use refused by the test guard: {what} {target!r}")


def _guard_address(method):
    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            _refuse(method.__name__, address)
        return method(self, address, *args)
    return guarded


def _guard_sendto(method):
    def guarded(self, data, *args):
        address = args[-1] if args else None
        if isinstance(address, tuple) and self.family in (socket.AF_INET, socket.AF_INET6) \
                and not _is_local(address[0]):
            _refuse("sendto", address)
        return method(self, data, *args)
    return guarded


def _guard_lookup(function):
    def guarded(host, *args, **kwargs):
        if not _is_local(host):
            _refuse(function.__name__, host)
        return function(host, *args, **kwargs)
    return guarded


if _LOG:
    socket.socket.connect = _guard_address(socket.socket.connect)
    socket.socket.connect_ex = _guard_address(socket.socket.connect_ex)
    socket.socket.sendto = _guard_sendto(socket.socket.sendto)
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, _name, _guard_lookup(getattr(socket, _name)))
    _note(_LOADED, f"{os.getpid()} {_command()}")
