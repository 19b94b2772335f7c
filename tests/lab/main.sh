#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lab`, the main job: a real Xen L0 in QEMU, booted twice with the
# same L1 guest. First as a normal Xen guest, the in-tree front ends as
# the baseline; then with "nopv" and blanket's modules, which must reach
# L0 in direct mode and find the guest's vif and vbd on the blanket bus.
# Prints a short summary; exits 0 only if both runs pass.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
runs=$top/build/lab/runs
status=0

start=$(date +%s)
"$top/tests/lab/run.sh" baseline >"$top/build/lab-baseline.log" 2>&1 || status=1
"$top/tests/lab/blanket-direct.sh" >"$top/build/lab-blanket.log" 2>&1 || status=1

echo "== baseline: in-tree xen-netfront / xen-blkfront"
grep -hE '^LAB: (net|ping|disk)' "$runs/last-baseline/summary.txt" 2>/dev/null
tail -n 1 "$top/build/lab-baseline.log"
echo "== blanket, direct mode (L1 booted nopv)"
grep -hE '^LAB-EXTRA: (blanket_device|transport|xs_|grant_frames|upcalls|hypercalls_)' \
	"$runs/last-nopv/summary.txt" 2>/dev/null
tail -n 1 "$top/build/lab-blanket.log"
echo "lab: $(( $(date +%s) - start )) s; logs in build/lab-*.log and build/lab/runs/"
exit $status
