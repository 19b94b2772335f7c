#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernels blanket's users run, one build each: a dkms user upgrading
# to any of them must get modules, not a failed build during apt. Each
# line of the matrix is a W=1 + sparse build of the modules against the
# headers of one Debian kernel, with that kernel's own compiler:
#
#   bookworm            Debian 12's kernel (6.1), on the host
#   bookworm-backports  its newest, on the host (built with gcc 12 too)
#   trixie              Debian 13's kernel (6.12), in a trixie chroot
#   trixie-backports    the newest of each kernel line it offers (7.x), in
#                       every flavour: W=1 in the trixie chroot (its gcc
#                       14), sparse in the sid chroot (trixie's sparse
#                       0.6.4 cannot parse 7.x headers: __typeof_unqual__)
#   experimental        its newest kernel, in a sid chroot (its gcc)
#
# Headers come from Debian's archive, unpacked under build/ or in the
# chroot (tests/kernel/headers.sh); the chroots are cached (tests/chroot.sh).
# A suite whose archive has no kernel that day is skipped, with a SKIP:
# line saying so; anything else that goes wrong fails.
#
# Then the .deb (`make deb`), installed where users install it: a trixie
# and a bookworm chroot, each with its suite's linux-headers-amd64.
#
# Run by `make check` (tests/run.sh); alone, `tests/matrix.sh [builds|packages]`
# prints "PASS: ..." / "FAIL: ..." lines and "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check/matrix
mode=${1:-all}	# all, builds (the matrix alone) or packages (the .deb alone)
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

. "$top/tests/lib.sh"

headers="$top/tests/kernel/headers.sh"
chroot="$top/tests/chroot.sh"
mkdir -p "$out"

# Headers unpacked for this run, by the directory they are in: any other
# under the same parents is an older release's, removed at the end.
used=()

