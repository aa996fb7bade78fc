"""Operator commands against the local Prometheus and gateway (loopback only).

python -m scripts.observability.ops rules-status             # loaded rule groups (PROMETHEUS_URL)
python -m scripts.observability.ops test-alert on|off        # AlwaysFiring on/off, then /-/reload
python -m scripts.observability.ops burst-429                # signed webhook burst above the limit
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from scripts.observability import render

DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:3000/webhooks/whatsapp"
DEFAULT_APP_SECRET = "local-app-secret"  # noqa: S105 - the local stack's documented default
# 120 POST/min per client pass; the rest of the burst answers 429 and keeps the 5m rate of 429s above
# HighWebhook429Rate's 0.2/s for several minutes.
DEFAULT_BURST = 400
MAX_BURST = 2000
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_TIMEOUT_S = 5


def _loopback(url: str) -> str:
    if urlparse(url).hostname not in _LOOPBACK:
        raise SystemExit(f"refusing non-loopback URL {url}")
    return url.rstrip("/")


def rules_status(prometheus_url: str) -> int:
    with urllib.request.urlopen(f"{_loopback(prometheus_url)}/api/v1/rules", timeout=_TIMEOUT_S) as resp:
        groups = json.load(resp)["data"]["groups"]
    for group in groups:
        states = [r.get("state", "") for r in group["rules"] if r["type"] == "alerting"]
        firing = sum(s == "firing" for s in states)
        print(f"{group['file']}: {group['name']} rules={len(group['rules'])} alerts={len(states)} firing={firing}")
    print(f"{len(groups)} rule groups loaded")
    return 0 if groups else 1


def reload_prometheus(prometheus_url: str) -> None:
    req = urllib.request.Request(f"{_loopback(prometheus_url)}/-/reload", method="POST")
    with urllib.request.urlopen(req, timeout=_TIMEOUT_S):
        pass


def test_alert(state: str, out_dir: Path, prometheus_url: str) -> int:
    paths = render.render_rules(out_dir, os.environ, test_alert=state == "on")
    print(f"AlwaysFiring {state}: {paths['alerts_extra']}")
    try:
        reload_prometheus(prometheus_url)
    except (urllib.error.URLError, OSError) as exc:
        print(f"Prometheus not reloaded ({exc}); it picks the file up at its next start", file=sys.stderr)
        return 1
    print("Prometheus reloaded")
    return 0


def _status_payload(index: int) -> bytes:
    """A delivery-status webhook: accepted like any event, but it makes nobody send a reply."""
    event = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "0", "phone_number_id": "0"},
                            "statuses": [
                                {
                                    "id": f"wamid.test-429-{index}",
                                    "status": "delivered",
                                    "timestamp": str(int(time.time())),
                                    "recipient_id": "0",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(event, separators=(",", ":")).encode()


def burst_429(webhook_url: str, secret: str, count: int) -> int:
    url = _loopback(webhook_url)
    count = max(1, min(count, MAX_BURST))
    codes: dict[int, int] = {}
    for index in range(count):
        body = _status_payload(index)
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        try:
            with urllib.request.urlopen(req, timeout=_TIMEOUT_S) as resp:
                code = resp.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        except (urllib.error.URLError, OSError) as exc:
            print(f"gateway unreachable at {url}: {exc}", file=sys.stderr)
            return 1
        codes[code] = codes.get(code, 0) + 1
    print(f"sent {count} signed POSTs to {url}: " + ", ".join(f"{c}x{n}" for c, n in sorted(codes.items())))
    if not codes.get(429):
        print("no 429 received: is the webhook rate limit active?", file=sys.stderr)
        return 1
    print("HighWebhook429Rate fires after its 2m `for:` (make alertmanager-alerts)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rules-status")
    toggle = sub.add_parser("test-alert")
    toggle.add_argument("state", choices=["on", "off"])
    toggle.add_argument("--out", type=Path, default=Path(os.environ.get("OBSERVABILITY_DIR", render.DEFAULT_OUT_DIR)))
    burst = sub.add_parser("burst-429")
    burst.add_argument("--count", type=int, default=int(os.environ.get("TEST_429_REQUESTS", DEFAULT_BURST)))
    args = parser.parse_args(argv)
    prometheus_url = os.environ.get("PROMETHEUS_URL", DEFAULT_PROMETHEUS_URL)
    if args.command == "rules-status":
        return rules_status(prometheus_url)
    if args.command == "test-alert":
        return test_alert(args.state, args.out, prometheus_url)
    return burst_429(
        os.environ.get("WEBHOOK_URL", DEFAULT_WEBHOOK_URL),
        os.environ.get("WHATSAPP_APP_SECRET", DEFAULT_APP_SECRET),
        args.count,
    )


if __name__ == "__main__":
    sys.exit(main())
