# Orchestrator (issue 5): the concierge dialog, its adapters and its end-to-end paths.
.PHONY: test-orchestrator e2e-concierge

test-orchestrator: $(VENV_STAMP) ## orchestrator unit + integration tests (fakes, moto, Redis, SMTP sink)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/orchestrator tests/integration/orchestrator tests/integration/backbone/test_consumers.py

e2e-concierge: $(VENV_STAMP) ## concierge e2e on the local stack: booking and cancel, check-in time, duplicates, PMS down, handoff
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_concierge_e2e.py
