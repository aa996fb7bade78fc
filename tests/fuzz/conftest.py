"""Fuzz budgets: a short one in `make test`, a long one in `make fuzz` (HYPOTHESIS_PROFILE=long)."""

import os

from hypothesis import settings

# The fuzz tests drive real handlers, so they use the integration fixtures (moto server, Redis).
from tests.integration.conftest import aws_env, deployed, moto_endpoint, redis_db, redis_url  # noqa: F401

settings.register_profile("short", max_examples=120)
settings.register_profile("long", max_examples=20_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))
