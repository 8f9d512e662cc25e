#!/usr/bin/env bash
# Install LibreOffice Calc >= 25.2 headless, with Python-UNO and the Python
# script provider, from Debian's bookworm-backports suite.
#
# Why backports: bookworm's own LibreOffice (7.4) lacks XLOOKUP, XMATCH and the
# dynamic-array functions the differential tests compare against.
#
# Idempotent: does nothing when `soffice --version` already reports >= 25.2 and
# python3-uno is importable by the system Python. Needs root (CI runs as root);
# otherwise it re-runs apt through sudo when that is available.
set -euo pipefail

MIN_MAJOR=25
MIN_MINOR=2
SOURCES=/etc/apt/sources.list.d/debian-backports.sources

log() { printf 'install-libreoffice: %s\n' "$*" >&2; }

version_ok() {
    # `soffice --version` prints e.g. "LibreOffice 25.2.3.2 520(Build:2)".
    local out ver major minor
    command -v soffice >/dev/null 2>&1 || return 1
    out=$(soffice --version 2>/dev/null) || return 1
    ver=$(printf '%s\n' "$out" | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)*' | head -n1)
    [ -n "$ver" ] || return 1
    major=${ver%%.*}
    minor=${ver#*.}
    minor=${minor%%.*}
    if [ "$major" -gt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -ge "$MIN_MINOR" ]; }; then
        log "found $out"
        return 0
    fi
    log "found $out, older than $MIN_MAJOR.$MIN_MINOR"
    return 1
}

uno_ok() { /usr/bin/python3 -c 'import uno' >/dev/null 2>&1; }

if version_ok && uno_ok; then
    log "nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "must run as root (or with sudo available)"; exit 1; }
    SUDO="sudo"
fi

if ! grep -rqsE '(^|[[:space:]])bookworm-backports([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding bookworm-backports to $SOURCES"
    $SUDO tee "$SOURCES" >/dev/null <<'EOF'
# Added by jixiao scripts/install-libreoffice.sh: LibreOffice >= 25.2 for the
# differential tests of the refresh engine.
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
log "apt-get update"
$SUDO apt-get update -q -o Dpkg::Use-Pty=0 >/dev/null
log "apt-get install (bookworm-backports)"
$SUDO apt-get install -y -q -o Dpkg::Use-Pty=0 -t bookworm-backports --no-install-recommends \
    libreoffice-calc python3-uno libreoffice-script-provider-python >/dev/null

if ! version_ok; then
    log "LibreOffice >= $MIN_MAJOR.$MIN_MINOR is still missing after the install"
    exit 1
fi
if ! uno_ok; then
    log "/usr/bin/python3 cannot import uno after the install"
    exit 1
fi
log "installed in $(( $(date +%s) - start )) s"
