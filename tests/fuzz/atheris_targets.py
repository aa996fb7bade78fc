"""Coverage-guided fuzzing with atheris (libFuzzer) of the normalizer and of the webhook handler, beside the
hypothesis tests: libFuzzer keeps the inputs that reach new branches of our code and mutates those, so it
finds the deep shapes that random generation rarely builds. The checks are the hypothesis tests' own
(tests/fuzz/invariants.py); a failed check or an unhandled exception is a crash, saved as an input file.

    python -m tests.fuzz.atheris_targets normalizer|webhook [CORPUS_DIR | FAILING_INPUT] [libFuzzer flags]

Seeds: the recorded payloads of tests/fixtures/whatsapp and the fake Meta's builders, written into the
corpus directory when it is empty. Dictionary: every key and string of the seeds, which libFuzzer splices
into its mutations, so a mutated body stays close to Meta's shape. The webhook target serves the real
handler against the AWS emulator (in this process), its signature made or garbled by the input's first byte.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import atheris

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "whatsapp"
SECRET = "fuzz-secret"  # signs the fuzzer's own requests


def seeds() -> list[bytes]:
    from scripts.fakes import meta_webhook

    bodies = [path.read_bytes() for path in sorted(FIXTURES.glob("*.json"))]
    built = [
        meta_webhook.text_webhook("hola, ¿tienen habitación?", guest_wa_id="34600000001"),
        meta_webhook.interactive_webhook("book:1", "Reservar", guest_wa_id="34600000002"),
        meta_webhook.status_webhook("wamid.seed", "delivered", recipient_id="34600000003"),
    ]
    return bodies + [meta_webhook.encode(payload) for payload in built]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str) and len(value) <= 40:
        yield value


def dictionary(bodies: list[bytes]) -> str:
    tokens = sorted({json.dumps(token) for body in bodies for token in _strings(json.loads(body))})
    # libFuzzer's dictionary syntax: one quoted token per line, with backslash and quote escaped.
    return "".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"\n' for t in tokens if t.isascii())


def normalizer_target() -> Callable[[bytes], None]:
    with atheris.instrument_imports(include=["functions", "hotel_common"]):
        from tests.fuzz.invariants import check_normalized_body

    return check_normalized_body


def webhook_target() -> Callable[[bytes], None]:
    """The handler as Lambda runs it (resolver, middlewares, checks, the SQS send) against the emulator; the
    rate limit is off (DEBUG) and the metrics flush is left out, so every input is judged on its own."""
    import boto3

    from scripts.local import resources
    from scripts.local.aws_emulator import serve_in_thread
    from scripts.local.stack import free_port

    port = free_port()
    serve_in_thread("127.0.0.1", port)
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "WHATSAPP_APP_SECRET": SECRET,
            "DEBUG": "true",
            "POWERTOOLS_LOG_LEVEL": "CRITICAL",
        }
    )
    clients = [boto3.client(name, endpoint_url=endpoint, region_name="us-east-1") for name in ("sqs", "dynamodb", "s3")]
    deployed = resources.deploy("fuzz", *clients)
    os.environ["INBOUND_QUEUE_URL"] = deployed.queue_urls["inbound"]
    os.environ["PAYLOAD_BUCKET"] = deployed.bucket_names["payloads"]

    with atheris.instrument_imports(include=["functions", "hotel_common"]):
        from functions.webhook import handler as module
        from hotel_common.signature import sign
        from tests.fuzz.invariants import check_webhook_answer, webhook_call

    def no_flush(redis_factory: Callable[[], Any] | None = None) -> bool:
        return True

    module.flush = no_flush

    def one(data: bytes) -> None:
        mode, body = (data[0] % 4, data[1:]) if data else (0, b"")
        headers = {"content-type": "application/json"}
        if mode in (0, 1):  # most inputs signed: only those reach the JSON checks and the enqueue
            headers["x-hub-signature-256"] = sign(body, SECRET)
        elif mode == 2:
            headers["x-hub-signature-256"] = "sha256=" + body[:64].hex()
        check_webhook_answer(*webhook_call(module, body, headers))

    return one


TARGETS = {"normalizer": normalizer_target, "webhook": webhook_target}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        raise SystemExit(f"usage: python -m tests.fuzz.atheris_targets {'|'.join(TARGETS)} [CORPUS] [flags]")
    target = argv[1]
    corpus = Path(argv[2]) if len(argv) > 2 and not argv[2].startswith("-") else None
    flags = [arg for arg in argv[2:] if arg.startswith("-")]
    bodies = seeds()
    work = Path(tempfile.mkdtemp(prefix=f"atheris-{target}-"))
    if corpus is None:
        corpus = work / "corpus"
    if corpus.is_file():  # a saved failing input: libFuzzer runs it once, so a crash can be replayed
        atheris.Setup([argv[0], *flags, str(corpus)], TARGETS[target]())
        atheris.Fuzz()
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for index, body in enumerate(bodies):
            # The webhook target reads a mode byte first: 0 signs the rest.
            (corpus / f"seed-{index}").write_bytes((b"\x00" if target == "webhook" else b"") + body)
    (work / "tokens.dict").write_text(dictionary(bodies))
    one = TARGETS[target]()
    atheris.Setup([argv[0], f"-dict={work / 'tokens.dict'}", *flags, str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
