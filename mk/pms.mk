# PMS (issue 4): pms_proxy tests, the breaker demo of the original system, the benchmark.
.PHONY: test-pms test-circuit-breakers bench-pms

test-pms: $(VENV_STAMP) ## pms_proxy unit and integration tests (real Redis, moto server, fake QloApps over HTTP)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/pms tests/unit/pms_proxy tests/integration/pms tests/integration/pms_proxy

test-circuit-breakers: $(VENV_STAMP) ## drive a PMS breaker closed -> open -> half-open -> closed against the fake, printing transitions
	$(PY) -m scripts.circuit_breaker_demo

bench-pms: $(VENV_STAMP) ## PMS latency: cached, uncached (fake +30 ms), breaker fail-fast, raw baseline -> reports/bench_pms.json
	$(PY) scripts/bench_pms.py

# `make bench` includes the PMS numbers (a prerequisite only: the root Makefile owns bench's recipe).
bench: bench-pms
