"""Accuracy and speed of the NLU on the labeled corpora (tests/nlu_corpus).

Prints per-intent accuracy (recall of each gold intent) on the tuning and held-out corpora, overall
accuracy, topic and language accuracy, throughput (messages/s) and the median time per message, and
writes the same numbers to reports/bench_nlu.json. The held-out corpus is written in another style and
is not used to tune the lexicon: its number is the honest one.

    python scripts/bench_nlu.py [--errors tuning|heldout]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from functions.orchestrator.nlu import INTENTS, understand  # noqa: E402

CORPORA = {"tuning": ROOT / "tests/nlu_corpus/tuning.jsonl", "heldout": ROOT / "tests/nlu_corpus/heldout.jsonl"}
TODAY = dt.date(2025, 3, 10)


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    topic_hits = topic_total = lang_hits = 0
    errors = []
    for record in records:
        result = understand(record["text"], today=TODAY)
        gold = record["intent"]
        per_intent[gold][1] += 1
        if result.intent == gold:
            per_intent[gold][0] += 1
        else:
            errors.append({"text": record["text"], "gold": gold, "got": result.intent, "slots": result.slots})
        lang_hits += result.lang == record["lang"]
        gold_topic = record.get("slots", {}).get("topic")
        if gold_topic:
            topic_total += 1
            topic_hits += result.slots.get("topic") == gold_topic
    correct = sum(hits for hits, _ in per_intent.values())
    return {
        "messages": len(records),
        "accuracy": correct / len(records),
        "per_intent": {i: {"correct": h, "total": t, "accuracy": h / t} for i, (h, t) in sorted(per_intent.items())},
        "topic_accuracy": topic_hits / topic_total if topic_total else None,
        "lang_accuracy": lang_hits / len(records),
        "errors": errors,
    }


def throughput(texts: list[str], rounds: int = 5) -> dict[str, float]:
    timings = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter_ns()
            understand(text, today=TODAY)
            timings.append(time.perf_counter_ns() - start)
    total_s = sum(timings) / 1e9
    return {
        "messages_per_s": len(timings) / total_s,
        "median_us": statistics.median(timings) / 1000,
        "p95_us": sorted(timings)[int(len(timings) * 0.95)] / 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", choices=sorted(CORPORA), help="list the misclassified messages")
    args = parser.parse_args()

    results = {name: evaluate(load(path)) for name, path in CORPORA.items()}
    texts = [r["text"] for path in CORPORA.values() for r in load(path)]
    speed = throughput(texts)

    print(f"{'intent':<15}{'tuning':>16}{'held-out':>16}")
    for intent in INTENTS:
        cells = []
        for name in CORPORA:
            stats = results[name]["per_intent"].get(intent)
            cells.append(f"{stats['accuracy']:.3f} ({stats['correct']}/{stats['total']})" if stats else "-")
        print(f"{intent:<15}{cells[0]:>16}{cells[1]:>16}")
    for label, key in (("overall", "accuracy"), ("topic", "topic_accuracy"), ("language", "lang_accuracy")):
        print(f"{label:<15}{results['tuning'][key]:>16.3f}{results['heldout'][key]:>16.3f}")
    print(f"messages: tuning {results['tuning']['messages']}, held-out {results['heldout']['messages']}")
    print(f"throughput: {speed['messages_per_s']:.0f} messages/s, median {speed['median_us']:.0f} µs, "
          f"p95 {speed['p95_us']:.0f} µs per message")
    if args.errors:
        for error in results[args.errors]["errors"]:
            print(f"  {error['gold']:>13} -> {error['got']:<13} {error['text']!r} {error['slots']}")

    report = {
        "today": TODAY.isoformat(),
        "corpora": {name: {k: v for k, v in r.items() if k != "errors"} | {"error_count": len(r["errors"])}
                    for name, r in results.items()},
        "throughput": speed,
    }
    out = ROOT / "reports" / "bench_nlu.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
