#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# blanket's test run (`make check`): static checks, then every KUnit suite
# inside a real kernel with KASAN, lockdep and kmemleak, booted in QEMU,
# and blanket end to end against a real Xen L0 (tests/lab/): direct mode,
# run beside all that, then forwarded mode under the patched L1 Xen with an
# L2 guest. `tests/run.sh quick` (`make check-quick`) leaves the end-to-end
# runs out. Installs what it needs; the last line is "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check
# Room for a KUnit boot that shares the machine with a lab run (below).
timeout_s=${BLANKET_BOOT_TIMEOUT:-1200}
mode=${1:-all}	# all, quick (no lab), or harness (the checks catch deliberate faults)
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
stage() { echo "== $* ($(date +%T))"; }
# relay CMD...: CMD's PASS:/FAIL: lines counted as ours, its other lines
# shown, its own total left out.
relay() {
	local line

	while read -r line; do
		case $line in
		PASS:*) pass "${line#PASS: }" ;;
		FAIL:*) fail "${line#FAIL: }" ;;
		*" passed, "*" failed") ;;
		*) echo "$line" ;;
		esac
	done < <("$@")
}
finish() {
	# A lab run still going (a setup failure ended this one early) goes too.
	[ -z "${lab_nopv:-}" ] || kill -- -"$lab_nopv" 2>/dev/null
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit
}

# --- what this run needs, installed on a fresh Debian 12 --------------------
pkgs=(build-essential bc flex bison libelf-dev libssl-dev cpio kmod xz-utils
      python3 linux-headers-amd64 linux-source-6.1 sparse busybox-static
      qemu-system-x86 ccache dkms dwarves mmdebstrap debhelper dh-dkms)
