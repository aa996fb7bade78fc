"""python -m functions.orchestrator.nlu --jsonl FILE: one {"intent", "lang", "slots"} line per input line
{"text": ..., "lang"?: ...}; "-" reads stdin. Optional --today YYYY-MM-DD and --tz for reproducible runs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence

from functions.orchestrator.nlu import understand


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.orchestrator.nlu", description=__doc__)
    parser.add_argument("--jsonl", required=True, help="input file of JSON lines, or - for stdin")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--tz", default="Europe/Madrid")
    parser.add_argument("--room-type", action="append", default=[], help="a room type name of the hotel")
    args = parser.parse_args(argv)

    source = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")  # noqa: SIM115
    with source:
        for line_number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = str(record["text"])
            except (ValueError, KeyError, TypeError) as exc:
                print(f"line {line_number}: {exc}", file=sys.stderr)
                sys.stdout.write(json.dumps({"intent": "unknown", "lang": "es", "slots": {}}) + "\n")
                continue
            lang = record.get("lang") if isinstance(record, dict) else None
            result = understand(
                text, lang=lang if lang in ("es", "en") else None, today=args.today, tz=args.tz,
                room_types=args.room_type,
            )
            out = {"intent": result.intent, "lang": result.lang, "slots": result.slots}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
