"""Accuracy floors on the labeled corpora. The held-out corpus is not tuned on, so its floors are lower
than the tuning corpus's but still fail on a real regression."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

from functions.orchestrator.nlu import INTENTS, understand

CORPUS = Path(__file__).resolve().parents[2] / "nlu_corpus"
TODAY = dt.date(2025, 3, 10)


def _accuracy(name: str) -> tuple[float, dict[str, float], float]:
    records = [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line]
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    topic_hits = topic_total = 0
    for record in records:
        result = understand(record["text"], today=TODAY)
        per[record["intent"]][0] += result.intent == record["intent"]
        per[record["intent"]][1] += 1
        topic = record.get("slots", {}).get("topic")
        if topic:
            topic_total += 1
            topic_hits += result.slots.get("topic") == topic
    overall = sum(h for h, _ in per.values()) / len(records)
    return overall, {intent: h / t for intent, (h, t) in per.items()}, topic_hits / topic_total


@pytest.mark.parametrize(
    ("name", "min_size", "overall_floor", "intent_floor"),
    [("tuning.jsonl", 300, 0.97, 0.9), ("heldout.jsonl", 150, 0.95, 0.75)],
)
def test_intent_accuracy_floors(name: str, min_size: int, overall_floor: float, intent_floor: float) -> None:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    assert len(lines) >= min_size
    overall, per_intent, topic = _accuracy(name)
    assert set(per_intent) == set(INTENTS), "every intent is represented"
    assert overall >= overall_floor, f"{name}: overall {overall:.3f}"
    low = {intent: round(acc, 3) for intent, acc in per_intent.items() if acc < intent_floor}
    assert not low, f"{name}: intents under {intent_floor}: {low}"
    assert topic >= 0.9


def test_corpora_are_balanced_between_languages() -> None:
    for name in ("tuning.jsonl", "heldout.jsonl"):
        langs = [json.loads(line)["lang"] for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()]
        assert 0.3 <= langs.count("en") / len(langs) <= 0.7
