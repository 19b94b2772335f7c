# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by xen/build.sh, tests/lab/images.sh and
# tests/kernel/headers.sh: apt-get on a state of
# its own (sources, lists, cache under one directory), for `apt-get source`
# of Debian packages the build needs, without reading or changing the
# machine's apt configuration and lists.

# apt_private_init DIR LINE...: a fresh private state in DIR whose
# sources.list holds the LINEs (e.g. "deb-src <mirror> bookworm main").
apt_private_init() {
	local dir=$1

	shift
	rm -rf "$dir"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	printf '%s\n' "$@" >"$dir/sources.list"
}

# apt_private_run TOOL DIR ARGS...: apt-get or apt-cache ARGS on DIR's
# state. Downloads run as root: the unprivileged _apt user may not write
# to a build directory.
apt_private_run() {
	local tool=$1 dir=$2

	shift 2
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root "$@"
}

# apt_private DIR ARGS...: apt-get ARGS on DIR's state.
apt_private() { apt_private_run apt-get "$@"; }
