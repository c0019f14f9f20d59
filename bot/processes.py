"""Waiting for a child process's HTTP server (used by `wijkbrug run` and the tests)."""

from __future__ import annotations

import subprocess
import time
import urllib.request


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Returns once `url` answers; raises if `process` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")
