"""Offline, proven: the main flows run with every network connection made to fail loudly.

One subprocess runs every flow (``flows.py``) with ``guard/sitecustomize.py`` first on
PYTHONPATH: any TCP/UDP connection, DNS lookup or datagram raises and is written to a log
(Unix-domain sockets, used for local IPC, are allowed). The flows pass only if each works and
the log stays empty. ``export`` and ``report`` are skipped, with the reason, while the build has
no such verb, and run as soon as it does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.offline.flows import FLOWS

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GUARD = HERE / "guard"


def guarded_env(home: Path, log: Path) -> dict[str, str]:
    """A fresh user (HOME, no XDG folders), the guard first on PYTHONPATH, Qt offscreen."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "PYTHON", "PYDICOM", "MONAI", "HF_", "TORCH"))}
    env.update(HOME=str(home), PYTHONPATH=os.pathsep.join([str(GUARD), str(REPO)]),
               ALSTUDIO_NETWORK_LOG=str(log), QT_QPA_PLATFORM="offscreen",
               OMP_NUM_THREADS="1")  # one thread: no OpenMP spinning on a busy machine
    return env


def run_guarded(tmp: Path, *args: str, timeout: float = 300) -> tuple[
        subprocess.CompletedProcess[str], list[dict[str, object]]]:
    """Run Python with the guard; returns the process and every blocked attempt it logged."""
    home, log = tmp / "home", tmp / "network.log"
    home.mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                            env=guarded_env(home, log), cwd=tmp, timeout=timeout)
    attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() \
        else []
    return result, attempts


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every flow once, in one guarded process (about half a minute on two cores)."""
    tmp = tmp_path_factory.mktemp("offline")
    work = tmp / "work"
    work.mkdir()
    result, attempts = run_guarded(tmp, str(HERE / "flows.py"), str(work),
                                   str(tmp / "results.json"))
    assert result.returncode == 0, result.stderr[-4000:]
    results = json.loads((tmp / "results.json").read_text())
    return {"results": results, "attempts": attempts, "stderr": result.stderr}


def test_guard_blocks_and_records_every_kind_of_connection(tmp_path: Path) -> None:
    """The guard itself: TCP, UDP, DNS and urllib fail and are logged; AF_UNIX still works."""
    script = (
        "import socket, urllib.request\n"
        "failures = 0\n"
        "for attempt in (lambda: socket.create_connection(('example.org', 443), timeout=1),\n"
        "                lambda: socket.getaddrinfo('example.org', 80),\n"
        "                lambda: socket.socket().connect(('127.0.0.1', 9)),\n"
        "                lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(\n"
        "                    b'x', ('8.8.8.8', 53)),\n"
        "                lambda: urllib.request.urlopen('http://example.org', timeout=1)):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError:\n"
        "        failures += 1\n"
        "a, b = socket.socketpair(); a.sendall(b'ok'); assert b.recv(2) == b'ok'\n"
        "print(failures)\n"
    )
    result, attempts = run_guarded(tmp_path, "-c", script, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5"
    calls = [a["call"] for a in attempts]
    assert calls[:4] == ["socket.create_connection", "socket.getaddrinfo", "socket.connect",
                         "socket.sendto"], calls
    assert len(calls) == 5 and "NETWORK ATTEMPT BLOCKED" in result.stderr


@pytest.mark.parametrize("flow", FLOWS)
def test_flow_runs_offline(offline_run: dict[str, object], flow: str) -> None:
    """Each main flow works with the network blocked (export/report once the verbs exist)."""
    outcome = offline_run["results"][flow]  # type: ignore[index]
    status = str(outcome["status"])
    if status.startswith("skipped"):
        pytest.skip(status)
    assert status == "ok", status


def test_no_flow_tried_the_network(offline_run: dict[str, object]) -> None:
    """Not one connection, lookup or datagram during all the flows (none swallowed either)."""
    attempts = offline_run["attempts"]
    assert attempts == [], json.dumps(attempts, indent=2)[:4000]
