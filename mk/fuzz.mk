fuzz: $(VENV_STAMP) ## long fuzzing budget over the webhook handler and the normalizer (minutes)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q -p no:cacheprovider tests/fuzz
