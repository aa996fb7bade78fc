"""Local SMTP sink for `make local`: accepts every e-mail (no auth, no TLS) and records it.

Each message is appended as one JSON line to `<dir>/mail.jsonl` ({"at", "from", "to", "subject", "body"})
and kept whole as `<dir>/mail/<n>.eml`, so the handoff e-mails the orchestrator sends to hotel staff can be
read offline (`tail -f .local/mail.jsonl`) and asserted on by the e2e tests.

    python -m scripts.local.smtp_sink --port 1025 --dir .local
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        (directory / "mail").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @property
    def index(self) -> Path:
        return self.directory / "mail.jsonl"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "at": time.time(),
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
        }
        with self._lock:
            count = sum(1 for _ in (self.directory / "mail").glob("*.eml"))
            (self.directory / "mail" / f"{count + 1:05d}.eml").write_bytes(raw)
            with self.index.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def read_mail(directory: Path) -> list[dict[str, Any]]:
    """Every e-mail the sink received, oldest first."""
    index = directory / "mail.jsonl"
    if not index.exists():
        return []
    return [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path(".local"))
    args = parser.parse_args()
    controller = Controller(Recorder(args.dir), hostname=args.host, port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
