# Infrastructure: the CDK app (infra/cdk/, built from infra/topology.py) per stage, through the CDK CLI
# pinned in package.json. `make synth` works offline once the CLI and the layer's wheels are cached.
STAGE ?= dev
CDK_OUT ?= cdk.out/$(STAGE)
# Extra CLI arguments, e.g. CDK_ARGS='-c grafana=true -c alarm_email=ops@example.com'.
CDK_ARGS ?=
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

diff: $(VENV_STAMP) $(CDK_CLI_STAMP) ## what `make deploy STAGE=…` would change in the account
	$(CDK) cdk diff $(CDK_COMMON)

deploy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## deploy STAGE to the account of the current AWS credentials, print its outputs
	$(CDK) cdk deploy $(CDK_COMMON) --require-approval broadening --outputs-file $(CDK_OUT)/outputs.json
	$(PY) -m infra.cdk.outputs $(CDK_OUT)/outputs.json

destroy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## delete STAGE's stack (prod keeps its data; asks before deleting)
	$(CDK) cdk destroy $(CDK_COMMON)

localstack-deploy: $(VENV_STAMP) $(CDK_CLI_STAMP) ## deploy STAGE to a running LocalStack with cdklocal
	$(CDK) cdklocal bootstrap $(CDK_COMMON)
	$(CDK) cdklocal deploy $(CDK_COMMON) --require-approval never --outputs-file $(CDK_OUT)/outputs.json
	$(PY) -m infra.cdk.outputs $(CDK_OUT)/outputs.json
