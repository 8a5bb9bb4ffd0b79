"""Free TCP ports for the test servers, safe with parallel test processes.

A port the kernel hands out for ``bind(0)`` comes from the ephemeral range, which every
outgoing connection of every process also draws from: between probing it and a server
binding it, another process's client socket can take it (``address already in use``).
So the test servers use ports below that range, a block of them per pytest-xdist worker,
each one checked free before it is handed out."""

import itertools
import os
import socket

FIRST_PORT, BLOCK = 20_000, 600  # below Linux's default ephemeral range (32768-60999)


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) % 20 if digits.isdigit() else 0


_offsets = itertools.count()


def free_port() -> int:
    start = FIRST_PORT + _worker_index() * BLOCK
    for _ in range(BLOCK):
        port = start + next(_offsets) % BLOCK
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in this test process's block")
