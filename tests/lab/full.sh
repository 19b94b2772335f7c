#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lab-full`: what `make lab` leaves out for its cost, none of what it
# runs. Forwarded mode's comparison (blanket-direct.sh forwarded --compare,
# guest/compare.sh): in the patched L1 Xen's Dom0, blanket's net and disk
# against L0's emulated e1000 and IDE disk, what that Dom0 has without
# blanket, and an L2 guest's transfer and block jobs through blanket against
# the L1 Dom0's own. A run that died of a known emulator fault gets one more
# go (lib.sh's lab_attempts). Writes build/lab/full-result.json, then
# compare-report.sh: the figures, with forwarded against direct mode if
# make lab's build/lab/result.json has a bench run; last the table of the
# ratios and the issue's targets, a pass or miss line each (results.py
# comparison). Exits 0 if the run passed, whatever the targets say.
set -uo pipefail

. "$(dirname "$0")/host/lib.sh"
status=0

mkdir -p "$top/build" "$out"
export BLANKET_LAB_RESULTS=$out/full-result.json
: >"$BLANKET_LAB_RESULTS"
start=$(date +%s)
lab_attempts "$top/build/lab-full.log" "$top/tests/lab/blanket-direct.sh" forwarded --compare ||
	status=1
tail -n 1 "$top/build/lab-full.log"
python3 "$lab/results.py" table "$BLANKET_LAB_RESULTS"
"$lab/compare-report.sh" "$BLANKET_LAB_RESULTS" "$out/result.json" || status=1
echo "lab-full: $(( $(date +%s) - start )) s; results in ${BLANKET_LAB_RESULTS#"$top/"}," \
	"the log in build/lab-full.log and the run in ${out#"$top/"}/runs/last-forwarded-compare"
# Last, the ratios and the targets, from the compare object just recorded.
python3 "$lab/results.py" comparison "$BLANKET_LAB_RESULTS"
exit $status
