# NLU (issue 5): accuracy per intent on the tuning and held-out corpora, and speed.
.PHONY: bench-nlu

bench-nlu: $(VENV_STAMP) ## NLU accuracy per intent (tuning and held-out) and throughput -> reports/bench_nlu.json
	$(PY) scripts/bench_nlu.py

# `make bench` includes the NLU numbers (a prerequisite only: the root Makefile owns bench's recipe).
bench: bench-nlu
