#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make xen-check`: fetch the source of Debian 12's Xen with apt-get
# source (cached in build/xen), apply the patches in xen/ to a fresh copy,
# and build only the hypervisor, with CONFIG_XEN_GUEST=y, failing on any
# compiler warning. apt runs on a private source list and state, so the
# machine's own apt configuration is left alone.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/xen
apt_dir=$out/apt
src_cache=$out/src
tree=$out/tree
log=$out/build.log
jobs=${BLANKET_XEN_JOBS:-2}

stage() { echo "== $* ($(date +%T))"; }

. "$top/scripts/apt-private.sh"

# --- Debian's source package, once -------------------------------------------
if ! ls -d "$src_cache"/xen-*/xen >/dev/null 2>&1; then
	stage "apt-get source xen (bookworm, bookworm-security)"
	rm -rf "$src_cache"
	mkdir -p "$src_cache"
	apt_private_init "$apt_dir" \
		"deb-src http://deb.debian.org/debian bookworm main" \
		"deb-src http://deb.debian.org/debian-security bookworm-security main"
	apt_private "$apt_dir" update >"$out/apt.log" 2>&1 ||
		{ tail -n 20 "$out/apt.log"; exit 1; }
	# The security archive lists updates whose sources its mirror may
	# not carry; then take the release's own.
	(cd "$src_cache" && { apt_private "$apt_dir" source xen ||
		apt_private "$apt_dir" source xen/bookworm; }) >>"$out/apt.log" 2>&1 ||
		{ tail -n 20 "$out/apt.log"; exit 1; }
fi
src=$(ls -d "$src_cache"/xen-*/ | tail -n 1)
echo "source: $(basename "$src")"

# --- the patches, on a fresh copy ---------------------------------------------
stage "applying xen/4.17/*.patch"
: >"$out/apply.log"
rm -rf "$tree"
cp -a "$src" "$tree"
for p in "$top"/xen/4.17/*.patch; do
	# git apply allows no fuzz: "cleanly" means exactly.
	(cd "$tree" && GIT_CEILING_DIRECTORIES=$out git apply --verbose "$p") >>"$out/apply.log" 2>&1 ||
		{ cat "$out/apply.log"; echo "FAIL: $(basename "$p") does not apply"; exit 1; }
done
# Both sides use the ABI header by value: the copy must not drift.
cmp "$top/include/blanket/l1_abi.h" "$tree/xen/include/xen/blanket-l1-abi.h" ||
	{ echo "FAIL: the patch's ABI header differs from include/blanket/l1_abi.h"; exit 1; }

# --- the hypervisor alone, twice --------------------------------------------------
# Debian's configuration plus CONFIG_XEN_GUEST, then the same with FLASK,
# which the patch also touches (its policy blob left out: no checkpolicy).
make_args=(XEN_TARGET_ARCH=x86_64 XEN_COMPILE_ARCH=x86_64)
: >"$log"
build_variant() {
	local name=$1 start warnings
	shift
	stage "building the hypervisor: $name (-j$jobs)"
	cp "$tree/debian/xen-kconfig" "$tree/xen/.config"
	printf '%s\n' "$@" >>"$tree/xen/.config"
	make -C "$tree/xen" "${make_args[@]}" olddefconfig >>"$log" 2>&1 ||
		{ tail -n 20 "$log"; exit 1; }
	for opt in "$@"; do
		grep -qx "$opt" "$tree/xen/.config" ||
			{ echo "FAIL: $opt did not survive olddefconfig"; exit 1; }
	done
	start=$(date +%s)
	if ! make -C "$tree/xen" "${make_args[@]}" -j"$jobs" >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -n 30
		echo "FAIL: hypervisor build ($name)"
		exit 1
	fi
	[ "$(nm "$tree/xen/xen-syms" | grep -c ' T do_blanket_l1_op$')" = 1 ] ||
		{ echo "FAIL: do_blanket_l1_op is not in the hypervisor ($name)"; exit 1; }
	echo "built the hypervisor ($name) in $(($(date +%s) - start)) s"
}
build_variant "debian + XEN_GUEST" CONFIG_XEN_GUEST=y
cp "$tree/xen/xen" "$out/xen"
# Its symbols, for the lab to name the code of an L1 Xen that crashed.
cp "$tree/xen/xen-syms" "$out/xen-syms"
build_variant "debian + XEN_GUEST + FLASK" CONFIG_XEN_GUEST=y CONFIG_XSM=y \
	CONFIG_XSM_FLASK=y '# CONFIG_XSM_FLASK_POLICY is not set'

warnings=$(grep -c -E '(^|: )warning:' "$log" || true)
if [ "$warnings" != 0 ]; then
	grep -E '(^|: )warning:' "$log" | head -n 30
	echo "FAIL: $warnings compiler warning(s)"
	exit 1
fi
echo "PASS: $(ls "$top"/xen/4.17/*.patch | wc -l) patch(es) apply to $(basename "$src"); hypervisor ($out/xen) built with 0 warnings"
