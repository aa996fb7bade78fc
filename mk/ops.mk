# Operator gates and scripts (scripts/ops, scripts/*.sh): the original system's targets for the serverless
# system, against the local stack by default or a deployed stage (STAGE=…, HEALTH_CHECK_URL=…, PERF_TARGET=…).
.PHONY: preflight canary-diff canary-deploy canary-rollback synthetic-health-check health validate-guardrails \
	perf-smoke eval-smoke security-fast security-scan status-summary session-start docker-up docker-down \
	test-ops test-report

READINESS_SCORE ?=
MVP_SCORE ?=
SECURITY_GATE ?=
CHANGE_COMPLEXITY ?=
export READINESS_SCORE MVP_SCORE SECURITY_GATE CHANGE_COMPLEXITY
HEALTH_CHECK_URL ?= http://127.0.0.1:3000
PERF_RPS ?= 45
PERF_DURATION ?= 60
PERF_TARGET ?=
# mk/infra.mk defaults STAGE to dev for cdk; the ops targets default to the local stack unless STAGE is given.
OPS_STAGE := $(if $(filter command line environment environment override,$(origin STAGE)),$(STAGE),local)

preflight: $(VENV_STAMP) ## GO/GO_WITH_CONDITIONS/NO_GO: make preflight READINESS_SCORE=7.5 MVP_SCORE=7.0 SECURITY_GATE=PASS CHANGE_COMPLEXITY=medium
	$(PY) -m scripts.ops.preflight

canary-diff: $(VENV_STAMP) ## baseline vs canary p95/error rate in Prometheus -> .playbook/canary_diff_report.json
	bash scripts/canary-deploy.sh --diff-only $(OPS_STAGE)

canary-deploy: $(VENV_STAMP) ## after make deploy CANARY=1: shift the aliases, observe, diff, promote or roll back: make canary-deploy STAGE=dev VERSION=latest
	@test "$(OPS_STAGE)" != local -a -n "$(VERSION)" || { echo "usage: make canary-deploy STAGE=dev VERSION=<n|latest>"; exit 2; }
	bash scripts/canary-deploy.sh $(OPS_STAGE) $(VERSION)

canary-rollback: $(VENV_STAMP) ## every function of STAGE back to its `live` alias's primary version
	@test "$(OPS_STAGE)" != local || { echo "usage: make canary-rollback STAGE=dev"; exit 2; }
	bash scripts/canary-deploy.sh --rollback $(OPS_STAGE)

synthetic-health-check: $(VENV_STAMP) ## /health/live,/ready,/metrics at HEALTH_CHECK_URL with retries and Slack alert (SLACK_WEBHOOK)
	HEALTH_CHECK_URL=$(HEALTH_CHECK_URL) bash scripts/synthetic-health-check.sh

health: $(VENV_STAMP) ## health of the local stack (or HEALTH_CHECK_URL=https://<stage api>) without alerting
	HEALTH_CHECK_URL=$(HEALTH_CHECK_URL) bash scripts/synthetic-health-check.sh --no-alert

validate-guardrails: $(VENV_STAMP) ## check scripts/guardrails.conf against the policy bounds
	$(PY) -m scripts.ops.guardrails validate

# Against the local stack unless PERF_TARGET is set; starts it (and stops it afterwards) when it is not running.
perf-smoke: $(VENV_STAMP) ## constant-rate signed webhooks (PERF_RPS=45, PERF_DURATION=60) -> reports/performance/smoke-summary.json
	@started=0; \
	if [ -z "$(PERF_TARGET)" ] && ! $(PY) -m scripts.ops.stackctl running; then $(PY) -m scripts.ops.stackctl up || exit 1; started=1; fi; \
	$(PY) -m scripts.ops.perf_smoke run --rps $(PERF_RPS) --duration $(PERF_DURATION) $(if $(PERF_TARGET),--url $(PERF_TARGET)); rc=$$?; \
	if [ $$started = 1 ]; then $(PY) -m scripts.ops.stackctl down; fi; \
	[ $$rc = 0 ] && bash scripts/eval-smoke.sh

eval-smoke: $(VENV_STAMP) ## the smoke gate on the last summary: p95 <= P95_LIMIT_MS (450), errors <= 1%
	bash scripts/eval-smoke.sh

security-fast: $(VENV_STAMP) ## bandit, secret scan, cdk-nag (dev), pip-audit when it can audit -> .playbook/security_report.json
	$(PY) -m scripts.ops.security fast

security-scan: $(VENV_STAMP) ## the full security report (all findings, every stage) -> reports/security/
	$(PY) -m scripts.ops.security scan

status-summary: $(VENV_STAMP) ## write docs/STATUS_SNAPSHOT.md
	bash scripts/generate-status-summary.sh

session-start: $(VENV_STAMP) ## refresh and print the status snapshot
	bash scripts/session-start.sh

docker-up: $(VENV_STAMP) ## start the local stack in the background (log .local/stack.log) and wait until READY
	$(PY) -m scripts.ops.stackctl up

docker-down: $(VENV_STAMP) ## stop the background local stack
	$(PY) -m scripts.ops.stackctl down

test-ops: $(VENV_STAMP) ## the ops tests (preflight, guardrails, canary with a real Prometheus, synthetic, perf, security)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/ops tests/integration/ops

test-report: $(VENV_STAMP) ## the whole suite with a JUnit report (reports/tests/junit.xml) for the status snapshot
	mkdir -p reports/tests
	$(PY) -m pytest -q -p no:cacheprovider --junitxml=reports/tests/junit.xml
