"""The local stack in the background: `make docker-up` / `make docker-down` (the original system's names for
starting and stopping everything; here there is no Docker, the stack is `make local`).

    python -m scripts.ops.stackctl up|down|running

`up` starts `python -m scripts.local.stack` in its own session, logs to .local/stack.log, records the pid
in .local/stack.pid and waits for the READY line; `down` sends SIGTERM to that session (the stack stops
its emulators and workers) and SIGKILL after a grace period. Only the recorded process group is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("LOCAL_STATE_DIR", str(ROOT / ".local")))
PID_FILE = STATE / "stack.pid"
LOG_FILE = STATE / "stack.log"
API_PORT = int(os.environ.get("LOCAL_API_PORT", 3000))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recorded_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def api_listening(port: int = API_PORT) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def up(timeout_s: float = 180.0) -> int:
    pid = recorded_pid()
    if pid is not None:
        print(f"local stack already running (pid {pid}); logs: {LOG_FILE}")
        return 0
    if api_listening():
        print(f"port {API_PORT} is in use by something that is not ours (a `make local` in a terminal?)")
        return 1
    STATE.mkdir(parents=True, exist_ok=True)
    offset = LOG_FILE.stat().st_size if LOG_FILE.exists() else 0
    with LOG_FILE.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts.local.stack"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    PID_FILE.write_text(str(process.pid))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with LOG_FILE.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        if "\nREADY" in "\n" + text:
            print(text.split("READY")[0].rstrip())
            print(f"local stack up (pid {process.pid}); logs: {LOG_FILE}; stop with `make docker-down`")
            return 0
        if process.poll() is not None:
            PID_FILE.unlink(missing_ok=True)
            print(f"local stack exited with {process.returncode} at start:\n{text[-3000:]}", file=sys.stderr)
            return 1
        time.sleep(0.3)
    print(f"local stack not READY within {timeout_s:.0f}s; stopping it. Logs: {LOG_FILE}", file=sys.stderr)
    down()
    return 1


def down(grace_s: float = 30.0) -> int:
    pid = recorded_pid()
    if pid is None:
        PID_FILE.unlink(missing_ok=True)
        print("local stack not running")
        return 0
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
        with contextlib.suppress(ChildProcessError):  # reap it when it is our own child
            os.waitpid(pid, os.WNOHANG)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    PID_FILE.unlink(missing_ok=True)
    print(f"local stack stopped (pid {pid})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("up", "down", "running"))
    args = parser.parse_args(argv)
    if args.command == "up":
        return up()
    if args.command == "down":
        return down()
    return 0 if recorded_pid() is not None or api_listening() else 1


if __name__ == "__main__":
    sys.exit(main())
