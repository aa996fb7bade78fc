"""Print a stage's outputs after `make deploy`, from the CLI's --outputs-file.

python -m infra.cdk.outputs cdk.out/dev/outputs.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Shown first, in this order; the rest (queue URLs, secret ARNs) follow alphabetically.
HEADLINE = ("ApiUrl", "WhatsappWebhookUrl", "PrometheusRemoteWriteUrl", "AlarmTopicArn", "GrafanaUrl")


def render(outputs: dict[str, dict[str, str]]) -> str:
    lines: list[str] = []
    for stack, values in outputs.items():
        lines.append(stack)
        ordered = [k for k in HEADLINE if k in values] + sorted(k for k in values if k not in HEADLINE)
        width = max(map(len, ordered), default=0)
        lines += [f"  {key:<{width}}  {values[key]}" for key in ordered]
        if any(key.endswith("WebhookUrl") for key in values):
            lines.append(
                "  Meta's console: paste the webhook URL and the WHATSAPP_VERIFY_TOKEN of the WhatsappSecretArn secret."
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(render(json.loads(Path(args[0]).read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
