#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh MODE COUNT [RESULTS]: how reliable the lab is in one mode
# (baseline, nopv or forwarded): COUNT runs, each as `make lab` and
# `make check` run it (lab_attempts: one more go for an emulator fault),
# all into one result file (RESULTS, default build/lab/soak-MODE.json).
# Prints the runs, passes, emulator retries and other failures.
set -uo pipefail

. "$(dirname "$0")/host/lib.sh"
mode=${1:?usage: soak.sh baseline|nopv|forwarded COUNT [RESULTS]}
count=${2:?usage: soak.sh baseline|nopv|forwarded COUNT [RESULTS]}
export BLANKET_LAB_RESULTS=${3:-$out/soak-$mode.json}
case $mode in
baseline) cmd=("$lab/run.sh" baseline) ;;
nopv | forwarded) cmd=("$lab/blanket-direct.sh" "$mode") ;;
*) die "soak.sh: no mode $mode" ;;
esac
[ "$mode" != forwarded ] || [ -f "${BLANKET_L1_XEN:-$top/build/xen/xen}" ] ||
	die "no L1 Xen: run make xen-check"

mkdir -p "$out/soak"
passed=0
for ((i = 1; i <= count; i++)); do
	lab_attempts "$out/soak/$mode-$i.log" "${cmd[@]}" && passed=$((passed + 1))
	log "soak $mode $i/$count: $(tail -n 1 "$out/soak/$mode-$i.log")"
done
python3 "$lab/results.py" soak "$BLANKET_LAB_RESULTS"
echo "soak $mode: $passed of $count passed"
