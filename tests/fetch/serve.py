#!/usr/bin/env python3
"""A static file server for the fetch tests: Python's http.server plus HTTP range requests (206 and
416, as the real hosts answer), and one way to misbehave.
  serve.py ROOT PORT_FILE LOG [--drop=URL_PATH:BYTES]...
Binds 127.0.0.1 on a free port and writes the port to PORT_FILE. Each request is logged to LOG as
"GET PATH RANGE STATUS". --drop: the first GET of URL_PATH announces the whole file but sends only
BYTES of it, then closes the connection (a network failure mid-way); later GETs are served normally.
"""
import http.server
import os
import re
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    drops = {}  # URL path -> bytes to send before failing, once
    log_path = None
    lock = threading.Lock()

    def log(self, status):
        with self.lock, open(self.log_path, "a") as f:
            f.write(f"GET {self.path} {self.headers.get('Range', '-')} {status}\n")

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.log(404)
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, end, status = 0, size - 1, 200
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if m:
            start = int(m.group(1))
            if m.group(2):
                end = min(int(m.group(2)), size - 1)
            if start >= size:
                self.log(416)
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        with self.lock:
            drop = self.drops.pop(self.path, None)
        self.log(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read(end - start + 1)
        if drop is not None:
            self.wfile.write(data[:drop])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)


def main():
    root, port_file, log = sys.argv[1:4]
    for arg in sys.argv[4:]:
        path, n = arg[len("--drop="):].rsplit(":", 1)
        Handler.drops[path] = int(n)
    Handler.log_path = log
    open(log, "w").close()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: Handler(*a, directory=root, **k))
    with open(port_file + ".part", "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(port_file + ".part", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
