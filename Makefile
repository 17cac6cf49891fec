# The two commands (see README.md). Both set up what they need on a fresh machine.
.PHONY: run test lint venv

venv:
	@bash scripts/bootstrap.sh

run: venv
	.venv/bin/hoso dev

test: venv
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q
