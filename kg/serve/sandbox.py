"""Confinement of a query worker process: no internet sockets (seccomp), a memory cap, death with its parent."""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_EACCES = 13
_AF_INET, _AF_INET6 = 2, 10
# (audit architecture, number of the socket system call) per machine
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere nothing)."""
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _filter_program(arch: int, nr_socket: int) -> bytes:
    def op(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)

    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    deny = _RET_ERRNO | _EACCES
    return b"".join(
        [
            op(ld, 0, 0, 4),  # seccomp_data.arch
            op(jeq, 1, 0, arch),
            op(ret, 0, 0, deny),  # another ABI (e.g. 32-bit calls): refuse everything
            op(ld, 0, 0, 0),  # seccomp_data.nr
            op(jeq, 0, 4, nr_socket),
            op(ld, 0, 0, 16),  # seccomp_data.args[0] (low half): the address family
            op(jeq, 1, 0, _AF_INET),
            op(jeq, 0, 1, _AF_INET6),
            op(ret, 0, 0, deny),
            op(ret, 0, 0, _RET_ALLOW),
        ]
    )


def forbid_network() -> bool:
    """Install a seccomp filter under which socket(AF_INET/AF_INET6) fails with EACCES, for good.

    Returns True when the filter is in place; False on a system without it (not Linux, another machine
    architecture, or seccomp unavailable), where the parsed-query check is then the only barrier.
    """
    arch = _ARCHES.get(platform.machine())
    if arch is None or not hasattr(os, "fork"):
        return False
    program = _filter_program(*arch)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(program)
    prog = SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    try:
        libc = _libc()
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
    except (OSError, AttributeError):
        return False


def network_is_forbidden() -> bool:
    """Whether this process can no longer open an internet socket."""
    import socket

    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False


def virtual_size() -> int:
    """This process's address space in bytes (VmSize)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cap_memory(extra_bytes: int) -> None:
    """Let this process grow its address space by at most EXTRA_BYTES beyond what it has now."""
    limit = virtual_size() + extra_bytes
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass
