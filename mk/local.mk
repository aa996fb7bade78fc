redrive: $(VENV_STAMP) ## move a queue's DLQ messages back: make redrive QUEUE=inbound|messages [STAGE=local]
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=inbound|messages [STAGE=local]"; exit 2; }
	$(PY) -m scripts.redrive $(QUEUE) $(if $(STAGE),--stage $(STAGE),)
