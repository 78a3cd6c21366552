# All set-up happens here: every target that needs Python creates or updates .venv
# from pyproject.toml + requirements/constraints.txt first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build-udp check-udp test validate lock clean

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $(STAMP)

## Render the UDP into udp/ (udp/efast.json + udp/releases/<version>/efast.json)
build-udp: $(STAMP)
	$(BIN)/efast-udp build

## Fail when udp/ differs from a fresh render or a released file changed
check-udp: $(STAMP)
	$(BIN)/efast-udp check

## The whole test suite
test: $(STAMP)
	$(BIN)/efast-udp check
	$(BIN)/python -m pytest

## Re-pin the main venv's dependency set (needs the registries)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet '.[test]'
	( echo '# Pinned versions of everything the main venv installs (make .venv). Regenerate with `make lock`.'; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^efast-udp' ) > requirements/constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) public build
