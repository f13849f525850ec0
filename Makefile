# One entry point for people and CI. Every target creates .venv if it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test bench bench-staffing bench-forecast bench-roster bench-callcenter bench-random lint clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

C := $(OUT)/center
## demo: set up and run the weekly plan on the bundled center, then measure it, writing into ./out
demo: $(STAMP)
	$(BIN)/wfm init $(C) --force
	$(BIN)/wfm plan -c $(C)/center.toml --history $(C)/history.csv --agents $(C)/agents.csv \
	  --leave $(C)/leave.csv --out $(OUT)
	$(BIN)/wfm logs --roster $(OUT)/roster.csv --out $(OUT)/logs
	$(BIN)/wfm adherence -c $(C)/center.toml --roster $(OUT)/roster.csv --states $(OUT)/logs/states.csv \
	  --leave $(OUT)/logs/leave.csv --agents $(C)/agents.csv --out $(OUT)/adherence
	$(BIN)/wfm kpi -c $(C)/center.toml --forecast $(OUT)/forecast.csv --actuals $(C)/actuals.csv \
	  --requirements $(OUT)/requirements.csv --roster $(OUT)/roster.csv \
	  --sessions $(OUT)/logs/sessions.csv --messages $(OUT)/logs/messages.csv --out $(OUT)/kpi

## test: set up and run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: bench-staffing bench-forecast bench-roster bench-callcenter bench-random

bench-staffing: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.staffing

bench-forecast: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.forecast

bench-roster: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.curtois

bench-callcenter: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.callcenter

## bench-random: 50 random valid centers at the default time limit of wfm schedule
bench-random: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.random_centers

clean:
	rm -rf $(VENV) $(OUT)
