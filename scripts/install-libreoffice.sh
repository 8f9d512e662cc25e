#!/usr/bin/env bash
# Install LibreOffice Calc >= 25.2 headless, with Python-UNO, the Python
# script provider and the SDK's IDL compiler `unoidl-write` (libreoffice-dev:
# `jixiao calc-addin` compiles the add-in's type library with it), from
# Debian's bookworm-backports suite.
#
# Why backports: bookworm's own LibreOffice (7.4) lacks XLOOKUP, XMATCH and the
# dynamic-array functions the differential tests compare against.
#
# Which mirror: the one this machine's apt already uses for its release (the
# `URIs:` of a Debian sources file in /etc/apt/sources.list.d, or a `deb` line
# of sources.list); the backports suite is added for that same URI. No package
# host is named here.
#
# `install-libreoffice.sh --print-source` only prints the sources stanza it
# would add (the tests run it on sample apt folders through APT_DIR and CODENAME).
#
# Idempotent: does nothing when `soffice --version` already reports >= 25.2,
# python3-uno is importable by the system Python and unoidl-write is installed. Needs root (CI runs as root);
# otherwise it re-runs apt through sudo when that is available.
set -euo pipefail

MIN_MAJOR=25
MIN_MINOR=2
APT_DIR=${APT_DIR:-/etc/apt}
SOURCES=$APT_DIR/sources.list.d/debian-backports.sources
CODENAME=${CODENAME:-$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")}
CODENAME=${CODENAME:-bookworm}
BACKPORTS="$CODENAME-backports"
DEFAULT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

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

# libreoffice-dev installs unoidl-write into the SDK's bin folder (not on PATH).
UNOIDL_WRITE=/usr/lib/libreoffice/sdk/bin/unoidl-write
unoidl_ok() { command -v unoidl-write >/dev/null 2>&1 || [ -x "$UNOIDL_WRITE" ]; }

# "URI<TAB>keyring" of the mirror apt already uses for suite $1: first the
# deb822 stanzas of $APT_DIR/sources.list.d/*.sources (Types with deb, Suites
# with $1, not Enabled: no), then the one-line `deb [options] URI suite ...`
# entries of sources.list and sources.list.d/*.list. Prints nothing if none.
release_mirror() {
    local suite=$1 f
    for f in "$APT_DIR"/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v want="$suite" '
            function flush() {
                if (deb && hit && on && uri != "") { print uri "\t" key; done = 1; exit }
                deb = 0; hit = 0; on = 1; uri = ""; key = ""
            }
            BEGIN { on = 1 }
            /^[[:space:]]*$/ { flush(); next }
            /^[[:space:]]*#/ { next }
            tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            tolower($1) == "uris:" { uri = $2 }
            tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
            tolower($1) == "enabled:" { on = (tolower($2) != "no") }
            tolower($1) == "signed-by:" && $2 ~ /^\// { key = $2 }
            END { if (!done) flush() }
        ' "$f"
    done | head -n1 | grep . && return 0
    cat "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list 2>/dev/null | awk -v want="$suite" '
        $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
            if ($(i + 1) == want) { print $i "\t"; exit }
        }'
}

# The deb822 stanza for $BACKPORTS on the mirror of this machine's $CODENAME source.
backports_source() {
    local mirror="" keyring=""
    IFS=$'\t' read -r mirror keyring < <(release_mirror "$CODENAME") || true
    if [ -z "$mirror" ]; then
        log "no apt source for $CODENAME in $APT_DIR/sources.list or $APT_DIR/sources.list.d/:"
        log "add the Debian mirror this machine uses, then run this again"
        return 1
    fi
    cat <<EOF
# Added by jixiao scripts/install-libreoffice.sh: LibreOffice >= 25.2 for the
# differential tests of the refresh engine, from the mirror of this machine's
# $CODENAME source.
Types: deb
URIs: $mirror
Suites: $BACKPORTS
Components: main
Signed-By: ${keyring:-$DEFAULT_KEYRING}
EOF
}

if [ "${1:-}" = "--print-source" ]; then
    backports_source
    exit
fi

# a Chinese font (slips and PDFs show Chinese, not boxes) and pdftotext/pdftoppm
# (the tests read the pages LibreOffice printed)
extras_ok() {
    command -v pdftotext >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .
}

if version_ok && uno_ok && unoidl_ok && extras_ok; then
    log "nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "must run as root (or with sudo available)"; exit 1; }
    SUDO="sudo"
fi

if ! grep -rqsE "(^|[[:space:]])$BACKPORTS([[:space:]]|\$)" "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/; then
    stanza=$(backports_source)
    log "adding $BACKPORTS to $SOURCES"
    printf '%s\n' "$stanza" | $SUDO tee "$SOURCES" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
log "apt-get update"
$SUDO apt-get update -q -o Dpkg::Use-Pty=0 >/dev/null
log "apt-get install ($BACKPORTS)"
$SUDO apt-get install -y -q -o Dpkg::Use-Pty=0 -t "$BACKPORTS" --no-install-recommends \
    libreoffice-calc python3-uno libreoffice-script-provider-python \
    libreoffice-dev libreoffice-dev-common fonts-wqy-microhei poppler-utils >/dev/null

if ! version_ok; then
    log "LibreOffice >= $MIN_MAJOR.$MIN_MINOR is still missing after the install"
    exit 1
fi
if ! uno_ok; then
    log "/usr/bin/python3 cannot import uno after the install"
    exit 1
fi
if ! unoidl_ok; then
    log "unoidl-write (libreoffice-dev) is still missing after the install"
    exit 1
fi
log "installed in $(( $(date +%s) - start )) s"
