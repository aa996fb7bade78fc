from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_jsonl_cli(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"text": "quiero cancelar mi reserva 12345"},
        {"text": "hey u got rooms this wknd?", "lang": "en"},
        {"text": "del 12 al 15 de diciembre para 2"},
        {"text": "hola", "lang": "en"},
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "functions.orchestrator.nlu", "--jsonl", str(source), "--today", "2025-03-10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(out) == 4
    assert all(set(item) == {"intent", "lang", "slots"} for item in out)
    assert out[0] == {"intent": "cancel", "lang": "es", "slots": {"booking_ref": "12345"}}
    assert out[1] == {
        "intent": "availability",
        "lang": "en",
        "slots": {"check_in": "2025-03-14", "check_out": "2025-03-16"},
    }
    assert out[2]["slots"] == {"check_in": "2025-12-12", "check_out": "2025-12-15", "guests": 2}
    assert out[3] == {"intent": "greeting", "lang": "en", "slots": {}}


def test_cli_survives_a_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('not json\n{"text": "hola"}\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "functions.orchestrator.nlu", "--jsonl", str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert [item["intent"] for item in out] == ["unknown", "greeting"]
