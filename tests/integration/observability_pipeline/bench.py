"""Encode + push time of the exporter for N series against a running Prometheus (figures, not a test).

python -m tests.integration.observability_pipeline.bench [--url http://127.0.0.1:9090] [--series 100 1000 5000]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from functions.metrics_exporter.remote_write import RemoteWriteSender, TimeSeries, compress, encode_write_request


def series(count: int, run: str, ts_ms: int) -> list[TimeSeries]:
    return [
        TimeSeries(
            {
                "__name__": "bench_requests_total",
                "job": "bench",
                "stage": run,
                "endpoint": f"/e{i % 50}",
                "method": "POST",
                "status_code": str(200 + i // 50),
            },
            [(0.0, ts_ms - 1), (float(i), ts_ms)],
        )
        for i in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:9090")
    parser.add_argument("--series", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sender = RemoteWriteSender(f"{args.url}/api/v1/write", max_attempts=1)
    print(f"{'series':>7} {'samples':>8} {'raw KiB':>8} {'snappy KiB':>10} {'encode ms':>10} {'push ms':>8}")
    for count in args.series:
        encodes, pushes = [], []
        raw = packed = b""
        for _ in range(args.repeat):
            run = "bench-" + uuid.uuid4().hex[:8]
            batch = series(count, run, time.time_ns() // 1_000_000)
            started = time.perf_counter()
            raw = encode_write_request(batch)
            packed = compress(raw)
            encoded = time.perf_counter()
            result = sender.send(packed)
            pushed = time.perf_counter()
            if not result.ok:
                raise SystemExit(f"push failed: {result}")
            encodes.append((encoded - started) * 1000)
            pushes.append((pushed - encoded) * 1000)
        print(
            f"{count:>7} {2 * count:>8} {len(raw) / 1024:>8.1f} {len(packed) / 1024:>10.1f} "
            f"{statistics.median(encodes):>10.2f} {statistics.median(pushes):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
