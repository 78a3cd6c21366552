# All set-up happens here: every target that needs Python creates or updates .venv
# from pyproject.toml + requirements/constraints.txt first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# separate venv for openeo-driver (end-to-end tests of publishing), pinned in requirements/driver-constraints.txt
DRIVER_VENV := .venv-driver
DRIVER_STAMP := $(DRIVER_VENV)/.installed
# separate venv with the back-end's own Sentinel-3 binning (openeo-geopyspark without its Spark
# stack) on the back-end's UDF runtime pins, pinned in requirements/backend-constraints.txt
BACKEND_VENV := .venv-backend
BACKEND_STAMP := $(BACKEND_VENV)/.installed
# separate venv for IOOS compliance-checker (CF-1.8 check of run's NetCDF), pinned in requirements/cf-constraints.txt
CF_VENV := .venv-cf
CF_STAMP := $(CF_VENV)/.installed

.PHONY: build-udp check-udp test validate lock clean demo bench site-figures

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
test: $(STAMP) $(DRIVER_STAMP) $(BACKEND_STAMP) $(CF_STAMP) browser validate
	$(BIN)/efast-udp check
	$(BIN)/python -m pytest -n auto

## Re-pin the main venv's dependency set (needs the registries)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet '.[test]'
	( echo '# Pinned versions of everything the main venv installs (make .venv). Regenerate with `make lock`.'; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^efast-udp' ) > requirements/constraints.txt
	rm -rf .venv-lock

## Synthetic scene with known truth -> released UDP run locally -> RMSE table, build/demo/metrics.json, quicklooks
demo: $(STAMP)
	$(BIN)/efast-udp demo --out build/demo

## Redraw the site's demo figure and APEx thumbnail (committed in generator/efast_udp/templates/site/)
## from a 300 px demo run; the PNGs carry no matplotlib version or date, so the same run gives the same bytes
SITE_FIGURES := generator/efast_udp/templates/site
site-figures: $(STAMP)
	$(BIN)/efast-udp demo --size 300 --quiet --out build/site-figures
	cp build/site-figures/site/efast-demo.png build/site-figures/site/thumbnail.png $(SITE_FIGURES)/

## Benchmark the released UDP (kernels, graph, build/validate, demo): table + build/bench.json
bench: $(STAMP)
	mkdir -p build
	$(BIN)/efast-udp bench --json build/bench.json

clean:
	rm -rf $(VENV) public build

# --- publishing (issue 4) ------------------------------------------------------------------
.PHONY: site serve browser driver-venv lock-driver backend-venv lock-backend

## Render the static site public/ from udp/ (refuses to rewrite a released version);
## SITE_ARGS adds options, e.g. SITE_ARGS="--previous-sums previous-SHA256SUMS"
SITE_ARGS ?=
site: $(STAMP)
	$(BIN)/efast-udp site $(SITE_ARGS)

## Serve public/ on http://127.0.0.1:8000/ (JSON as application/json, CORS allowed)
serve: site
	$(BIN)/efast-udp serve

## The separate openeo-driver venv for the end-to-end tests (older pystac/openeo pins)
driver-venv: $(DRIVER_STAMP)

$(DRIVER_STAMP): requirements/driver-constraints.txt
	test -x $(DRIVER_VENV)/bin/python || $(PYTHON) -m venv $(DRIVER_VENV)
	$(DRIVER_VENV)/bin/python -m pip install --quiet -c requirements/driver-constraints.txt openeo-driver
	touch $(DRIVER_STAMP)

## Debian chromium for the browser test (root + apt-get); without it that test is skipped (fails under CI=true)
browser:
	@if [ -x "$${EFAST_CHROMIUM:-/usr/bin/chromium}" ]; then echo "browser: $$("$${EFAST_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "browser: installing Debian chromium"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	  || echo "browser: installing chromium failed; the browser test will be skipped (it fails under CI=true)"; \
	else echo "browser: not root or no apt-get, chromium not installed; the browser test will be skipped (it fails under CI=true)"; fi

## The back-end's binning venv for tests/openeo_cdse_local/test_binning.py
backend-venv: $(BACKEND_STAMP)

$(BACKEND_STAMP): requirements/backend-constraints.txt
	test -x $(BACKEND_VENV)/bin/python || $(PYTHON) -m venv $(BACKEND_VENV)
	$(BACKEND_VENV)/bin/python -m pip install --quiet -c requirements/backend-constraints.txt numpy scipy xarray pandas
	$(BACKEND_VENV)/bin/python -m pip install --quiet --no-deps -c requirements/backend-constraints.txt openeo-geopyspark
	touch $(BACKEND_STAMP)

## Re-pin the back-end binning venv (needs the registries)
lock-backend:
	rm -rf .venv-backend-lock && $(PYTHON) -m venv .venv-backend-lock
	.venv-backend-lock/bin/pip install --quiet 'numpy>=2.3.3,<2.5' 'xarray~=2024.7.0' scipy pandas
	.venv-backend-lock/bin/pip install --quiet --no-deps --pre openeo-geopyspark
	( sed -n '1,5p' requirements/backend-constraints.txt; .venv-backend-lock/bin/pip freeze ) > requirements/backend-constraints.txt.new
	mv requirements/backend-constraints.txt.new requirements/backend-constraints.txt
	rm -rf .venv-backend-lock

## Re-pin the driver venv (needs the registries)
lock-driver:
	rm -rf .venv-driver-lock && $(PYTHON) -m venv .venv-driver-lock
	.venv-driver-lock/bin/pip install --quiet --pre 'openeo-driver==0.136.0a4'
	( echo '# Pinned versions of the separate openeo-driver venv (.venv-driver) used by the end-to-end tests:'; \
	  echo '# openeo-driver pins an older pystac and openeo client than the main venv. Regenerate with `make lock-driver`.'; \
	  .venv-driver-lock/bin/pip freeze ) > requirements/driver-constraints.txt
	rm -rf .venv-driver-lock

# --- output checks (issue 21) --------------------------------------------------------------
.PHONY: cf-venv lock-cf

## The separate compliance-checker venv of tests/openeo_cdse_local/test_netcdf_writer.py (its own numpy/netCDF4 pins)
cf-venv: $(CF_STAMP)

$(CF_STAMP): requirements/cf-constraints.txt
	test -x $(CF_VENV)/bin/python || $(PYTHON) -m venv $(CF_VENV)
	$(CF_VENV)/bin/python -m pip install --quiet -c requirements/cf-constraints.txt compliance-checker
	touch $(CF_STAMP)

## Re-pin the compliance-checker venv (needs the registries)
lock-cf:
	rm -rf .venv-cf-lock && $(PYTHON) -m venv .venv-cf-lock
	.venv-cf-lock/bin/pip install --quiet 'compliance-checker==6.1.0'
	( echo '# Pinned versions of the separate IOOS compliance-checker venv (.venv-cf) that tests/openeo_cdse_local/test_netcdf_writer.py runs on'; \
	  echo "# efast-udp run's NetCDF (CF-1.8). Regenerate with \`make lock-cf\`."; \
	  .venv-cf-lock/bin/pip freeze ) > requirements/cf-constraints.txt
	rm -rf .venv-cf-lock

# --- validation (issue 3) ------------------------------------------------------------------
.PHONY: js-validator
JS_DIR := tests/js
JS_STAMP := $(JS_DIR)/node_modules/.installed
UDP_FILES = udp/efast.json $(sort $(wildcard udp/releases/*/efast.json))

## Validate udp/efast.json and every udp/releases/*/efast.json: efast-udp validate (schemas,
## process specs, back-end profile, UDF lint), the official openEO JS validator with the
## back-end profile's extensions declared, and for the current render the openEO process
## linter's rules (summary, descriptions; markdownlint and spelling with tests/js/words.txt)
validate: $(STAMP) $(JS_STAMP)
	$(BIN)/efast-udp validate --catalogue $(UDP_FILES)
	$(BIN)/efast-udp validate --lint udp/efast.json
	node $(JS_DIR)/lint-docs.js $(JS_DIR)/words.txt udp/efast.json >/dev/null \
	  || { node $(JS_DIR)/lint-docs.js $(JS_DIR)/words.txt udp/efast.json; exit 1; }
	node $(JS_DIR)/validate.js schemas/openeo-processes --profile schemas/backend-profile.json $(UDP_FILES) >/dev/null \
	  || { node $(JS_DIR)/validate.js schemas/openeo-processes --profile schemas/backend-profile.json $(UDP_FILES); exit 1; }

## @openeo/js-processgraphs, markdownlint and markdown-spellcheck, pinned by tests/js/package-lock.json
js-validator: $(JS_STAMP)

$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)
