# wavecoder: `make run` codes the sample waves end to end and reports their trends; `make test`
# runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAVES ?= corpora/sector-survey-2013 corpora/sector-survey-2014 corpora/sector-survey-2015

# Nothing calls out: no telemetry, no model-hub look-ups; give Prefect's local API time to start.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test lint clean chromium bench

install: $(STAMP)

# The CPU build of torch goes in first, so sentence-transformers does not pull a CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# One Prefect flow run, code_project: each wave a code_wave subflow, in order, then the trend
# report across them and the last two waves compared (wavecoder report --waves / --compare).
run: install
	$(BIN)/wavecoder run-project $(WAVES)
	@echo "Outputs are in outputs/<wave>/ (coded_wide.xlsx, theme_summary.csv/.png, run.json ...)"
	@echo "and outputs/wavecoder.duckdb (view theme_trends: every wave's shares with intervals)."
	@echo "Trend report across the waves: outputs/trends/report.html (charts in outputs/trends/charts/);"
	@echo "the last wave compared with the one before: outputs/$(notdir $(lastword $(WAVES)))/report.html"
	@echo "To review the codes: $(BIN)/wavecoder export-qdpx (or export-review) outputs/<wave>,"
	@echo "then $(BIN)/wavecoder import-review <the returned .qdpx or .xlsx> (see README)."

# The report is tested as a person sees it, in headless Chromium (Debian's package).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install chromium
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check pipeline flows tests scripts

# Speed at scale (README): generated waves of SIZES answers (under /tmp/wavecoder-bench), each
# coded by `wavecoder run --no-topics` in a new process, beside a naive pandas-regex coder and
# bare spaCy tokenisation over the same answers; one table, and docs/bench-scale.csv/.png.
# A run over BENCH_MAX_SECONDS is stopped and recorded as such. e.g. make bench SIZES=1k,10k
# Then topics over 100,000 of the 100k wave's segments, wavecoder's beside BERTopic's defaults
# (docs/bench-topics.csv; the defaults take about 20 minutes: TOPIC_MODELS=ours keeps their
# saved row).
SIZES ?= 1k,10k,100k
BENCH_MAX_SECONDS ?= 900
TOPIC_MODELS ?= ours,defaults
bench: install
	$(BIN)/python benchmarks/bench_scale.py --sizes $(SIZES) --max-seconds $(BENCH_MAX_SECONDS) \
		--out docs
	PYTHONPATH=. $(BIN)/python benchmarks/bench_topics_scale.py --n 100000 \
		--models $(TOPIC_MODELS) --out docs/bench-topics.csv

clean:
	rm -rf outputs .pytest_cache
