# llm-user-memory — build, install, test.
PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
TOOLS = mem-extract mem-propose mem-merge mem-render mem-history

.PHONY: build install uninstall test test-env fixtures bench demo eval clean

## Release build: fully static executables (Swift stdlib, SQLite and libc linked in, no
## dynamic loader at start), so the tools start in ~2 ms and can be copied anywhere.
## (The link warns that glibc's user-database look-ups and dlopen need glibc's shared
## libraries at run time: the tools' runs make neither call, as strace shows.)
build:
	swift build -c release --static-swift-stdlib -Xswiftc -static-executable

## Put the tools and the porcelain on PATH (default ~/.local/bin).
install: build
	mkdir -p "$(BINDIR)"
	for t in $(TOOLS); do install -m 755 ".build/release/$$t" "$(BINDIR)/$$t"; done
	install -m 755 bin/llm-memory "$(BINDIR)/llm-memory"

uninstall:
	for t in $(TOOLS) llm-memory; do rm -f "$(BINDIR)/$$t"; done

## The pinned llm venvs the tests use (project-local, never global).
test-env:
	sh scripts/setup-test-env.sh

## Every test: unit tests, fixture comparisons, end-to-end runs through the real llm; then
## the offline evaluation, so its harness cannot rot (it reports figures, never fails on them).
test: test-env
	swift build --build-tests
	swift test
	"$${LLM_TEST_VENVS:-.venv-test}/llm-0.36/bin/python" -m unittest discover -s eval -p 'test_*.py'
	$(MAKE) --no-print-directory eval EVAL_MODEL=local EVAL_ARGS=

## The quality evaluation (eval/README.md): each scenario's sessions logged through the real
## llm, `llm-memory update` after each, figures per scenario and a summary line with recall.
## EVAL_MODEL=<llm model id> proposes with that model (its key set with `llm keys set`);
## the default, local, is the built-in offline extractor. EVAL_ARGS: more options (-v, --json).
EVAL_MODEL ?= local
EVAL_ARGS ?=
eval: test-env
	swift build
	"$${LLM_TEST_VENVS:-.venv-test}/llm-0.36/bin/python" eval/run.py --model "$(EVAL_MODEL)" \
	  --tools "$$(swift build --show-bin-path)" $(EVAL_ARGS)

## Regenerate the fixture log databases with the real llm 0.31.1 and 0.36.
fixtures: test-env
	sh Tests/Fixtures/make-fixtures.sh

## The main job on a fresh machine, offline: prompts through the real llm, an update, the profile.
demo: test-env build
	bash scripts/demo.sh

bench: test-env build
	bash scripts/bench.sh

clean:
	rm -rf .build