# fetched SUITE PKG DIR [CHROOT ROOT]: PKG's headers unpacked into DIR (a
# path inside CHROOT, at ROOT on the host, if given; its compiler and
# libraries get installed there); prints the kernel build directory.
fetched() {
	local suite=$1 pkg=$2 dir=$3 in=${4:-} root=${5:-} deps

	if [ -n "$in" ]; then
		mapfile -t deps < <("$headers" deps "$suite" "$pkg")
		[ ${#deps[@]} -gt 0 ] || return 1
		"$chroot" install "$in" "${deps[@]}" || return 1
	fi
	"$headers" fetch "$suite" "$pkg" "$root$dir" "$dir" | tail -n 1
}

# entry SUITE PKG [CHROOT [C [WHAT]]]: the matrix line of one headers
# package, built on the host or in CHROOT, with sparse unless C is 0.
entry() {
	local suite=$1 pkg=$2 in=${3:-} check=${4:-1} name kdir dir src root=

	name="matrix $suite ${pkg#linux-headers-}: ${5:-W=1 + sparse}"
	if [ -n "$in" ]; then
		root=$("$chroot" root "$in") || { fail "$name: the $in chroot"; return; }
		dir=/opt/headers/$pkg
		src=/build/blanket-${pkg#linux-headers-}
	else
		dir=$top/build/headers/$suite/$pkg
		src=$out/$suite-${pkg#linux-headers-}
	fi
	used+=("$root$dir")
	if kdir=$(fetched "$suite" "$pkg" "$dir" "$in" "$root" 2>"$out/fetch.log") &&
	   [ -n "$kdir" ]; then
		build_clean "$name" "$src" "$kdir" "$in" "$check"
	else
		cat "$out/fetch.log"
		fail "$name: headers"
	fi
}

# default SUITE: the kernel linux-headers-amd64 points at in SUITE, or a
# SKIP line if the archive has none (exit 2 of headers.sh).
default() {
	local pkg rc

	pkg=$("$headers" default "$1" 2>"$out/default.log")
	rc=$?
	if [ $rc = 0 ]; then
		echo "$pkg"
	elif [ $rc = 2 ]; then
		skip "matrix $1: $(cat "$out/default.log")" >&2
	else
		cat "$out/default.log" >&2
		fail "matrix $1: the suite's package list" >&2
	fi
	return $rc
}

# builds: every line of the matrix.
builds() {
	local pkg bpo kver

	# bookworm: the host's own kernel.
	pkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-[^ ,]*-amd64' | head -n 1)
	if [ -n "$pkg" ] && [ -d "/usr/src/$pkg" ]; then
		build_clean "matrix bookworm ${pkg#linux-headers-}: W=1 + sparse" \
			"$out/bookworm" "/usr/src/$pkg"
	else
		fail "matrix bookworm: linux-headers-amd64 is installed on the host"
	fi

	if pkg=$(default bookworm-backports); then
		entry bookworm-backports "$pkg"
	fi

	# trixie: the chroot's own installed kernel, as a user of Debian 13 has it.
	if kver=$("$chroot" kernel trixie) && [ -n "$kver" ]; then
		build_clean "matrix trixie $kver: W=1 + sparse" \
			"/build/blanket-$kver" "/usr/src/linux-headers-$kver" trixie
	else
		fail "matrix trixie: the chroot and its linux-headers-amd64"
	fi

	# trixie-backports: the newest release of each kernel line, every flavour.
	mapfile -t bpo < <("$headers" all trixie-backports |
		awk '{ p = $1; v = p; sub(/^linux-headers-/, "", v); split(v, n, ".")
		       f = v; sub(/^[^-]*-/, "", f); latest[n[1] "." n[2] " " f] = p }
		     END { for (l in latest) print latest[l] }' | sort -V)
	[ ${#bpo[@]} -gt 0 ] || skip "matrix trixie-backports: the archive offers no kernel headers"
	for pkg in "${bpo[@]}"; do
		entry trixie-backports "$pkg" trixie 0 "W=1, trixie's gcc"
		entry trixie-backports "$pkg" sid 1 "sparse, sid's"
	done

	if pkg=$(default experimental); then
		entry experimental "$pkg" sid
	fi
}

# --- the .deb, where users install it --------------------------------------
# package_test SUITE: blanket-dkms installed into SUITE's chroot, which has
# linux-headers-amd64: dkms must build and install the modules for that
# kernel, modinfo show their version, and a purge remove every trace.
package_test() {
	local suite=$1 name="package $1" root kver log=$out/package-$1.log

	root=$("$chroot" root "$suite") || { fail "$name: the chroot"; return; }
	kver=$("$chroot" kernel "$suite")
	name="package $suite $kver"
	cp "$deb" "$root/tmp/"
	# A purge of an earlier run that failed half-way.
	"$chroot" run "$suite" apt-get -q -y purge blanket-dkms >"$log" 2>&1
	if "$chroot" run "$suite" apt-get -q -y install "/tmp/${deb##*/}" >>"$log" 2>&1 &&
	   "$chroot" run "$suite" dkms status blanket >>"$log" 2>&1 &&
	   "$chroot" run "$suite" dkms status blanket | grep -q "blanket/$ver, $kver, x86_64: installed"; then
		pass "$name: apt-get install blanket-dkms: dkms built and installed the modules"
	else
		tail -n 30 "$log"
		fail "$name: apt-get install blanket-dkms: dkms built and installed the modules"
	fi
	local m got=
	for m in blanket_xenbus blanket_net blanket_blk; do
		got+="$("$chroot" run "$suite" modinfo -k "$kver" -F version "$m" 2>&1) "
	done
	if [ "$got" = "$ver $ver $ver " ]; then
		pass "$name: modinfo shows version $ver for the three modules"
	else
		fail "$name: modinfo shows version $ver for the three modules (got: $got)"
	fi
	if [ -f "$root/lib/udev/rules.d/60-blanket.rules" ] &&
	   [ -f "$root/etc/modprobe.d/blanket.conf" ]; then
		pass "$name: the udev rule and the modprobe.d example are in place"
	else
		fail "$name: the udev rule and the modprobe.d example are in place"
	fi
	"$chroot" run "$suite" apt-get -q -y purge blanket-dkms >>"$log" 2>&1
	local left
	left=$(cd "$root" && find lib/modules usr/lib/modules usr/src var/lib/dkms etc/modprobe.d \
		lib/udev/rules.d -name 'blanket*' 2>/dev/null | sort -u)
	if [ -z "$left" ] && ! "$chroot" run "$suite" dpkg-query -W blanket-dkms >/dev/null 2>&1; then
		pass "$name: apt-get purge blanket-dkms leaves nothing of blanket"
	else
		fail "$name: apt-get purge blanket-dkms leaves nothing of blanket (left: ${left//$'\n'/ })"
	fi
	rm -f "$root/tmp/${deb##*/}"
}

# install_test: make install below a DESTDIR and below an INSTALL_MOD_PATH,
# against the host's headers: the modules and the udev rule there, depmod
# run on the INSTALL_MOD_PATH tree but not on a DESTDIR.
install_test() {
	local src=$out/install kdir kver d root

	kdir=$(ls -d /usr/src/linux-headers-*-amd64 | sort -V | tail -n 1)
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
	copy_tree "$src"
	rm -rf "$out/destdir" "$out/modpath"
	: >"$out/install.log"
	for d in DESTDIR INSTALL_MOD_PATH; do
		root=$out/destdir
		[ $d = DESTDIR ] || root=$out/modpath
		if make -C "$src" -j2 KDIR="$kdir" install "$d=$root" >>"$out/install.log" 2>&1 &&
		   [ "$(find "$root/lib/modules/$kver" -name 'blanket_*.ko' | wc -l)" = 3 ] &&
		   [ -f "$root/lib/udev/rules.d/60-blanket.rules" ] &&
		   if [ $d = DESTDIR ]; then [ ! -e "$root/lib/modules/$kver/modules.dep" ]
		   else grep -q 'blanket_net.ko: .*blanket_xenbus.ko' "$root/lib/modules/$kver/modules.dep"
		   fi; then
			pass "make install $d=: modules and udev rule below it, depmod as fits"
		else
			tail -n 20 "$out/install.log"
			fail "make install $d=: modules and udev rule below it, depmod as fits"
		fi
	done
}

# packages: make install; the .deb built, and tested in both chroots.
packages() {
	install_test
	if deb=$("$top/scripts/deb.sh" 2>"$out/deb.log" | tail -n 1) && [ -f "$deb" ]; then
		pass "make deb: ${deb##*/}"
		package_test trixie
		package_test bookworm
	else
		cat "$out/deb.log"
		fail "make deb"
	fi
}

ver=$(make -s -C "$top" --no-print-directory version)
case $mode in
builds) builds ;;
packages) packages ;;
*) builds; packages ;;
esac

# Older releases' headers, of a line the archive has moved on from.
for d in "${used[@]}"; do
	for old in "$(dirname "$d")"/linux-headers-*; do
		[[ " ${used[*]} " == *" $old "* ]] || rm -rf "$old"
	done
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
