#!/usr/bin/env bash
# Installs what Anemone needs and is missing: Debian packages, then the project in .venv.
# Idempotent: a second run checks and does nothing. `--test` adds what the test suite needs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(restic openssh-client openssh-server wireguard-tools wireguard-go gettext iproute2 util-linux sqlite3 python3-venv)
if [[ "${1:-}" == "--test" ]]; then
    # The browser tests, and the suite's own throwaway PostgreSQL cluster and Redis server (the second pass
    # of `make test`; tests/fixtures/services.py starts them on free ports, it never uses the machine's).
    packages+=(chromium postgresql redis-server)
    packages+=(strace)  # tests/peers/test_no_packet.py traces connect() of every process it starts
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "install: Debian packages missing: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "install: run as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$python" -m venv .venv
fi
# Python packages: exactly the versions and hashes of requirements.lock (pyproject.toml says which ranges the
# code works with; `make lock` refreshes the lock within them), then the project itself without resolving again.
stamp=.venv/.anemone-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp || requirements.lock -nt $stamp ]]; then
    .venv/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
    .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    touch "$stamp"
fi
