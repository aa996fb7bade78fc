"""Send one signed text webhook to the local stack (or WEBHOOK_URL) and print the replies it gets.

python -m scripts.send_webhook "hola, quiero reservar" [--guest 34611111111] [--phone-number-id ...]
"""

from __future__ import annotations

import argparse
import os
import time

import httpx

from scripts.fakes.meta_webhook import DEFAULT_PHONE_NUMBER_ID, deliver, text_webhook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("text")
    parser.add_argument("--guest", default="34611111111")
    parser.add_argument("--name", default="Ana García")
    parser.add_argument("--phone-number-id", default=DEFAULT_PHONE_NUMBER_ID)
    parser.add_argument("--url", default=os.environ.get("WEBHOOK_URL", "http://127.0.0.1:3000/webhooks/whatsapp"))
    parser.add_argument("--graph", default=os.environ.get("GRAPH_URL", "http://127.0.0.1:8082"))
    parser.add_argument("--wait", type=float, default=5.0)
    args = parser.parse_args()
    with httpx.Client(timeout=10) as client:
        before = len(client.get(f"{args.graph}/_sent", params={"to": args.guest}).json())
        payload = text_webhook(
            args.text, guest_wa_id=args.guest, guest_name=args.name, phone_number_id=args.phone_number_id
        )
        response = deliver(client, args.url, payload)
        print(f"webhook -> {response.status_code} {response.text}")
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            sent = client.get(f"{args.graph}/_sent", params={"to": args.guest}).json()
            if len(sent) > before:
                for item in sent[before:]:
                    print(f"reply ({item['type']}): {item['payload'].get('text', item['payload'].get(item['type']))}")
                return
            time.sleep(0.1)
        print("no reply yet")


if __name__ == "__main__":
    main()
