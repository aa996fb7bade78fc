# Tenants: backups, restore, demo seed, tests. TENANTS_STAGE (not STAGE, whose default is the CDK's "dev")
# picks the table agente-hotel-<stage>-tenants; the default, local, talks to the local stack's emulator.
# In AWS: TENANTS_STAGE=prod make backup, with credentials and region from the environment.
.PHONY: backup restore tenants-seed test-tenancy

TENANTS_STAGE ?= local
ifeq ($(TENANTS_STAGE),local)
TENANCY_ENV := AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL-http://127.0.0.1:4566} \
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-local} \
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}
endif

backup: $(VENV_STAMP) ## write every tenant and identifier to backups/tenants-<stage>-<time>.json
	$(TENANCY_ENV) STAGE=$(TENANTS_STAGE) $(PY) -m scripts.tenants.backup --dir backups

restore: $(VENV_STAMP) ## load a tenants backup idempotently: make restore FILE=backups/….json
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/tenants-….json"; exit 2; }
	$(TENANCY_ENV) STAGE=$(TENANTS_STAGE) $(PY) -m scripts.tenants.restore "$(FILE)" --create-table

tenants-seed: $(VENV_STAMP) ## seed the demo hotels (hotel-sol, harbor-view) into the running local stack
	$(TENANCY_ENV) STAGE=$(TENANTS_STAGE) $(PY) -m scripts.tenants.seed

test-tenancy: $(VENV_STAMP) ## tenancy unit and integration tests (real Redis, moto server, Chromium)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/tenancy tests/integration/tenancy
