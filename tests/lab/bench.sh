#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: the benchmark's run. One L0 boot in which the L1 guest takes
# turns as a Xen guest (xen-netfront, xen-blkfront) and booted nopv
# (blanket_net and blanket_blk, built from the work tree),
# BLANKET_LAB_BENCH_CYCLES (4) times each, in an order swapped every cycle
# (dom0/init.sh), every guest moving TCP both ways and echoing as
# transfer.sh does (see run.sh bench), then running the block benchmark on
# its disk (guest/lib.sh's lab_blk_bench). bench-report.sh prints the
# ratios (main.sh runs it; so can you, on the run's result.json).
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
dir=$top/build/lab-bench

rm -rf "$dir/extra"
mkdir -p "$dir/extra/bench"
build_modules "$dir/src"
cp "$dir"/src/blanket_{xenbus,net,blk}.ko "$dir/extra/bench/"
cp "$lab/guest/bench.sh" "$dir/extra/run.sh"
exec "$lab/run.sh" bench --extra "$dir/extra" "$@"
