# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by tests/lab/host/lib.sh and tests/chroot.sh: the cache keys of built
# artifacts (lab images, suite chroots). An artifact is reused while the
# key stored beside it matches the hash of what would make it now, so that
# changing a recipe or an input rebuilds only what depends on it.

# cache_key ARGS...: a short hash of ARGS (function bodies, file contents,
# versions, package lists).
cache_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# cache_fresh DIR NAME KEY: DIR/NAME exists and was made under KEY.
cache_fresh() {
	[ -e "$1/$2" ] && [ "$(cat "$1/$2.key" 2>/dev/null)" = "$3" ]
}

# cache_mark DIR NAME KEY: DIR/NAME is now made under KEY.
cache_mark() { echo "$3" >"$1/$2.key"; }
