# The two commands a new user needs: `make run` and `make test`. Both set up first.
SHELL := /bin/bash
PY ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= small
export SALESOPS_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup run test test-postgres test-redis lint format bench browser fonts clean messages

setup: $(VENV)/.synced fonts

$(UV):
	@echo "uv not found: installing it with pip into .tools/"
	$(PY) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PY)
	@touch $@

# Debian's chromium for the browser tests (Playwright drives it; its own download does not work
# everywhere). Installed with apt-get when we are root or have sudo; otherwise the tests say so.
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then true; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is not installed: browser tests will be skipped"; fi

# The TrueType font with Chinese glyphs that the PDF documents embed (ReportLab embeds glyf
# TrueType, .ttf or .ttc, not the CFF-based Noto CJK .otf/.ttc): Debian's fonts-wqy-microhei.
# Installed with apt-get when we are root or have sudo; otherwise say what to install.
# SALESOPS_PDF_FONT points elsewhere.
PDF_FONT ?= $(or $(SALESOPS_PDF_FONT),/usr/share/fonts/truetype/wqy/wqy-microhei.ttc)
fonts:
	@if [ -f "$(PDF_FONT)" ]; then true; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's fonts-wqy-microhei for the PDF documents"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null); \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	else echo "PDF font $(PDF_FONT) is missing: install fonts-wqy-microhei (or set SALESOPS_PDF_FONT to a TrueType font with Chinese glyphs); PDF documents will fail until then"; fi

run: setup
	$(BIN)/salesops migrate --noinput -v 0
	$(BIN)/salesops demo --if-empty --size $(DEMO_SIZE) --seed 1
	$(BIN)/salesops run --host $(HOST) --port $(PORT)

test: setup browser
	$(BIN)/pytest -n 2 --dist loadfile

test-postgres: setup
	$(BIN)/pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: setup
	cd src/salesops && $(BIN)/salesops makemessages -l zh_Hans --ignore=migrations -v 0 \
		&& $(BIN)/salesops compilemessages -v 0

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .tools var .pytest_cache
