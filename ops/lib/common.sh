# shellcheck shell=bash
# Shared helpers for the ops/ scripts. Source it; it defines functions and
# NGRTC_ROOT (the checkout this file lives in) and nothing else.

NGRTC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export NGRTC_ROOT

# Everything local and disposable lives here (ignored by git).
# shellcheck disable=SC2034  # used by the scripts that source this file
NGRTC_LOCAL="$NGRTC_ROOT/ops/.local"

ops_log() { printf '[ops] %s\n' "$*" >&2 || true; }
ops_die() { printf '[ops] error: %s\n' "$*" >&2; exit 1; }

ops_is_root() { [ "$(id -u)" -eq 0 ]; }

# Short stable id of this checkout's path (used for per-checkout folders outside it).
ops_checkout_hash() { printf '%s' "$NGRTC_ROOT" | sha256sum | cut -c1-12; }

# apt-get install without prompts and without letting package scripts start
# services (there is no systemd here; we start what we need ourselves, bound to
# 127.0.0.1). A policy-rc.d that denies starts is put in place only for the
# duration of the install and only if none exists.
ops_apt_install() {
  ops_is_root || ops_die "need root to install: $* (run: sudo apt-get install -y $*)"
  (
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy"
      chmod 0755 "$policy"
      trap 'rm -f "$policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    ops_log "installing $* (apt-get)"
    apt-get update -qq </dev/null >&2
    apt-get install -y -qq --no-install-recommends "$@" </dev/null >&2
  )
}

# 0 when something accepts TCP connections on 127.0.0.1:$1.
ops_tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
