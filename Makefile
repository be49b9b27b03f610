# The two commands of the README, and the steps they are made of.
#   make run   - install what is missing, build, start Tether on a fresh demo database
#   make test  - formatting, lints, Rust tests and browser tests
# Tools are installed only when missing or at the wrong version (recipe in
# ENGINEERING.md: everything from crates.io, npm or Debian; no downloads
# from GitHub releases).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
BINARYEN_VERSION := 132
DEMO_ADDR ?= 127.0.0.1:3000
DEMO_DB := data/demo.db

# cargo-leptos builds with these; setting them for plain cargo too lets
# tests, lints and cargo-leptos share compiled dependencies instead of
# rebuilding everything in turn.
export LEPTOS_OUTPUT_NAME := tether
export RUSTFLAGS := --cfg erase_components
export PATH := $(HOME)/.cargo/bin:$(PATH)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test tools test-tools build lint rust-test e2e release bench

help:
	@echo "make run   - build and start Tether with a demo school at http://$(DEMO_ADDR)/"
	@echo "make test  - run every check and test"

run: tools build
	@mkdir -p data
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	./target/debug/tether serve --demo --insecure-cookies --addr $(DEMO_ADDR) --database-url sqlite://$(DEMO_DB)

test: tools test-tools lint rust-test build e2e

build:
	cargo leptos build

lint:
	cargo fmt --all --check
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings

rust-test:
	cargo test -p app --features ssr
	cargo test -p server

e2e:
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test

# Benchmarks on a release build, on loopback; each prints its figures and
# how to reproduce them.
bench: tools
	cargo bench -p server --bench marking
	cargo bench -p server --bench roster
	cargo bench -p server --bench coverage

# A release build (smaller, faster wasm; needs wasm-opt).
release: tools
	@command -v wasm-opt >/dev/null && wasm-opt --version | grep -q "version $(BINARYEN_VERSION)" \
	  || npm install -g binaryen@$(BINARYEN_VERSION)
	cargo leptos build --release

tools:
	@command -v cargo >/dev/null || { echo "Rust is needed: install it with rustup (https://rustup.rs)"; exit 1; }
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
	@cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $(CARGO_LEPTOS_VERSION)" \
	  || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

test-tools:
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@command -v chromium >/dev/null \
	  || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	@command -v npm >/dev/null \
	  || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; }
	@cd end2end && { cmp -s package-lock.json node_modules/.installed-lock \
	  || { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund && cp package-lock.json node_modules/.installed-lock; }; }
