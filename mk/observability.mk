# Observability: Prometheus rules, Alertmanager, Grafana dashboards (scripts/observability).
PROMETHEUS_URL ?= http://127.0.0.1:9090
ALERTMANAGER_URL ?= http://127.0.0.1:9093
OBSERVABILITY_DIR ?= .local/observability
export PROMETHEUS_URL OBSERVABILITY_DIR

.PHONY: observability-tools observability-render prometheus-rules-status alertmanager-config \
	alerts-enable-test alerts-disable-test alertmanager-alerts test-alert-429 dashboards dashboards-check

observability-tools: $(VENV_STAMP) ## install prometheus, promtool, alertmanager, amtool (Debian) when missing
	$(PY) -m scripts.observability.tools

observability-render: $(VENV_STAMP) ## render prometheus.yml, rules and alertmanager config into OBSERVABILITY_DIR
	$(PY) -m scripts.observability.render --out $(OBSERVABILITY_DIR)

prometheus-rules-status: $(VENV_STAMP) ## rule groups loaded by the Prometheus at PROMETHEUS_URL
	$(PY) -m scripts.observability.ops rules-status

alertmanager-config: $(VENV_STAMP) observability-tools ## render the alertmanager config from env and check it with amtool
	$(PY) -m scripts.observability.render --out $(OBSERVABILITY_DIR) >/dev/null
	cat $(OBSERVABILITY_DIR)/alertmanager.yml
	amtool check-config $(OBSERVABILITY_DIR)/alertmanager.yml

alerts-enable-test: $(VENV_STAMP) ## turn the synthetic AlwaysFiring alert on and reload Prometheus
	$(PY) -m scripts.observability.ops test-alert on

alerts-disable-test: $(VENV_STAMP) ## turn the synthetic AlwaysFiring alert off and reload Prometheus
	$(PY) -m scripts.observability.ops test-alert off

alertmanager-alerts: observability-tools ## alerts active in the Alertmanager at ALERTMANAGER_URL
	amtool alert query --alertmanager.url=$(ALERTMANAGER_URL)

test-alert-429: $(VENV_STAMP) ## signed webhook burst above the rate limit so HighWebhook429Rate fires
	$(PY) -m scripts.observability.ops burst-429

dashboards: $(VENV_STAMP) ## regenerate observability/grafana/dashboards/*.json
	$(PY) -m scripts.observability.dashboards

dashboards-check: $(VENV_STAMP) ## fail when the committed dashboards differ from the generator
	$(PY) -m scripts.observability.dashboards --check
