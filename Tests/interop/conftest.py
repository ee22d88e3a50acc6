"""Shared fixtures for the interop tests: independent peers (Python grpcio, HTTP clients) driving
Mooring's real binaries over real sockets.

Binaries come from MOORING_BIN_DIR when set (hack/test.sh sets it), else from `swift build
--show-bin-path` of the checkout this file lives in.
"""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bin_dir() -> pathlib.Path:
    env = os.environ.get("MOORING_BIN_DIR")
    if env:
        return pathlib.Path(env)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.strip()
    return pathlib.Path(out)
