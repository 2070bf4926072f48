.PHONY: help setup run test test-all lint demo benchmarks screenshots package

help:  ## list every target
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup:  ## create .venv and install alstudio (torch first)
	scripts/setup.sh

run:  ## open the app on the demo project
	scripts/run.sh

test:  ## lint, import layers, tests without `slow` (what CI runs)
	scripts/test.sh

test-all:  ## every test, the slow ones too
	scripts/test.sh -m ""

lint:  ## ruff and import-linter only
	scripts/setup.sh && .venv/bin/ruff check alstudio tests benchmarks packaging scripts && .venv/bin/lint-imports

demo:  ## build out/demo.alstudio
	scripts/setup.sh && .venv/bin/alstudio demo out/demo.alstudio

benchmarks:  ## run every benchmark and print its figures
	scripts/setup.sh && for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; .venv/bin/python $$b --quick; done

screenshots:  ## take the README screenshots under Xvfb
	scripts/setup.sh && scripts/screenshots.sh

package:  ## build the bundle and the Linux tarball (ALSTUDIO_VARIANT=cpu|cuda)
	ALSTUDIO_EXTRAS=dev,package scripts/setup.sh && scripts/package.sh && .venv/bin/python packaging/bundle_sizes.py dist/alstudio
