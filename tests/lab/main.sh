#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lab`, the main job: a real Xen L0 in QEMU, and in it the L1 guest
# five times. First as a normal Xen guest, the in-tree front ends as the
# baseline; then booted "nopv" with blanket's modules, which must reach L0
# in direct mode and find the guest's vif and vbd on the blanket bus, once
# as loaded by default and once untrusting L0 (trusted=0, no persistent
# grants); then as the patched L1 Xen (4.17, built by xen/build.sh) whose PV
# Dom0 runs blanket in forwarded mode and hosts an L2 guest on blnet0 and
# a carve of the bvd: the path blanket is for; then the benchmark
# (bench.sh, reported by bench-report.sh), where one L0 boot has the guest
# take turns with either pair of front ends. A run that died of a known
# emulator fault gets one more go (lib.sh's lab_attempts); the benchmark
# boots again by itself for the cycles such a fault cut short or left
# (bench.sh), and gets no other. Writes build/lab/result.json
# (results.py), prints a short summary that ends with the table of the
# benchmark's ratios (results.py ratios); exits 0 only if all five runs
# pass.
set -uo pipefail

. "$(dirname "$0")/host/lib.sh"
status=0

mkdir -p "$top/build" "$out"
export BLANKET_LAB_RESULTS=$out/result.json
: >"$BLANKET_LAB_RESULTS"
start=$(date +%s)
lab_attempts "$top/build/lab-baseline.log" "$top/tests/lab/run.sh" baseline || status=1
lab_attempts "$top/build/lab-blanket.log" "$top/tests/lab/blanket-direct.sh" || status=1
lab_attempts "$top/build/lab-untrusted.log" "$top/tests/lab/blanket-direct.sh" nopv --untrusted ||
	status=1
if "$top/xen/build.sh" 4.17 >"$top/build/xen-check.log" 2>&1; then
	lab_attempts "$top/build/lab-forwarded.log" "$top/tests/lab/blanket-direct.sh" forwarded ||
		status=1
else
	tail -n 5 "$top/build/xen-check.log"
	echo "lab forwarded: FAIL: the L1 Xen did not build (build/xen-check.log)" \
		>"$top/build/lab-forwarded.log"
	status=1
fi
"$top/tests/lab/bench.sh" >"$top/build/lab-bench.log" 2>&1 || status=1

echo "== every run: its verdict, its fault if it died, its checks"
python3 "$lab/results.py" table "$BLANKET_LAB_RESULTS"
# Each run's result lines that tests/lab/keys shows for its mode, and its
# verdict.
show() { python3 "$lab/results.py" show "$BLANKET_LAB_RESULTS" "$1"; }
echo "== baseline: in-tree xen-netfront / xen-blkfront"
show baseline
tail -n 1 "$top/build/lab-baseline.log"
echo "== blanket, direct mode (L1 booted nopv)"
show nopv
tail -n 1 "$top/build/lab-blanket.log"
echo "== blanket, direct mode, untrusting L0 (trusted=0, no persistent grants)"
tail -n 1 "$top/build/lab-untrusted.log"
echo "== blanket, forwarded mode (the patched L1 Xen's Dom0, an L2 guest on blnet0 and a carve of bvd0)"
show forwarded
tail -n 1 "$top/build/lab-forwarded.log"
echo "== the benchmark (bench.sh)"
tail -n 1 "$top/build/lab-bench.log"
"$lab/bench-report.sh" "$BLANKET_LAB_RESULTS"
echo "lab: $(( $(date +%s) - start )) s; results in build/lab/result.json" \
	"(tests/lab/results.py table), logs in build/lab-*.log and build/lab/runs/"
# Last, the benchmark's ratios, from the figures bench-report.sh recorded.
python3 "$lab/results.py" ratios "$BLANKET_LAB_RESULTS"
exit $status
