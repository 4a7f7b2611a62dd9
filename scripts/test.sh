#!/usr/bin/env bash
# scripts/test.sh — the single test command (see README):
#
#   scripts/test.sh [extra args for the test runner]
#
# 1. ensures the real backends (Redis, RabbitMQ, SecantusDB) are installed and
#    running, and exports MONGODB_URI / REDIS_URL / AMQP_URL /
#    EVENTFLOW_REAL_BACKENDS (scripts/backends.sh);
# 2. cargo fmt --check, 3. cargo clippy -D warnings,
# 4. the workspace tests (cargo nextest if installed, else cargo test),
#    with "$@" passed through to the runner, e.g.
#      scripts/test.sh -p eventos-service
#      scripts/test.sh -- --nocapture           (cargo test)
# 5. optionally the frontend tests, when frontend/package.json exists.
#
# Stops at the first failing stage and exits non-zero.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# CI shells and `env -i` often lack ~/.cargo/bin in PATH although rustup put cargo there.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

stage() {
    printf '\n==== %s ====\n' "$*"
}

stage "1/5 backends (Redis, RabbitMQ, SecantusDB)"
# Sourced so that the exported URLs reach cargo below. backends.sh runs its
# real work in a child shell, so sourcing cannot alter our shell options.
# shellcheck source=scripts/backends.sh
source scripts/backends.sh
echo "MONGODB_URI=$MONGODB_URI REDIS_URL=$REDIS_URL AMQP_URL=$AMQP_URL EVENTFLOW_REAL_BACKENDS=$EVENTFLOW_REAL_BACKENDS"

stage "2/5 cargo fmt --all -- --check"
cargo fmt --all -- --check

stage "3/5 cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

if cargo nextest --version >/dev/null 2>&1; then
    stage "4/5 cargo nextest run --workspace --no-fail-fast${*:+ $*}"
    cargo nextest run --workspace --no-fail-fast "$@"
else
    stage "4/5 cargo test --workspace --no-fail-fast${*:+ $*} (cargo-nextest not installed)"
    cargo test --workspace --no-fail-fast "$@"
fi

# ---------------------------------------------------------------------------
# Optional: frontend tests. Only when the repo has a frontend/ with a
# package.json; the Rust workspace must pass on its own without Node.
# ---------------------------------------------------------------------------
if [[ -f frontend/package.json ]]; then
    stage "5/5 frontend: npm ci && npm test"
    command -v npm >/dev/null 2>&1 || {
        echo "ERROR: frontend/package.json exists but npm is not installed" >&2
        exit 1
    }
    # CI=true makes test runners (vitest/jest) run once instead of watching.
    (cd frontend && export CI="${CI:-true}" && npm ci && npm test)
else
    stage "5/5 frontend: skipped (no frontend/package.json)"
fi

stage "all stages passed"
