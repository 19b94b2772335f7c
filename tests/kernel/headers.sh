#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's kernel headers for the build matrix (tests/matrix.sh), from any
# suite of the archive, fetched with apt-get download on a private state per
# suite and unpacked, not installed: an installed linux-headers would become
# the default KDIR of `make` and of the lab, and a suite chroot's installed
# kernels are what its dkms builds for.
#
#   headers.sh default SUITE      the flavour package linux-headers-amd64
#                                 points at in SUITE
#   headers.sh all SUITE          every linux-headers-<version>-<flavour>
#                                 package of SUITE, "PACKAGE VERSION" a line
#   headers.sh deps SUITE PKG     what PKG and its kbuild need besides
#                                 themselves (the compiler, pahole, libraries)
#   headers.sh fetch SUITE PKG DIR [INSIDE]
#                                 PKG, its common tree and its kbuild
#                                 unpacked into DIR, whose path is INSIDE
#                                 where the build runs (a chroot); prints
#                                 the kernel build directory, seen from there
#   headers.sh source SUITE DIR   SUITE's newest linux-source-<line>
#                                 unpacked into DIR; prints its tarball
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/headers
mirror=${BLANKET_DEBIAN_MIRROR:-${BLANKET_BACKPORTS_MIRROR:-http://deb.debian.org/debian}}

. "$top/scripts/apt-private.sh"

die() { echo "headers.sh: $*" >&2; exit 1; }

cmd=${1:-}
suite=${2:-}
[ -n "$suite" ] || die "usage: headers.sh default|all|deps|fetch|source SUITE [PKG] [DIR [INSIDE]]"
apt_dir=$out/apt-$suite
mkdir -p "$out"

# A day-old list is fresh enough; a failed refresh keeps the old one.
[ -f "$apt_dir/sources.list" ] ||
	apt_private_init "$apt_dir" "deb [arch=amd64] $mirror $suite main"
if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt_private "$apt_dir" update >"$out/apt-$suite.log" 2>&1 ||
		[ -n "$(find "$apt_dir/lists" -name '*Packages*')" ] ||
		{ tail -n 5 "$out/apt-$suite.log" >&2; die "no package list for $suite"; }
fi

# The machine's own installed packages are none of the suite's.
apt_cache() { apt_private_run apt-cache "$apt_dir" -o Dir::State::status=/dev/null "$@"; }
show() { apt_cache show "$@" 2>/dev/null; }

# The packages a headers package needs from the kernel's own source:
# itself, its common tree (-common or -common-rt) and its linux-kbuild.
kernel_pkgs() {
	echo "$1"
	show "$1" | sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ |]*\).*/\1/p' | sort -u
}

# Since 6.13 the kernel's Makefile asks scripts/checker-valid.sh whether
# sparse takes its flags and, if not, turns C=1 off with a warning. Debian's
# linux-kbuild packages leave that script out, so sparse would never run:
# one of our own answers the same question (run the checker with those
# flags on a one-line file). build_clean fails a build whose sparse was
# turned off all the same.
checker_valid() {
	local kb

	grep -qs checker-valid.sh "$1"/usr/src/linux-headers-*/Makefile || return 0
	for kb in "$1"/usr/lib/linux-kbuild-*/scripts; do
		[ -e "$kb/checker-valid.sh" ] && continue
		cat >"$kb/checker-valid.sh" <<-'SH'
			#!/bin/sh
			# blanket's stand-in (tests/kernel/headers.sh): prints 1 if
			# the checker "$@" takes its flags on a trivial file.
			f=$(mktemp --suffix=.c) || exit 0
			echo 'int blanket_checker_valid;' >"$f"
			"$@" "$f" >/dev/null 2>&1 && echo 1
			rm -f "$f"
		SH
		chmod +x "$kb/checker-valid.sh"
	done
}

# unpack DIR PKG...: download the PKGs (name or name=version) and unpack
# them into DIR; the caller marks what it made of DIR.
unpack() {
	local dir=$1 debs=$out/debs-$suite d

	shift
	rm -rf "$debs"
	mkdir -p "$debs" "$dir"
	(cd "$debs" && apt_private "$apt_dir" download "$@") \
		>>"$out/apt-$suite.log" 2>&1 ||
		{ tail -n 5 "$out/apt-$suite.log" >&2; die "download $*"; }
	for d in "$debs"/*.deb; do
		dpkg-deb -x "$d" "$dir"
	done
	rm -rf "$debs"
}

case $cmd in
default)
	pkg=$(show linux-headers-amd64 |
		sed -n 's/^Depends: .*\(linux-headers-[^ ,]*-amd64\).*/\1/p' | sort -V | tail -n 1)
	# Exit 2: the archive has no kernel in this suite today.
	[ -n "$pkg" ] || { echo "no linux-headers-amd64 in $suite today" >&2; exit 2; }
	echo "$pkg"
	;;
all)
	apt_cache pkgnames linux-headers- |
		grep -E '^linux-headers-[0-9][^ ]*-amd64$' | sort -V |
		while read -r pkg; do
			echo "$pkg $(show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -n 1)"
		done
	;;
deps)
	pkg=${3:?PKG}
	for p in $(kernel_pkgs "$pkg"); do
		show "$p" | sed -n 's/^Depends: //p' | tr ',' '\n'
	done | sed 's/^ *//; s/ .*//' | grep -v -e '^linux-' -e '^$' | sort -u
	;;
fetch)
	pkg=${3:?PKG}
	dir=${4:?DIR}
	inside=${5:-$dir}
	version=$(show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[ -n "$version" ] || die "no $pkg in $suite"
	mark=$dir/.$pkg.unpacked
	if [ "$(cat "$mark" 2>/dev/null)" != "$version" ]; then
		mapfile -t pkgs < <(kernel_pkgs "$pkg")
		unpack "$dir" "${pkgs[@]}"
		# Its Makefile names the common tree (and from 6.13 on its own
		# output tree, KBUILD_OUTPUT) by absolute /usr/src paths.
		sed -i "s|/usr/src/|$inside/usr/src/|g" "$dir/usr/src/$pkg/Makefile"
		checker_valid "$dir"
		echo "$version" >"$mark"
	fi
	echo "$inside/usr/src/$pkg"
	;;
source)
	dir=${3:?DIR}
	pkg=$(apt_cache pkgnames linux-source- | grep -E '^linux-source-[0-9.]+$' |
		sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no linux-source in $suite"
	version=$(show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	mark=$dir/.$pkg.unpacked
	if [ "$(cat "$mark" 2>/dev/null)" != "$version" ]; then
		rm -rf "$dir"
		unpack "$dir" "$pkg=$version"
		echo "$version" >"$mark"
	fi
	echo "$dir/usr/src/$pkg.tar.xz"
	;;
*)
	die "unknown command $cmd"
	;;
esac
