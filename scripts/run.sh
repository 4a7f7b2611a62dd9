#!/usr/bin/env bash
# scripts/run.sh — the single run command (see README):
#
#   scripts/run.sh [launcher args]
#
# 1. builds the booking UI (frontend/dist) when it is missing or older than any of its
#    sources: `npm ci` first when node_modules is missing or older than the lockfile,
#    then `npm run build`;
# 2. exec's `cargo run --release` with the arguments given: every service plus the UI
#    and its /api proxy on http://127.0.0.1:8080 (UI_PORT).
#
# Without Node the services still start; the UI port then explains how to build the UI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/common.sh
source scripts/common.sh

say() {
    printf '==> %s\n' "$*"
}

# Is $1 older than any file under the rest of the arguments (files or directories)?
older_than_any() {
    local target=$1
    shift
    [[ -e "$target" ]] || return 0
    [[ -n "$(find "$@" -newer "$target" -print -quit 2>/dev/null)" ]]
}

build_ui() {
    local fe=frontend
    local sources=("$fe/src" "$fe/public" "$fe/index.html" "$fe/package.json" "$fe/package-lock.json"
        "$fe/vite.config.ts" "$fe/tsconfig.json")
    if ! older_than_any "$fe/dist/index.html" "${sources[@]}"; then
        say "booking UI is up to date ($fe/dist)"
        return
    fi
    if ! command -v npm >/dev/null 2>&1; then
        say "WARNING: npm not found, so the booking UI cannot be built." >&2
        say "         Install Node.js 20.19+ and npm; the APIs start anyway." >&2
        return
    fi
    if [[ ! -d "$fe/node_modules" ]] || older_than_any "$fe/node_modules/.package-lock.json" "$fe/package-lock.json"; then
        say "installing the UI's dependencies (npm ci)"
        (cd "$fe" && npm ci --no-audit --no-fund)
    fi
    say "building the booking UI (npm run build)"
    (cd "$fe" && npm run build)
    say "booking UI built in $fe/dist"
}

build_ui
say "starting EventFlow (cargo run --release${*:+ $*})"
exec cargo run --release "$@"
