# Suanli — the two commands: `make run` and `make test` (see README.md).
# Both install missing Debian packages first, then build in release mode for this host's CPU.

SHELL := /bin/bash
SWIFT ?= swift
# Kernels are compiled for the CPU that runs them (see Package.swift); override to cross-build.
TARGET_CPU ?= native
export SUANLI_TARGET_CPU := $(TARGET_CPU)
SUITE ?= suites/quick.yaml
RUN_ARGS ?=
BIN := .build/release/suanli

# Build and run: hwloc, OpenBLAS, LAPACKE. Tests: Debian's jsonschema validates reports; pip
# fetches two small fixtures from PyPI (the CUDA 12 and 13 runtimes,
# scripts/fetch-cuda-runtime.sh); a C compiler builds the tests' fake CUDA libraries.
PACKAGES := pkg-config libhwloc-dev hwloc libopenblas-dev liblapacke-dev libopenmpi-dev openmpi-bin
TEST_PACKAGES := python3-jsonschema python3-pip gcc
# The anchors `make bench` compares against.
BENCH_PACKAGES := likwid hpcc fio
# The MPI benchmarks are built when Open MPI's development files are there (after `deps`:
# a recursive variable, expanded when the recipe runs).
TRAITS = $(shell pkg-config --exists ompi-c 2>/dev/null && echo --traits MPI)

GENERATED := Sources/CSuanli/suanli_generated.h

.PHONY: all deps build run test test-html test-slurm test-cublas bench clean FORCE

all: build

deps:
	@scripts/ensure-packages.sh $(PACKAGES)

# The git commit goes into every report; rewrite the header only when it changes.
$(GENERATED): FORCE
	@commit=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$$commit-dirty"; fi; \
	line="#define SUANLI_GIT_COMMIT \"$$commit\""; \
	if [ ! -f $@ ] || [ "$$(cat $@)" != "$$line" ]; then echo "$$line" > $@; fi

build: deps $(GENERATED)
	$(SWIFT) build -c release $(TRAITS)
	@$(BIN) topo --json | scripts/check-build-isa.sh

# Reports are signed: the first `make run` on a machine creates its key pair (never replaces one).
run: build
	@$(BIN) keygen --name "$$(hostname)" 2>/dev/null || true
	$(BIN) run $(SUITE) $(RUN_ARGS)

test: build
	@scripts/ensure-packages.sh $(TEST_PACKAGES)
	@scripts/fetch-cuda-runtime.sh
	SUANLI_BIN=$(CURDIR)/$(BIN) SUANLI_PYTHON=/usr/bin/python3 SUANLI_REQUIRE_SCHEMA_CHECK=1 \
	  SUANLI_TEST_CUDART_DIR=$(CURDIR)/.cache/cuda-runtime \
	  SUANLI_TEST_CUDART13_DIR=$(CURDIR)/.cache/cuda-runtime-13 \
	  $(SWIFT) test --disable-swift-testing $(TRAITS)

# Suanli under Slurm's srun: a two-node Slurm cluster on this machine (root; installs slurm-wlm
# and munge, starts and stops the daemons itself), so not part of `make test`.
SLURM_PACKAGES := slurm-wlm munge
test-slurm: build
	@scripts/ensure-packages.sh $(SLURM_PACKAGES)
	SUANLI_BIN=$(CURDIR)/$(BIN) scripts/check-slurm.sh

# Suanli's CUDA declarations against NVIDIA's headers and the real cuBLAS 13 (no GPU needed):
# a 420 MB download from PyPI, so not part of `make test`.
test-cublas: build
	@scripts/ensure-packages.sh $(TEST_PACKAGES)
	TRAITS="$(TRAITS)" scripts/check-cublas.sh

# The HTML pages in a real browser (headless Chromium, light and dark, CJK fonts): heavy (~500 MB
# of packages), so not part of `make test`.
HTML_PACKAGES := chromium fonts-noto-cjk
test-html: build
	@scripts/ensure-packages.sh $(HTML_PACKAGES)
	SUANLI_BIN=$(CURDIR)/$(BIN) scripts/check-html.sh

bench: build
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)
	@for script in bench/*-vs-*; do echo "== $$script"; SUANLI_BIN=$(CURDIR)/$(BIN) $$script || exit 1; done

clean:
	rm -rf .build $(GENERATED)
