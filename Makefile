# carehook: the two commands a newcomer needs are `make run` and `make test`; both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help bootstrap pkg worker www test run bench size fuzz deny soak lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## install the toolchain, tools and npm dev dependencies (idempotent)
	@scripts/bootstrap

pkg: bootstrap ## build the npm package (pkg/dist): cargo → wasm-bindgen → wasm-opt
	@scripts/build-pkg

worker: bootstrap ## build the Cloudflare Worker (build/) with worker-build
	@scripts/build-worker

www: bootstrap ## build the inspector (www/; the npm package first)
	@scripts/build-www

test: bootstrap ## every test suite: fmt, clippy (host, wasm32), Rust, npm package, Worker, browser
	@scripts/test

run: bootstrap ## the local gateway (wrangler dev), a demo origin and the inspector, on 127.0.0.1
	@scripts/run

bench: bootstrap pkg ## benchmarks against the peers → bench/results/latest.json, BENCHMARKS.md
	@scripts/bench

size: pkg ## the .wasm size, raw and gzip
	@scripts/size

fuzz: bootstrap ## run every fuzz target (FUZZ_SECONDS each, default 60)
	@scripts/fuzz

deny: ## dependency licenses, bans and sources (cargo-deny; `scripts/deny advisories` where GitHub is reachable)
	@scripts/deny

soak: bootstrap ## 10,000 signed webhooks through the Worker with a failing origin
	@scripts/soak

lint: ## fmt and clippy only
	@scripts/test fmt clippy clippy-wasm clippy-worker

clean: ## remove build outputs (not the tool cache)
	rm -rf target build pkg/dist www/pkg .wrangler
