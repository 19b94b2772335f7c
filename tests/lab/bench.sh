#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: the benchmark's run. One L0 boot in which the L1 guest takes
# turns as a Xen guest (xen-netfront, xen-blkfront) and booted nopv
# (blanket_net and blanket_blk, built from the work tree),
# BLANKET_LAB_BENCH_CYCLES (4) times each, in an order swapped every cycle
# (dom0/init.sh), every guest moving TCP both ways and echoing as
# transfer.sh does (see run.sh bench), then running the block benchmark on
# its disk (guest/lib.sh's lab_blk_bench).
#
# A cycle, both guests in one boot, is the unit of fairness. A boot that
# died of an emulator fault (host/fault.py) after every guest it finished
# had passed (run.sh's bench_resume=yes) is followed by one more for the
# cycles it did not finish, each in its own order; the cycle it was in is
# dropped whole. At most 2 such faults: the third, or any other failure,
# fails the run. Each boot is a run in the result file (attempt 1, 2, ...),
# BLANKET_LAB_RESULTS or else build/lab/bench.json; bench-report.sh prints
# the ratios of every finished cycle of every boot (main.sh runs it; so
# can you, on that file).
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
dir=$top/build/lab-bench
max_faults=2

rm -rf "$dir/extra"
mkdir -p "$dir/extra/bench" "$out"
build_modules "$dir/src"
cp "$dir"/src/blanket_{xenbus,net,blk}.ko "$dir/extra/bench/"
cp "$lab/guest/bench.sh" "$dir/extra/run.sh"
if [ -z "${BLANKET_LAB_RESULTS:-}" ]; then
	export BLANKET_LAB_RESULTS=$out/bench.json
	: >"$BLANKET_LAB_RESULTS"
fi

todo=$(seq -s ' ' 0 $((${BLANKET_LAB_BENCH_CYCLES:-4} - 1)))
died=()
for ((boot = 1; ; boot++)); do
	log "bench boot $boot: cycles $todo"
	BLANKET_LAB_ATTEMPT=$boot "$lab/run.sh" bench --extra "$dir/extra" \
		--cycles "${todo// /,}" "$@" | tee "$dir/boot.log" && break
	# run.sh's last line says why; a fault that is not the emulator's,
	# or a finished guest that failed, stands.
	grep -qx 'bench_resume=yes' "$dir/boot.log" || exit 1
	finished=$(sed -n 's/^DOM0: bench_cycle=\([0-9]*\) .*/\1/p' "$dir/boot.log" | xargs)
	name=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$dir/boot.log")
	fault=$(sed -n 's/^fault=//p' "$dir/boot.log")
	died+=("$name ($fault, cycles finished: ${finished:-none})")
	todo=$(for c in $todo; do [[ " $finished " == *" $c "* ]] || echo "$c"; done | xargs)
	# Dom0 died after its last cycle: every cycle is in, and was judged.
	[ -n "$todo" ] || break
	if [ "$boot" -gt "$max_faults" ]; then
		all=$(printf '%s; ' "${died[@]}")
		echo "lab bench: FAIL: $boot boots died of emulator faults: ${all%; }"
		exit 1
	fi
	echo "note: bench boot $boot died: ${died[-1]}; booting again for cycles $todo"
done
echo "lab bench: PASS ($boot boot(s)${died[0]:+, ${#died[@]} of them died of an emulator fault};" \
	"results in $BLANKET_LAB_RESULTS)"
