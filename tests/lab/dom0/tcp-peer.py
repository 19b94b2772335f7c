#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tcp-peer.py ADDR FILE: Dom0's end of transfer.sh's timed TCP rounds.

One process, up for the whole run, taking one connection at a time:
  ADDR:8081 sends FILE and closes;
  ADDR:8082 reads to the end and answers with the SHA-256 of what came.
A shell CGI behind busybox httpd cost Dom0 four new processes a round,
and the data a trip through two pipes, the same for either front end:
that, not the front end, set the pace of TCP out of L1.
"""
import hashlib
import selectors
import socket
import sys

SEND_PORT, SINK_PORT = 8081, 8082


def send(conn, path):
    with open(path, "rb") as f:
        conn.sendfile(f)


def sink(conn, _path):
    digest = hashlib.sha256()
    buf = bytearray(1 << 18)
    view = memoryview(buf)
    while True:
        n = conn.recv_into(buf)
        if not n:
            break
        digest.update(view[:n])
    conn.sendall((digest.hexdigest() + "\n").encode())


def main():
    addr, path = sys.argv[1:3]
    sel = selectors.DefaultSelector()
    for port, serve in ((SEND_PORT, send), (SINK_PORT, sink)):
        lsock = socket.create_server((addr, port))
        sel.register(lsock, selectors.EVENT_READ, serve)
    while True:
        for key, _ in sel.select():
            conn, _ = key.fileobj.accept()
            # A guest that dies mid-round must not stall the next one.
            conn.settimeout(120)
            try:
                key.data(conn, path)
            except OSError as err:
                print(f"tcp-peer: {err}", file=sys.stderr)
            finally:
                conn.close()


if __name__ == "__main__":
    main()
