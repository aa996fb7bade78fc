"""Install prometheus, promtool, prometheus-alertmanager and amtool from Debian packages when missing.

    python -m scripts.observability.tools

Used by `make observability-tools` and by the tests in tests/observability (CI machines are fresh
Debian 12). The packages' systemd units are stopped and disabled after installation: the local stack
starts its own Prometheus and Alertmanager on 9090/9093 with the rendered configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ("prometheus", "prometheus-alertmanager")
BINARIES = ("prometheus", "promtool", "prometheus-alertmanager", "amtool")
_SERVICES = ("prometheus", "prometheus-alertmanager")
_APT_TIMEOUT_S = 900


def missing_binaries() -> list[str]:
    return [name for name in BINARIES if shutil.which(name) is None]


def _stop_services() -> None:
    """Best effort: only meaningful where systemd runs (a CI VM); containers have no units running."""
    if shutil.which("systemctl") is None or not os.path.isdir("/run/systemd/system"):
        return
    for unit in _SERVICES:
        subprocess.run(["systemctl", "disable", "--now", unit], check=False, capture_output=True, timeout=60)


def ensure_tools() -> list[str]:
    """Install the Debian packages when a binary is missing; return what was missing (empty if nothing).

    Raises RuntimeError when apt-get fails or a binary is still missing afterwards.
    """
    missing = missing_binaries()
    if not missing:
        return []
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{', '.join(missing)} missing and apt-get unavailable: install {PACKAGES}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=_APT_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    _stop_services()
    still = missing_binaries()
    if still:
        raise RuntimeError(f"installed {PACKAGES} but {', '.join(still)} still missing from PATH")
    return missing


def main() -> int:
    try:
        missing = ensure_tools()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"installed: {', '.join(missing)}" if missing else "prometheus, promtool, alertmanager, amtool present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
