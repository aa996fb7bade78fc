# Fuzzing: hypothesis (tests/fuzz, a short budget in `make test`) and atheris' coverage-guided fuzzers
# (tests/fuzz/atheris_targets.py). `make fuzz` runs the long budgets; the atheris corpora are kept in
# .local/fuzz/<target> so each run starts where the last one stopped, and failing inputs land in
# .local/fuzz/crashes/ (replay one: .venv/bin/python -m tests.fuzz.atheris_targets <target> <file>).
ATHERIS_SECONDS ?= 120
FUZZ_DIR ?= .local/fuzz
.PHONY: fuzz fuzz-hypothesis fuzz-atheris

fuzz: fuzz-hypothesis fuzz-atheris ## long fuzzing budgets over the webhook handler and the normalizer (minutes)

fuzz-hypothesis: $(VENV_STAMP) ## hypothesis with the long profile (20,000 examples per test)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q -p no:cacheprovider tests/fuzz --ignore=tests/fuzz/test_atheris.py

fuzz-atheris: $(VENV_STAMP) ## atheris (libFuzzer) on the normalizer and the webhook, ATHERIS_SECONDS each
	@$(PY) -c 'import atheris' 2>/dev/null || { echo "atheris is not installed (x86_64 Linux wheels only)"; exit 0; }; \
	mkdir -p $(FUZZ_DIR)/crashes; \
	for target in normalizer webhook; do \
		$(PY) -m tests.fuzz.atheris_targets $$target $(FUZZ_DIR)/$$target -max_total_time=$(ATHERIS_SECONDS) \
			-max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/$$target- || exit 1; \
	done
