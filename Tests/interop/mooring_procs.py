"""Starting and stopping Mooring's binaries for the interop tests."""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "hack" / "dev"))
from csi_stubs import compile_csi_stubs  # noqa: E402,F401  (re-exported for the tests)


class Served:
    """A server process listening on a Unix socket, with its output kept for assertions."""

    def __init__(self, argv, socket_path: pathlib.Path, log_path: pathlib.Path, env=None):
        self.socket_path = socket_path
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})
        self.argv = argv

    def wait_ready(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.argv[0]} exited with {self.proc.returncode}: {self.output()}")
            if self.socket_path.exists() and accepts(self.socket_path):
                return self
            time.sleep(0.02)
        raise AssertionError(f"{self.argv[0]} did not listen on {self.socket_path} within {timeout}s: {self.output()}")

    @property
    def target(self) -> str:
        return f"unix://{self.socket_path}"

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout=20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def accepts(path: pathlib.Path) -> bool:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port() -> int:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def http_ok(url: str) -> bool:
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False



class LocalCloud:
    """A localcloud process on a free 127.0.0.1 port with its data under `tmp_path`; `url` once it
    answers /healthz. Extra arguments (e.g. --real-devices --device-dir DIR) are passed through."""

    def __init__(self, bin_dir: pathlib.Path, tmp_path: pathlib.Path, key: str, *extra: str):
        self.url = f"http://127.0.0.1:{free_port()}"
        data = tmp_path / "cloud"
        data.mkdir(exist_ok=True)
        self._log = open(tmp_path / "localcloud.log", "wb")
        self.proc = subprocess.Popen([str(bin_dir / "localcloud"), "--listen", self.url.removeprefix("http://"),
                                      "--data-dir", str(data), "--rate-limit", "0", *extra],
                                     env={**os.environ, "LOCALCLOUD_API_KEY": key}, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not http_ok(self.url + "/healthz"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("localcloud did not start")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self._log.close()
