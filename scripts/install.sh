#!/usr/bin/env bash
# Installs what Anemone needs and is missing: Debian packages, then the project in .venv.
# Idempotent: a second run checks and does nothing. `--test` adds what the test suite needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# restic is not among them: Debian 12's is 0.14; the venv gets trixie's (install_restic below).
packages=(openssh-client openssh-server wireguard-tools wireguard-go gettext iproute2 util-linux sqlite3 python3-venv
          smartmontools samba samba-vfs-modules libnss-wrapper)  # samba: the SMB shares (serve_smb runs its own smbd, see below)
if [[ "${1:-}" == "--test" ]]; then
    # The browser tests, and the suite's own throwaway PostgreSQL cluster and Redis server (the second pass
    # of `make test`; tests/fixtures/services.py starts them on free ports, it never uses the machine's).
    packages+=(chromium postgresql redis-server)
    packages+=(strace)  # tests/peers/test_no_packet.py traces connect() of every process it starts
    packages+=(smbclient litmus)  # outside clients of our shares: SMB (smbclient) and the WebDAV compliance suite
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

# Debian's samba package starts its own smbd/nmbd (port 445, /etc/samba) on systemd machines. Anemone runs
# its own smbd from `serve_smb` with a configuration written from its database, on the same port: the
# package's services are stopped and disabled, once, and the install says so.
if [[ -d /run/systemd/system && $(id -u) -eq 0 ]]; then
    for unit in smbd nmbd; do
        if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null; then
            systemctl disable --now "$unit" >/dev/null 2>&1 || true
            echo "install: stopped and disabled Debian's own $unit service (Anemone's serve_smb runs smbd itself)"
        fi
    done
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

# restic from Debian's own archive: trixie's `restic` package (0.18), fetched by name with a private apt
# configuration (its own sources list, lists and cache in a temporary folder inside the venv; the machine's
# apt sources, lists and cache are never touched), verified by apt against trixie's Release file signed
# by a key in debian-archive-keyring, and unpacked with dpkg-deb (not installed: dpkg's database is left
# alone). Its binary goes to .venv/bin/restic, which anemone/engines/paths.restic_binary() runs.
restic_minimum=0.18.0
restic_version() {
    "$1" version 2>/dev/null | sed -n 's/^restic \([0-9][0-9.]*\) .*/\1/p'
}
recent_enough() {  # a version at least $restic_minimum
    [[ -n $1 && $(printf '%s\n%s\n' "$restic_minimum" "$1" | sort -V | head -1) == "$restic_minimum" ]]
}
install_restic() {
    local have
    have=$(restic_version .venv/bin/restic || true)
    if recent_enough "$have"; then
        return 0
    fi
    echo "install: restic ${have:-absent} in the venv; fetching Debian trixie's restic package"
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg work
    work=$(mktemp -d "$PWD/.venv/apt-trixie.XXXXXX")
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" RETURN
    mkdir -p "$work"/{lists/partial,cache/archives/partial,parts,preferences,deb,root}
    : >"$work/status"
    echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" >"$work/sources.list"
    local apt=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
               -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$work/preferences"
               -o "Dir::State::Lists=$work/lists" -o "Dir::State::status=$work/status"
               -o "Dir::Cache=$work/cache" -o "Dir::Cache::archives=$work/cache/archives"
               -o "Acquire::Languages=none" -o "APT::Sandbox::User=$(id -un)")
    apt-get "${apt[@]}" -qq update
    (cd "$work/deb" && apt-get "${apt[@]}" -qq download restic)
    dpkg-deb -x "$work"/deb/restic_*.deb "$work/root"
    install -m 0755 "$work/root/usr/bin/restic" .venv/bin/restic.new
    have=$(restic_version .venv/bin/restic.new || true)
    if ! recent_enough "$have"; then
        rm -f .venv/bin/restic.new
        echo "install: trixie's restic reports '${have:-nothing}', not >= $restic_minimum" >&2
        return 1
    fi
    mv .venv/bin/restic.new .venv/bin/restic
    echo "install: .venv/bin/restic is restic $have (Debian trixie)"
}
install_restic
