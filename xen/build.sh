#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make xen-check`: for each Xen line in xen/ (a directory of patches named
# after it), fetch the source of that Debian release's Xen with apt-get
# source (cached), apply the line's patches to a fresh copy, and build only
# the hypervisor, with CONFIG_XEN_GUEST=y, with and without FLASK, failing
# on any compiler warning. apt runs on a private source list and state, so
# the machine's own apt configuration is left alone.
#
#   xen/build.sh [LINE...]	LINE 4.17 (Debian 12, into build/xen: the
#				lab's L1 Xen) or 4.20 (Debian 13, into
#				build/xen-4.20); default both
#
# Prints one PASS:, FAIL: or SKIP: line a Xen line, then "N passed, N
# failed". A line is skipped only when the archive lists its source
# package but serves none of its versions' files (404); anything else
# that goes wrong fails.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${BLANKET_XEN_JOBS:-2}
make_args=(XEN_TARGET_ARCH=x86_64 XEN_COMPILE_ARCH=x86_64)
passed=0
failed=0

stage() { echo "== $* ($(date +%T))"; }
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

. "$top/scripts/apt-private.sh"

# fetch LINE SUITE OUT: Debian's source package into OUT/src, once. The
# security archive lists updates whose sources its mirror may not carry;
# then take the release's own. Exit 2: the archive serves neither.
fetch() {
	local line=$1 suite=$2 out=$3 apt_dir=$3/apt src_cache=$3/src

	ls -d "$src_cache"/xen-*/xen >/dev/null 2>&1 && return 0
	stage "$line: apt-get source xen ($suite, $suite-security)"
	rm -rf "$src_cache"
	mkdir -p "$src_cache"
	apt_private_init "$apt_dir" \
		"deb-src http://deb.debian.org/debian $suite main" \
		"deb-src http://deb.debian.org/debian-security $suite-security main"
	apt_private "$apt_dir" update >"$out/apt.log" 2>&1 || return 1
	(cd "$src_cache" && { apt_private "$apt_dir" source xen ||
		apt_private "$apt_dir" source "xen/$suite"; }) >>"$out/apt.log" 2>&1 &&
		return 0
	rm -rf "$src_cache"
	grep -q '^E: Failed to fetch .* 404 ' "$out/apt.log" &&
		! grep -v ' 404 ' "$out/apt.log" | grep -q '^E: Failed to fetch http' &&
		return 2
	return 1
}

# variant LINE TREE LOG NAME OPTION...: Debian's configuration plus
# OPTIONs, then the hypervisor; it must have the hypercall.
variant() {
	local line=$1 tree=$2 log=$3 name=$4 start opt

	shift 4
	stage "$line: building the hypervisor: $name (-j$jobs)"
	cp "$tree/debian/xen-kconfig" "$tree/xen/.config"
	printf '%s\n' "$@" >>"$tree/xen/.config"
	make -C "$tree/xen" "${make_args[@]}" olddefconfig >>"$log" 2>&1 ||
		{ tail -n 20 "$log"; echo "$line: olddefconfig failed ($name)"; return 1; }
	for opt in "$@"; do
		grep -qx "$opt" "$tree/xen/.config" ||
			{ echo "$line: $opt did not survive olddefconfig"; return 1; }
	done
	start=$(date +%s)
	if ! make -C "$tree/xen" "${make_args[@]}" -j"$jobs" >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -n 30
		echo "$line: the hypervisor did not build ($name)"
		return 1
	fi
	[ "$(nm "$tree/xen/xen-syms" | grep -c ' T do_blanket_l1_op$')" = 1 ] ||
		{ echo "$line: do_blanket_l1_op is not in the hypervisor ($name)"; return 1; }
	echo "$line: built the hypervisor ($name) in $(($(date +%s) - start)) s"
}

# build LINE SUITE OUT: the line's patches on Debian's source, the
# hypervisor twice; the one without FLASK, and its symbols (for the lab
# to name the code of an L1 Xen that crashed), left in OUT.
build() {
	local line=$1 suite=$2 out=$3 tree=$3/tree log=$3/build.log
	local src p n warnings rc

	mkdir -p "$out"
	fetch "$line" "$suite" "$out"
	rc=$?
	if [ $rc = 2 ]; then
		skip "xen $line: the archive lists Debian's xen source for $suite but serves none of its files"
		return
	elif [ $rc != 0 ]; then
		tail -n 20 "$out/apt.log"
		fail "xen $line: apt-get source xen ($suite)"
		return
	fi
	src=$(ls -d "$out"/src/xen-*/ | tail -n 1)
	echo "$line: source $(basename "$src")"

	stage "$line: applying xen/$line/*.patch"
	: >"$out/apply.log"
	rm -rf "$tree"
	cp -a "$src" "$tree"
	n=0
	for p in "$top/xen/$line"/*.patch; do
		# git apply allows no fuzz: "cleanly" means exactly.
		if ! (cd "$tree" && GIT_CEILING_DIRECTORIES=$out git apply --verbose "$p") \
			>>"$out/apply.log" 2>&1; then
			cat "$out/apply.log"
			fail "xen $line: $(basename "$p") does not apply to $(basename "$src")"
			return
		fi
		n=$((n + 1))
	done
	# Both sides use the ABI header by value: the copy must not drift.
	if ! cmp "$top/include/blanket/l1_abi.h" "$tree/xen/include/xen/blanket-l1-abi.h"; then
		fail "xen $line: the patch's ABI header differs from include/blanket/l1_abi.h"
		return
	fi

	# FLASK without its built-in policy, which would need checkpolicy.
	: >"$log"
	if ! variant "$line" "$tree" "$log" "debian + XEN_GUEST" CONFIG_XEN_GUEST=y; then
		fail "xen $line: hypervisor build (debian + XEN_GUEST)"
		return
	fi
	cp "$tree/xen/xen" "$out/xen"
	cp "$tree/xen/xen-syms" "$out/xen-syms"
	if ! variant "$line" "$tree" "$log" "debian + XEN_GUEST + FLASK" \
		CONFIG_XEN_GUEST=y CONFIG_XSM=y CONFIG_XSM_FLASK=y \
		'# CONFIG_XSM_FLASK_POLICY is not set'; then
		fail "xen $line: hypervisor build (debian + XEN_GUEST + FLASK)"
		return
	fi

	warnings=$(grep -c -E '(^|: )warning:' "$log")
	if [ "$warnings" != 0 ]; then
		grep -E '(^|: )warning:' "$log" | head -n 30
		fail "xen $line: $warnings compiler warning(s)"
		return
	fi
	pass "xen $line: $n patch(es) apply to $(basename "$src"); hypervisor (${out#"$top"/}/xen) built with and without FLASK, 0 warnings"
}

[ $# -gt 0 ] || set -- 4.17 4.20
for line in "$@"; do
	case $line in
	4.17) build 4.17 bookworm "$top/build/xen" ;;
	4.20) build 4.20 trixie "$top/build/xen-4.20" ;;
	*) fail "xen $line: no such line (4.17, 4.20)" ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
