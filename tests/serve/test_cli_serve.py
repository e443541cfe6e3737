"""`digest serve` as a user runs it: a separate process, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import REPO, run_digest


def start_serve(folder: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", "0", *args], cwd=folder, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r" at (http://\S+) ", line)
        if found:
            return proc, found.group(1)
    proc.wait(10)
    proc.stderr.close()
    raise AssertionError(f"digest serve exited {proc.returncode} without serving")


def test_serve_then_ctrl_c_stops_cleanly_and_leaves_no_temp_folders(example_digest: Path) -> None:
    proc, url = start_serve(example_digest)
    with proc:
        try:
            assert url.startswith("http://127.0.0.1:") and url.endswith("/")
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    assert "stopping" in stderr
    leftovers = [p.name for p in example_digest.iterdir() if p.name.startswith(".") and p.name != ".digest-cache"]
    assert leftovers == []  # the build cache stays; no staging folders
    assert (example_digest / "site" / "index.html").is_file()


def test_serve_on_a_busy_port_says_so_and_exits_2(example_digest: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_digest("serve", "--port", str(port), cwd=example_digest, timeout=30)
    assert result.returncode == 2
    assert f"digest serve: error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "pick another port with --port" in result.stderr