missing=()
mkdir -p "$out"
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	stage "installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "run as root, or install: ${missing[*]}"
		fail "dependencies"
		finish
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Waiting for dpkg's lock, which `make lab` may hold.
	apt=(apt-get -q -o DPkg::Lock::Timeout=1800)
	{ "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends \
		"${missing[@]}"; } >"$top/build/apt.log" 2>&1 ||
		{ tail -n 20 "$top/build/apt.log"; fail "dependencies"; finish; }
fi

# --- end to end, direct mode: beside everything up to the forwarded run ------
# The lab's runs (tests/lab/README.md), each given one more go only if it
# died of a known emulator fault; every check tests/lab/checks lists for the
# mode counts, and so does each run's verdict. The direct-mode run starts
# now and the checks below run beside it, reniced: its QEMU keeps the core
# it needs (with a second lab QEMU busy beside it, its guests died of
# emulator faults), theirs take what is left. Its output is shown when
# its turn comes.
lab_res=$out/lab-result.json
: >"$lab_res"
# lab MODE LOG: blanket-direct.sh MODE, results into $lab_res.
lab() {
	(. "$top/tests/lab/host/lib.sh" &&
		BLANKET_LAB_RESULTS=$lab_res lab_attempts "$2" "$top/tests/lab/blanket-direct.sh" "$1")
	tail -n 1 "$2"
	# What failed, and what the kernel said: CI keeps only this output.
	grep -aE '^problem: |=(failed|complained)( |$)|_kernel: |^fault=' "$2" | head -n 40
}
if [ "$mode" = all ]; then
	# A process group of its own (set -m), for finish to stop.
	set -m
	lab nopv "$out/lab-nopv.log" </dev/null >"$out/lab-nopv.out" 2>&1 &
	lab_nopv=$!
	set +m
	renice -n 19 -p $$ >/dev/null
fi

# --- the test kernels ---------------------------------------------------------
# Debian 12's 6.1, and the newest Linux that Debian 13's backports carry.
stage "test kernels"
ksrc=$("$top/tests/kernel/build.sh" | tail -n 1) ||
	{ fail "test kernel build (linux-source-6.1)"; finish; }
knew=$("$top/tests/kernel/build.sh" newest | tail -n 1) ||
	{ fail "test kernel build (trixie-backports' newest linux-source)"; knew=; }
kver() { make -s -C "$1" --no-print-directory kernelversion; }

# --- copies of the sources and their W=1 + sparse builds --------------------
. "$top/tests/lib.sh"

stage "W=1 + sparse build against the test kernels"
build_clean "W=1 sparse build, KUnit kernel $(kver "$ksrc")" "$out/mod-kunit" "$ksrc"
# Debian 12's sparse cannot parse 7.x headers: the build matrix runs a
# newer one on them.
[ -n "$knew" ] && build_clean "W=1 build, KUnit kernel $(kver "$knew")" "$out/mod-kunit-newest" \
	"$knew" "" 0

# --- static checks -------------------------------------------------------------
static_checks() {
	stage "checkpatch --strict"
	# The Xen ABI's enum names are CamelCase; compat.h alone may test versions.
	checkpatch() {
		"$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet --ignore \
			FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE${1:+,$1} -f "${@:2}"
	}
	mapfile -t srcs < <(cd "$top" && git ls-files -co --exclude-standard -- \
		'*.c' '*.h' | grep -v -e '\.mod\.c$' -e '^include/blanket/compat\.h$')
	if (cd "$top" && checkpatch "" "${srcs[@]}" &&
		checkpatch LINUX_VERSION_CODE,CONSTANT_COMPARISON include/blanket/compat.h) \
		>"$out/checkpatch.log" 2>&1; then
		pass "checkpatch --strict ($(( ${#srcs[@]} + 1 )) files)"
	else
		cat "$out/checkpatch.log"
		fail "checkpatch --strict"
	fi

	stage "the lab's fault classifier, result file and comparison verdict, on made-up runs"
	relay bash "$top/tests/lab/host/fault-test.sh"
	relay bash "$top/tests/lab/host/results-test.sh"
	relay bash "$top/tests/lab/host/verdict-test.sh"

	# Every kernel line a user may run, and the .deb where users install
	# it (tests/matrix.sh); its build against the host's own Debian 12
	# headers is the one the checks below look at.
	stage "build matrix: Debian's kernels from 6.1 to experimental; the .deb"
	relay "$top/tests/matrix.sh"
	local mod=$out/matrix/bookworm
	deb_kdir=$(ls -d /usr/src/linux-headers-*-amd64 | sort -V | tail -n 1)
	for m in blanket_xenbus blanket_net blanket_blk; do
		info=$(/sbin/modinfo "$mod/$m.ko" 2>&1)
		if grep -q '^license: *GPL$' <<<"$info" && grep -q '^description:' <<<"$info" &&
		   grep -qx "version: *$(make -s -C "$top" --no-print-directory version)" <<<"$info"; then
			pass "modinfo $m"
		else
			echo "$info"
			fail "modinfo $m"
		fi
	done
	# dkms, as an administrator runs it, into trees of our own: the
	# system's dkms state and /lib/modules stay untouched.
	local dk=$out/dkms kver ver
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$deb_kdir/include/generated/utsrelease.h")
	ver=$(make -s -C "$top" --no-print-directory version)
	rm -rf "$dk"
	mkdir -p "$dk/src" "$dk/tree" "$dk/install/$kver"
	make -s -C "$top" dkms-tree DEST="$dk/src/blanket-$ver" >/dev/null
	if { dkms add -m blanket -v "$ver" --sourcetree "$dk/src" --dkmstree "$dk/tree" &&
	     dkms build -m blanket -v "$ver" -k "$kver" --sourcetree "$dk/src" \
		--dkmstree "$dk/tree" --kernelsourcedir "$deb_kdir" &&
	     dkms install -m blanket -v "$ver" -k "$kver" --sourcetree "$dk/src" \
		--dkmstree "$dk/tree" --installtree "$dk/install"; } >"$out/dkms.log" 2>&1 &&
	   [ "$(find "$dk/install" -name 'blanket_*.ko*' | wc -l)" = 3 ]; then
		pass "dkms add, build, install -k $kver"
	else
		tail -n 20 "$out/dkms.log"
		fail "dkms add, build, install -k $kver"
	fi
	# A kernel that cannot host the modules (here: the same headers
	# without CONFIG_XEN) is skipped, dkms says why, and nothing is built.
	local nox=$dk/kdir-no-xen rc
	cp -a "$deb_kdir/." "$nox"
	sed -i 's/^CONFIG_XEN=y$/# CONFIG_XEN is not set/' "$nox/.config"
	dkms build -m blanket -v "$ver" -k "$kver" --sourcetree "$dk/src" --dkmstree "$dk/tree" \
		--kernelsourcedir "$nox" --force >"$out/dkms-exclusive.log" 2>&1
	rc=$?
	if [ $rc = 77 ] && grep -q 'BUILD_EXCLUSIVE' "$out/dkms-exclusive.log" &&
	   ! grep -q 'CC \[M\]\|make -j' "$out/dkms-exclusive.log"; then
		pass "dkms skips a kernel without CONFIG_XEN (BUILD_EXCLUSIVE_CONFIG), saying so"
	else
		cat "$out/dkms-exclusive.log"
		fail "dkms skips a kernel without CONFIG_XEN (BUILD_EXCLUSIVE_CONFIG), saying so (exit $rc)"
	fi

	deps=$(/sbin/modinfo -F depends "$mod/blanket_net.ko" "$mod/blanket_blk.ko")
	[ "$deps" = $'blanket_xenbus\nblanket_xenbus' ] && pass "net, blk depend on blanket_xenbus" ||
		fail "net, blk depend on blanket_xenbus (got: $deps)"
}
[ "$mode" != harness ] && static_checks

# --- boot the test kernel with our modules -----------------------------------
# Suites the sources declare; every one of them must report.
mapfile -t suites < <(sed -n '/struct kunit_suite .* = {/,/}/s/.*\.name = "\(.*\)".*/\1/p' \
	"$top"/tests/kunit/*.c)

# kunit_boot TAG KSRC MODS [FAULT]: boot KSRC's kernel with our modules
# built against it in MODS (and a deliberate fault), judge the console
# log, and count into the pass/fail totals.
kunit_boot() {
	local tag=$1 ksrc=$2 mods=$3 fault=${4:-} dir=$out/boot-$1 want=("${suites[@]}")
	local log=$dir/console.log rc

	[ -n "$fault" ] && [ "$fault" != missing ] && want+=(blanket_faults)
	mkdir -p "$dir"
	"$top/tests/kernel/initramfs.sh" "$dir/initramfs.cpio.gz" "$mods" \
		"${#want[@]}" "$fault" || { fail "$tag: initramfs"; return; }

	timeout "$timeout_s" qemu-system-x86_64 -machine pc -accel tcg,thread=multi \
		-cpu qemu64 -smp 2 -m 1G -display none -monitor none -nic none \
		-no-reboot -serial "file:$log" \
		-kernel "$ksrc/arch/x86/boot/bzImage" -initrd "$dir/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 oops=panic" </dev/null
	rc=$?
	if [ $rc = 124 ]; then
		fail "$tag: boot finished within ${timeout_s}s (timed out)"
	elif ! grep -q '^blanket-init: done' "$log"; then
		fail "$tag: boot reached the end of the test run (qemu exit $rc)"
	else
		pass "$tag: boot reached the end of the test run"
	fi

	# Anything the kernel's checkers or our init flagged fails the run.
	if grep -nE 'BUG:|WARNING:|Oops|Kernel panic|general protection|unreferenced object|blanket-init: .*failed|Call Trace:' \
		"$log" >"$dir/problems.log"; then
		head -n 40 "$dir/problems.log"
		# A leak report is of no use without where the object came from.
		grep -m 2 -A 24 'unreferenced object' "$log"
		fail "$tag: kernel log clean (KASAN, lockdep, kmemleak, oops, module load)"
	else
		pass "$tag: kernel log clean (KASAN, lockdep, kmemleak, oops, module load)"
	fi

	# The kernel prints an empty KTAP plan for its built-in suites: parse
	# from the plan our init prints for the module suites. Newer kernels
	# print a header and plan for each module and number its suites from
	# 1: one header, one plan, one numbering.
	sed -n '/^blanket-init: start/,$p' "$log" |
		awk '/^KTAP version / { if (header++) next }
		     /^1\.\.[0-9]+\r?$/ { if (plan++) next }
		     /^(not )?ok [0-9]+ / { sub(/[0-9]+/, ++n) }
		     { print }' >"$dir/ktap.log"
	python3 "$ksrc/tools/testing/kunit/kunit.py" parse --json="$dir/kunit.json" \
		"$dir/ktap.log" >"$dir/kunit.txt" 2>&1
	sed -n '/=====/,$p' "$dir/kunit.txt"
	read -r kp kf < <(python3 - "$dir/kunit.json" "${want[@]}" <<'PY'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    data = {"sub_groups": []}
# A parametrised case is a group of its own, one case a parameter.
def cases(group, name):
    for case in group.get("test_cases", []):
        yield "%s.%s" % (name, case["name"]), case.get("status")
    for sub in group.get("sub_groups", []):
        yield from cases(sub, "%s.%s" % (name, sub["name"]))
seen, ok, bad = set(), 0, 0
for suite in data.get("sub_groups", []):
    seen.add(suite["name"])
    for name, status in cases(suite, suite["name"]):
        if status == "PASS":
            ok += 1
        elif status != "SKIP":
            bad += 1
            print("FAIL: %s" % name, file=sys.stderr)
for name in sys.argv[2:]:
    if name not in seen:
        bad += 1
        print("FAIL: suite %s did not run" % name, file=sys.stderr)
print(ok, bad)
PY
)
	echo "$tag: ${kp:-0} KUnit cases passed, ${kf:-1} failed"
	passed=$((passed + ${kp:-0}))
	failed=$((failed + ${kf:-1}))
}

if [ "$mode" = harness ]; then
	# Each deliberate fault must turn an otherwise green run red.
	for fault in fail kasan lockdep atomic_sleep oops leak hang missing; do
		stage "harness: $fault"
		outer_passed=$passed outer_failed=$failed
		passed=0 failed=0
		[ $fault = hang ] && timeout_s=120
		{ kunit_boot "fault-$fault" "$ksrc" "$out/mod-kunit" "$fault"; } >"$out/harness-$fault.log" 2>&1
		timeout_s=${BLANKET_BOOT_TIMEOUT:-1200}
		caught=$failed
		passed=$outer_passed failed=$outer_failed
		if [ "$caught" -gt 0 ]; then
			pass "harness catches $fault ($(grep -c '^FAIL' "$out/harness-$fault.log") failures)"
		else
			fail "harness catches $fault"
		fi
	done
	# The lab's watchdog: a guest that says nothing (lab.stall) is stopped
	# within minutes, dumped, and classed as the emulator's only because
	# none of blanket's code had run in it.
	stage "harness: a silent lab guest"
	log=$out/harness-silent.log
	BLANKET_LAB_GUEST_ARGS=lab.stall=3600 "$top/tests/lab/run.sh" nopv >"$log" 2>&1
	if grep -q '^problem: watchdog: silent' "$log" && grep -qx 'fault=emulator-silent' "$log" &&
	   grep -q '^guest_rip=' "$log" && ! grep -qx 'guest_rip=(no dump)' "$log"; then
		pass "harness: the lab's watchdog stops, dumps and classes a silent guest"
	else
		tail -n 20 "$log"
		fail "harness: the lab's watchdog stops, dumps and classes a silent guest"
	fi
	finish
fi

stage "KUnit in QEMU, Linux $(kver "$ksrc")"
kunit_boot "kunit-$(kver "$ksrc")" "$ksrc" "$out/mod-kunit"
if [ -n "$knew" ]; then
	stage "KUnit in QEMU, Linux $(kver "$knew")"
	kunit_boot "kunit-$(kver "$knew")" "$knew" "$out/mod-kunit-newest"
fi
[ "$mode" = quick ] && finish

# --- the L1 Xen patch, on every Xen line it has ---------------------------------
stage "the L1 Xen patch: build"
"$top/xen/build.sh" >"$out/xen-build.log" 2>&1
xen_rc=$?
relay grep -E '^(PASS|FAIL|SKIP): ' "$out/xen-build.log"
if [ $xen_rc != 0 ]; then
	tail -n 10 "$out/xen-build.log"
	grep -q '^FAIL: ' "$out/xen-build.log" || fail "xen/build.sh (exit $xen_rc)"
fi

# --- end to end: blanket against a real L0 -----------------------------------
stage "end to end: direct mode (the L1 guest booted nopv), started with the checks"
wait "$lab_nopv"
lab_nopv=
cat "$out/lab-nopv.out"
stage "end to end: forwarded mode (the patched L1 Xen, blanket in its Dom0, an L2 guest)"
# The lab's L1 Xen is 4.17's.
if grep -q '^PASS: xen 4\.17: ' "$out/xen-build.log"; then
	lab forwarded "$out/lab-forwarded.log"
fi
python3 "$top/tests/lab/results.py" count "$lab_res" >"$out/lab-count.txt"
grep -E '^(PASS|FAIL): ' "$out/lab-count.txt"
read -r kp kf < <(tail -n 1 "$out/lab-count.txt")
passed=$((passed + ${kp:-0}))
failed=$((failed + ${kf:-0}))
for m in nopv forwarded; do
	grep -q "^[A-Z]*: lab $m: run" "$out/lab-count.txt" || fail "lab $m: the run took place"
done
finish
