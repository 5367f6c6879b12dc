# llm-user-memory — build, install, test.
PREFIX ?= $(HOME)/.local
BINDIR = $(PREFIX)/bin
## The porcelain finds its command files and the wrapper at ../lib and ../share beside
## its bin/ (the same layout as the repository), so all three go under one PREFIX.
LIBDIR = $(PREFIX)/lib/llm-memory
SHAREDIR = $(PREFIX)/share/llm-memory
TOOLS = mem-extract mem-propose mem-merge mem-render mem-history mem-backfill
PYTHON ?= python3
STRIP ?= strip
PLUGIN = integrations/llm-user-memory-plugin
WHEEL_TREE = .build/wheel/tree
WHEEL_ENV = .build/wheel/env

.PHONY: build install uninstall wheel test test-env fixtures bench demo eval clean

## Release build: fully static executables (Swift stdlib, SQLite and libc linked in, no
## dynamic loader at start), so the tools start in ~2 ms and can be copied anywhere.
## (The link warns that glibc's user-database look-ups and dlopen need glibc's shared
## libraries at run time: the tools' runs make neither call, as strace shows.)
build:
	swift build -c release --static-swift-stdlib -Xswiftc -static-executable

## Put the tools and the porcelain on PATH (default ~/.local/bin), its command
## files in $(PREFIX)/lib/llm-memory and the wrapper in $(PREFIX)/share/llm-memory.
install: build
	mkdir -p "$(BINDIR)" "$(LIBDIR)" "$(SHAREDIR)"
	for t in $(TOOLS); do install -m 755 ".build/release/$$t" "$(BINDIR)/$$t"; done
	install -m 755 bin/llm-memory "$(BINDIR)/llm-memory"
	install -m 644 lib/llm-memory/*.sh "$(LIBDIR)/"
	install -m 644 share/llm-memory/* "$(SHAREDIR)/"

uninstall:
	for t in $(TOOLS) llm-memory; do rm -f "$(BINDIR)/$$t"; done
	rm -rf "$(LIBDIR)" "$(SHAREDIR)"

## One wheel in dist/ (llm install dist/*.whl): the llm plugin adapter, with the package
## holding bin/ (llm-memory beside the release tools, stripped: 17 instead of 29 MB
## each), lib/ and share/ as in this repository. Staged in $(WHEEL_TREE), packed by
## hatchling (integrations/llm-user-memory-plugin/hatch_build.py sets the platform tag)
## through pip from a build venv of its own.
wheel: build
	rm -rf "$(WHEEL_TREE)" dist/llm_user_memory_plugin-*.whl
	mkdir -p "$(WHEEL_TREE)"
	for d in bin lib share; do if [ -d "$$d" ]; then cp -R "$$d" "$(WHEEL_TREE)/"; fi; done
	for t in $(TOOLS); do $(STRIP) -o "$(WHEEL_TREE)/bin/$$t" ".build/release/$$t"; done
	[ -x "$(WHEEL_ENV)/bin/pip" ] || $(PYTHON) -m venv "$(WHEEL_ENV)"
	LLM_MEMORY_WHEEL_TREE="$(CURDIR)/$(WHEEL_TREE)" "$(WHEEL_ENV)/bin/pip" wheel --quiet \
	  --disable-pip-version-check --no-deps --wheel-dir dist "./$(PLUGIN)"
	@ls -l dist/llm_user_memory_plugin-*.whl

## The pinned llm venvs the tests use (project-local, never global).
test-env:
	sh scripts/setup-test-env.sh

## Every test: unit tests, fixture comparisons, end-to-end runs through the real llm, and
## the wheel installed into a fresh venv (WheelTests; the release build it needs is the
## one `make demo` and `make bench` use too); then the offline evaluation, so its harness
## cannot rot (it reports figures, never fails on them).
test: test-env wheel
	swift build --build-tests
	LLM_MEMORY_WHEEL="$$(ls dist/llm_user_memory_plugin-*.whl)" swift test
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
	rm -rf .build dist
