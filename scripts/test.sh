#!/usr/bin/env bash
# scripts/test.sh — the single test command (see README):
#
#   scripts/test.sh [extra args for the test runner]
#
# 1/9 ensures the real backends (Redis, RabbitMQ, SecantusDB) are installed and
#     running, and exports MONGODB_URI / REDIS_URL / AMQP_URL /
#     EVENTFLOW_REAL_BACKENDS (scripts/backends.sh; Debian or Ubuntu, root or sudo);
# 2/9 cargo fmt --check, 3/9 cargo clippy -D warnings;
# 4/9 the workspace tests (cargo nextest if installed, else cargo test),
#     with "$@" passed through to the runner, e.g.
#       scripts/test.sh -p eventos-service
#       scripts/test.sh -- --nocapture           (cargo test)
#     then, alone, the RabbitMQ outage test (it stops the shared broker);
# 5/9 the benchmark smoke, correctness only (scripts/bench-smoke.sh);
# 6/9 the SAGA curl scenarios (scripts/saga): 01–07, 09, 10 against a launcher
#     on embedded backends, then 08 (Redis down) against real backends with a
#     private Redis;
# 7/9 API fuzzing with schemathesis (scripts/fuzz.sh);
# 8/9 a 60-second soak (scripts/soak.sh);
# 9/9 the frontend: npm ci, npm test, then npm run e2e (Debian's chromium,
#     installed when missing), when frontend/package.json exists.
#
# Stops at the first failing stage and exits non-zero.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/common.sh
source scripts/common.sh

stage() {
    printf '\n==== %s ====\n' "$*"
}

stage "1/9 backends (Redis, RabbitMQ, SecantusDB)"
# Sourced so that the exported URLs reach cargo below. backends.sh runs its
# real work in a child shell, so sourcing cannot alter our shell options.
# shellcheck source=scripts/backends.sh
source scripts/backends.sh
echo "MONGODB_URI=$MONGODB_URI REDIS_URL=$REDIS_URL AMQP_URL=$AMQP_URL EVENTFLOW_REAL_BACKENDS=$EVENTFLOW_REAL_BACKENDS"

stage "2/9 cargo fmt --all -- --check"
cargo fmt --all -- --check

stage "3/9 cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# Databases earlier runs' tests left in SecantusDB (t_*, over an hour old): thousands of
# them make every operation of the server slower (BENCHMARKS.md, round 3).
cargo run -q -p eventflow-testkit --bin limpiar-bases

if cargo nextest --version >/dev/null 2>&1; then
    stage "4/9 cargo nextest run --workspace --no-fail-fast${*:+ $*}"
    cargo nextest run --workspace --no-fail-fast "$@"
else
    stage "4/9 cargo test --workspace --no-fail-fast${*:+ $*} (cargo-nextest not installed)"
    cargo test --workspace --no-fail-fast "$@"
fi

stage "4b/9 RabbitMQ outage test (stops the shared broker, so it runs alone)"
# #[ignore]d in the main run so it cannot disturb other tests; it restarts the broker
# itself, even when it fails.
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --run-ignored ignored-only -E 'test(/^notificaciones::corte_broker::/)'
else
    cargo test -p eventflow --test plataforma notificaciones::corte_broker -- --ignored
fi

stage "5/9 benchmark smoke: correctness only (scripts/bench-smoke.sh)"
# 200 and 300 buyers on the debug launcher: fails on any oversell, or on a buyer turned
# away while tickets remained; then a small sale on real backends whose report must carry
# MongoDB's opcounters and the event document's size (--mongo-uri). Speed is measured in
# BENCHMARKS.md, never here.
bash scripts/bench-smoke.sh

stage "6/9 SAGA curl scenarios (scripts/saga)"
# Build the launcher every time: run-all.sh only builds it when it is missing, and a
# stale binary would test old code. A no-op when it is up to date.
cargo build --bin eventflow
# 01–07, 09, 10 on a launcher of its own: embedded backends, free ports, always stopped.
bash scripts/saga/run-all.sh --start
# 08 on real backends (MONGODB_URI and AMQP_URL exported above), with a private
# redis-server that it kills and restarts: the shared Redis is never touched.
bash scripts/saga/08-redis-caido.sh

stage "7/9 API fuzzing (schemathesis)"
# schemathesis (pinned, in a venv under ~/.cache/eventflow) against every service's
# OpenAPI document, on a launcher of its own (embedded backends, free ports).
bash scripts/fuzz.sh

stage "8/9 soak: mixed traffic for 60 s (scripts/soak.sh)"
# Browse, book and cancel on a launcher of its own (embedded backends, free ports); then
# checks inventory, terminal states, one notification per confirmation and memory.
bash scripts/soak.sh --duration 60

# ---------------------------------------------------------------------------
# Optional: frontend tests. Only when the repo has a frontend/ with a
# package.json; the Rust workspace must pass on its own without Node.
# ---------------------------------------------------------------------------
if [[ -f frontend/package.json ]]; then
    stage "9/9 frontend: npm ci && npm test"
    command -v npm >/dev/null 2>&1 || {
        echo "ERROR: frontend/package.json exists but npm is not installed" >&2
        exit 1
    }
    # CI=true makes test runners (vitest/jest) run once instead of watching.
    (cd frontend && export CI="${CI:-true}" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 && npm ci && npm test)
    # E2E in Debian's Chromium, driven by @playwright/test (frontend/playwright.config.ts
    # points it at /usr/bin/chromium): no browser is ever downloaded. Its global setup
    # builds the UI and the launcher if needed, starts the launcher on free ports and
    # always stops it.
    stage "9b/9 frontend e2e: npm run e2e (Debian chromium)"
    if [[ ! -x /usr/bin/chromium ]]; then
        echo "installing Debian's chromium for the e2e tests"
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    fi
    (cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm run e2e)
else
    stage "9/9 frontend: skipped (no frontend/package.json)"
fi

stage "all stages passed"
