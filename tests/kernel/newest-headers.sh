#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The headers of the newest kernel a Debian 12 machine can install
# (bookworm-backports, 6.12 today), for a build check of compat.h's far
# side. They are fetched with apt-get download on a private source list
# and unpacked under build/headers/, not installed: an installed
# linux-headers-6.12 would become the default KDIR of `make` and of the
# lab, whose guest runs 6.1.
#
# Prints the kernel build directory on the last line of stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/headers
apt_dir=$out/apt
mirror=${BLANKET_BACKPORTS_MIRROR:-http://deb.debian.org/debian}

. "$top/scripts/apt-private.sh"

# A day-old list is fresh enough; a failed refresh keeps the old one.
[ -f "$apt_dir/sources.list" ] ||
	apt_private_init "$apt_dir" "deb $mirror bookworm-backports main"
if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt_private "$apt_dir" update >"$out/apt.log" 2>&1 ||
		[ -n "$(find "$apt_dir/lists" -name '*Packages*')" ] ||
		{ tail -n 5 "$out/apt.log" >&2; exit 1; }
fi

# The flavour package linux-headers-amd64 points at in backports.
pkg=$(apt_private_run apt-cache "$apt_dir" show linux-headers-amd64 2>/dev/null |
	sed -n 's/^Depends: \(linux-headers-[^ ,]*-amd64\).*/\1/p' | sort -V | tail -n 1)
[ -n "$pkg" ] || { echo "newest-headers.sh: no linux-headers-amd64 in backports" >&2; exit 1; }
ver=${pkg#linux-headers-}
ver=${ver%-amd64}
kdir=$out/$ver/usr/src/$pkg

if [ ! -f "$out/$ver/.unpacked" ]; then
	rm -rf "$out/$ver" "$out/debs"
	mkdir -p "$out/debs" "$out/$ver"
	(cd "$out/debs" && apt_private "$apt_dir" download "$pkg" "linux-headers-$ver-common" \
		"linux-kbuild-$ver") >>"$out/apt.log" 2>&1 ||
		{ tail -n 5 "$out/apt.log" >&2; exit 1; }
	for d in "$out"/debs/*.deb; do
		dpkg-deb -x "$d" "$out/$ver"
	done
	rm -rf "$out/debs"
	# Its Makefile names the common tree by an absolute /usr/src path.
	echo "include $out/$ver/usr/src/linux-headers-$ver-common/Makefile" >"$kdir/Makefile"
	touch "$out/$ver/.unpacked"
fi
echo "$kdir"
