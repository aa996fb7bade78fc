# Metrics pipeline: Redis-aggregated metrics -> exporter (remote write) -> Prometheus; health routes.
LOCAL_API_URL ?= http://127.0.0.1:3000
LOCAL_INVOKE_URL ?= http://127.0.0.1:3001

.PHONY: metrics-test metrics-e2e metrics metrics-export health-ready metrics-bench

metrics-test: $(VENV_STAMP) ## exporter/health unit tests and the pipeline into a real Prometheus (installs it if missing)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/observability_pipeline tests/integration/observability_pipeline \
		tests/integration/backbone/test_metrics_flush.py

metrics-e2e: $(VENV_STAMP) ## whole stack: traffic, export, every dashboard panel query returns data
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_observability_e2e.py

metrics: ## GET /metrics of the running local stack (Prometheus text format)
	curl -sf $(LOCAL_API_URL)/metrics

metrics-export: ## push the aggregated metrics now (invokes the exporter of the running local stack)
	curl -sf -X POST -d '{}' $(LOCAL_INVOKE_URL)/2015-03-31/functions/metrics_exporter/invocations; echo

health-ready: ## GET /health/ready of the running local stack (dependency states)
	curl -s $(LOCAL_API_URL)/health/ready; echo

metrics-bench: $(VENV_STAMP) ## encode+push time for N series against PROMETHEUS_URL (make local running)
	$(PY) -m tests.integration.observability_pipeline.bench --url $(PROMETHEUS_URL)
