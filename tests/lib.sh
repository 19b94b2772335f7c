# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # top, out, pass, fail: the caller's
#
# Sourced by tests/run.sh and tests/matrix.sh, which define $top, $out and
# pass/fail: the copy of the sources a build gets, and the build that must
# come out free of compiler and sparse diagnostics, on the host or inside
# a suite chroot (tests/chroot.sh).

# Sources, in a copy per target: objects of two kernels must not mix.
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$top" && git ls-files -co --exclude-standard -z -- \
		Kbuild Makefile include blanket_xenbus blanket_net blanket_blk dist \
		tests/kunit tests/harness |
		xargs -0 cp --parents -t "$1")
}

# build_clean NAME DIR KDIR [SUITE [C]]: a W=1 + sparse build (C=0: W=1
# alone) of a copy of the sources in DIR against KDIR, in SUITE's chroot if
# given (DIR is then a path inside it). A kbuild run whose output has a
# compiler or sparse diagnostic fails, and so does one whose kernel
# Makefile turned sparse off.
build_clean() {
	local name=$1 dir=$2 kdir=$3 suite=${4:-} check=${5:-1} log=$out/$1.log
	local run=() root=

	if [ -n "$suite" ]; then
		root=$("$top/tests/chroot.sh" root "$suite") || { fail "$name"; return; }
		run=("$top/tests/chroot.sh" run "$suite")
	fi
	copy_tree "$root$dir"
	if "${run[@]}" make -j2 -C "$kdir" M="$dir" W=1 C="$check" modules >"$log" 2>&1 &&
	   ! grep -E ': (warning|error):|^WARNING:|C=1 specified, but' "$log"; then
		pass "$name"
	else
		tail -n 30 "$log"
		fail "$name"
	fi
}
