"""What hack/soak/soak.py and hack/soak/soak_ccm.py share: restartable programs, the cloud API as a retrying
client, and small helpers."""
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unix_accepts(path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def parse_range(text):
    """`5-15` → (5.0, 15.0); `0` → (0.0, 0.0)."""
    low, _, high = text.partition("-")
    return float(low), float(high or low)


class Program:
    """A program restartable with the same arguments (same socket, same state directory), killed
    with SIGKILL on demand. `extra` arguments given to start() apply to that start only."""

    def __init__(self, name, argv, work, env=None, ready=None):
        self.name, self.argv, self.env, self.ready = name, argv, env or {}, ready
        self.log_path = work / f"{name}.log"
        self.proc = None
        self.lock = threading.Lock()
        self.kills = 0

    def start(self, *extra):
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen([*self.argv, *extra], stdout=log_file, stderr=subprocess.STDOUT,
                                         env={**os.environ, **self.env})
        deadline = time.monotonic() + 30
        while not self.ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soak: {self.name} did not start; see {self.log_path}")
            time.sleep(0.05)

    def kill_and_restart(self, *extra):
        with self.lock:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills += 1
            time.sleep(random.uniform(0.1, 1.0))
            self.start(*extra)

    def stop(self):
        with self.lock:
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()


class CloudClient:
    """The cloud API as a client sees it: faults are injected, so every call retries 5xx, 429
    and connection errors (the cloud may be restarting) with backoff."""

    def __init__(self, url, key):
        self.url, self.key = url, key

    def call(self, method, path, body=None, attempts=60):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(attempts):
            request = urllib.request.Request(self.url + path, data=data, method=method, headers={
                "Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    raw = response.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as error:
                if error.code < 500 and error.code != 429:
                    raise
            except OSError:
                pass
            time.sleep(min(0.1 * 2 ** attempt, 2))
        raise RuntimeError(f"cloud API {method} {path} kept failing")

    def ok(self):
        return http_ok(self.url + "/healthz")
