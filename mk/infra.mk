# Infrastructure: the CDK app (infra/cdk/, built from infra/topology.py) per stage, through the CDK CLI
# pinned in package.json. `make synth` works offline once the CLI and the layer's wheels are cached.
STAGE ?= dev
CDK_OUT ?= cdk.out/$(STAGE)
# Extra CLI arguments, e.g. CDK_ARGS='-c grafana=true -c alarm_email=ops@example.com'.
CDK_ARGS ?=
# CANARY=1: the deploy only publishes new versions; every `live` alias stays on its current primary (read
# from Lambda first, refused while a canary is in flight) until `make canary-deploy` shifts and promotes.
CANARY ?=
CANARY_ON := $(filter 1 true yes,$(CANARY))
# Recursive (=) on purpose: `$$` must reach the recipe's shell, not be expanded here.
CANARY_PINS = $(if $(CANARY_ON),pins=$$($(PY) -m scripts.ops.canary pins --stage $(STAGE)) && echo "live aliases stay on $$pins" &&)
CANARY_CONTEXT = $(if $(CANARY_ON),-c "live_versions=$$pins")
CDK_CLI_STAMP := node_modules/.agente-hotel-cdk-cli
# No Node 20 banner, no network calls for version checks, notices or telemetry.
CDK_ENV := JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true
CDK_COMMON := -c stage=$(STAGE) --output $(CDK_OUT) --no-notices $(CDK_ARGS)
CDK := $(CDK_ENV) npx --no-install

.PHONY: cdk-cli synth deploy diff destroy localstack-deploy

$(CDK_CLI_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

cdk-cli: $(CDK_CLI_STAMP) ## install the pinned AWS CDK CLI (and cdklocal) from package-lock.json

synth: $(VENV_STAMP) $(CDK_CLI_STAMP) ## synthesize STAGE (dev|staging|prod) into cdk.out/STAGE, cdk-nag included
	$(CDK) cdk synth $(CDK_COMMON) -q
	@echo "synthesized $(CDK_OUT)/agente-hotel-$(STAGE).template.json"

diff: $(VENV_STAMP) $(CDK_CLI_STAMP) ## what `make deploy STAGE=… [CANARY=1]` would change in the account
	$(CANARY_PINS) $(CDK) cdk diff $(CDK_COMMON) $(CANARY_CONTEXT)

deploy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## deploy STAGE, print its outputs; CANARY=1 only publishes versions (then make canary-deploy)
	$(CANARY_PINS) $(CDK) cdk deploy $(CDK_COMMON) $(CANARY_CONTEXT) --require-approval broadening --outputs-file $(CDK_OUT)/outputs.json
	$(PY) -m infra.cdk.outputs $(CDK_OUT)/outputs.json

destroy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## delete STAGE's stack (prod keeps its data; asks before deleting)
	$(CDK) cdk destroy $(CDK_COMMON)

localstack-deploy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## deploy STAGE to a running LocalStack with cdklocal
	$(CDK) cdklocal bootstrap $(CDK_COMMON)
	$(CDK) cdklocal deploy $(CDK_COMMON) --require-approval never --outputs-file $(CDK_OUT)/outputs.json
	$(PY) -m infra.cdk.outputs $(CDK_OUT)/outputs.json
