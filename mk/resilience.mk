# Resilience (issue 9): fault tests on the local stack. The Redis outages run on a second stack with its own
# redis-server (tests/e2e/isolated_stack.py); the machine's Redis is never stopped.
.PHONY: test-resilience

test-resilience: $(VENV_STAMP) ## fault e2e: Meta re-delivery, PMS outage, Redis down/hung, poison record + redrive, tenancy isolation
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_resilience_e2e.py tests/e2e/test_faults_e2e.py
