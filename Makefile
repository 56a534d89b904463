# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_AS_OF ?= 2020-11-24
# `make demo EDITION=2021`: the same sample data under another edition of the form (default: the configured one)
EDITION ?=

.PHONY: install demo test clean-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Runs the main job on the sample data: copies examples/inbox/ into inbox/ (never overwriting a
# file already there) and processes it as of the seed's filing date.
demo: $(STAMP)
	mkdir -p inbox outbox state
	cp -Rpn examples/inbox/. inbox/
	$(BIN)/sureform run --as-of $(DEMO_AS_OF) --settle 0 $(if $(strip $(EDITION)),--edition $(strip $(EDITION)))
	@echo
	@echo "输出在 outbox/：进度.html（报送进度，用浏览器打开）、汇总.xlsx、备案表.docx、改革情况公开.docx，有错误、问题或提示的文件的标注在 outbox/反馈/<单位>/"

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean-demo:
	rm -rf state outbox/*.xlsx outbox/*.docx outbox/进度.html outbox/反馈 outbox/退回 outbox/历史
