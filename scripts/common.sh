# shellcheck shell=bash
# scripts/common.sh — sourced by the scripts here and in bench/: what more than one of
# them needs before its own work.

# CI shells and `env -i` often lack ~/.cargo/bin in PATH although rustup put cargo there.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# free_ports N: N distinct free TCP ports on 127.0.0.1, space-separated.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}
