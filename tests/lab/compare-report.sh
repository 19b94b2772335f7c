#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compare-report.sh FILE [BENCH_FILE]: the report on forwarded mode's
# comparison (make lab-full: guest/compare.sh, l2/init.sh) in the last
# "forwarded compare" run of result file FILE: blanket in the L1 Dom0
# against L0's emulated e1000 and IDE disk, the same TCP rounds, echoes and
# block jobs; the L2 guest's figures against the L1 Dom0's own through
# blanket; and if BENCH_FILE (by default FILE) holds a bench run
# (bench.sh, make lab's), forwarded mode against direct mode: the same
# rounds and jobs, and per MiB the hypercalls forwarded and the events
# relayed. Appends the figures to FILE as a compare object (results.py
# compare; `results.py comparison FILE` prints its ratios and the issue's
# targets).
set -uo pipefail

. "$(dirname "$0")/host/lib.sh"
res=${1:?usage: compare-report.sh FILE [BENCH_FILE]}
bench_res=${2:-$res}

# pool KEY FIELD HOW: FIELD of KEY's lines in the comparison's run;
# bench_pool the same in the bench run (results.py pool).
pool() { python3 "$lab/results.py" pool "$res" "forwarded compare" "$@"; }
bench_pool() { python3 "$lab/results.py" pool "$bench_res" bench "$@"; }
# tcp A B DIRECTION [POOL]: A's TCP throughput over B's (the ratio of the
# medians of their rounds), B's lines from POOL (by default the
# comparison's run too).
tcp() {
	ratio "$(quartile 2 "$(pool "$1_$3" all join)")" \
		"$(quartile 2 "$(${4:-pool} "$2_$3" all join)")"
}
# echo_time POOL KEY: centiseconds per echo.
echo_time() { per "$($1 "$2" centiseconds sum)" "$($1 "$2" echoes sum)" 4; }
# rate POOL PREFIX JOB: the job's IOPS or KiB/s, the median of its lines.
rate() { $1 "$2_$3" "$(blk_field "$3")" median; }
# mib POOL KEY: the MiB that KEY's transfers moved.
mib() {
	awk -v b="$($1 "$2" bytes mean)" -v r="$($1 "$2" rounds sum)" \
		'BEGIN { if (b > 0 && r > 0) printf "%.3f", b * r / 1048576 }'
}
# net_per POOL TAG FIELD: FIELD of TAG_events per MiB of TAG's both ways.
net_per() {
	per "$($1 "$2_events" "$2_$3" sum)" \
		"$(awk -v a="$(mib "$1" "$2_rx")" -v b="$(mib "$1" "$2_tx")" 'BEGIN { print a + b }')" 1
}
# blk_per POOL KEY FIELD: FIELD per MiB that KEY's jobs moved.
blk_per() {
	per "$($1 "$2" "$3" sum)" "$(awk -v k="$($1 "$2" kib sum)" 'BEGIN { if (k > 0) print k / 1024 }')" 1
}

if [ -z "$(pool fwd_tcp_rx all first)" ]; then
	echo "== comparison: no forwarded run with the comparison in $res"
	exit 1
fi
rx=$(tcp fwd_tcp emu_tcp rx) tx=$(tcp fwd_tcp emu_tcp tx)
echo "== comparison, forwarded mode: blanket (blnet0, bvd0) vs L0's emulated e1000 and IDE disk,"
echo "   in the L1 Dom0 of one boot ($(pool fwd_tcp_rx rounds first) TCP rounds each way, 1000 echoes;" \
	"QEMU TCG, nested: only the ratios mean anything)"
echo "TCP into the L1 Dom0:   blanket/emulated $rx"
echo "TCP out of the L1 Dom0: blanket/emulated $tx"
echo "echoes:                 blanket/emulated" \
	"$(ratio "$(echo_time pool fwd_tcp_pps)" "$(echo_time pool emu_tcp_pps)")"
printf '%-15s %9s %9s %9s %9s %9s\n' job blanket emulated 'b/e' L2 'L2/b'
for j in $blk_jobs; do
	printf '%-15s %9s %9s %9s %9s %9s\n' "$j" "$(rate pool fwd_bench "$j")" \
		"$(rate pool emu_bench "$j")" \
		"$(over "$(rate pool fwd_bench "$j")" "$(rate pool emu_bench "$j")")" \
		"$(rate pool L2:bench "$j")" \
		"$(over "$(rate pool L2:bench "$j")" "$(rate pool fwd_bench "$j")")"
done
echo "   (IOPS for random jobs, KiB/s for sequential ones; L2: the L2 guest on its carve of bvd0)"
l2rx=$(ratio "$(quartile 2 "$(pool L2:tcp_rx all join)")" "$(quartile 2 "$(pool fwd_tcp_rx all join)")")
l2tx=$(ratio "$(quartile 2 "$(pool L2:tcp_tx all join)")" "$(quartile 2 "$(pool fwd_tcp_tx all join)")")
echo "the L2 guest over the L1 Dom0 through blanket: TCP into $l2rx, out of $l2tx; echoes" \
	"$(ratio "$(echo_time pool L2:tcp_pps)" "$(echo_time pool fwd_tcp_pps)")"
echo "per MiB: the e1000's interrupts in the L1 Dom0 $(per "$(pool emu_tcp_irqs emu_tcp_irqs sum)" \
	"$(awk -v a="$(mib pool emu_tcp_rx)" -v b="$(mib pool emu_tcp_tx)" 'BEGIN { print a + b }')" 1);" \
	"blanket's L0 events $(net_per pool fwd_tcp events), hypercalls $(net_per pool fwd_tcp hypercalls);" \
	"4k random reads at iodepth 1: ata_piix's interrupts $(blk_per pool emu_bench_randread_qd1 irqs)," \
	"blanket's events $(blk_per pool fwd_bench_randread_qd1 events)"
# The figures, per path and their ratios, in the result file as well.
python3 "$lab/results.py" compare "$res" "$bench_res"

# Forwarded against direct: bench.sh's nopv guests moved the same rounds
# through blnet0 and ran the same jobs on their bvd, another boot.
if [ -n "$(bench_pool blanket_tcp_rx all first)" ]; then
	echo "== forwarded vs direct mode (the nopv guests of $bench_res's bench run; other boots)"
	echo "TCP into: forwarded/direct $(tcp fwd_tcp blanket_tcp rx bench_pool);" \
		"out of: $(tcp fwd_tcp blanket_tcp tx bench_pool); echoes" \
		"$(ratio "$(echo_time pool fwd_tcp_pps)" "$(echo_time bench_pool blanket_tcp_pps)");" \
		"4k random read IOPS, iodepth 1:" \
		"$(over "$(rate pool fwd_bench randread_qd1)" "$(rate bench_pool blanket_bench randread_qd1)"), iodepth 32:" \
		"$(over "$(rate pool fwd_bench randread_qd32)" "$(rate bench_pool blanket_bench randread_qd32)")"
	echo "the hop through L1 Xen, per MiB forwarded / direct: TCP: hypercalls" \
		"$(net_per pool fwd_tcp hypercalls) / $(net_per bench_pool blanket_tcp hypercalls)," \
		"L0 events $(net_per pool fwd_tcp events) / $(net_per bench_pool blanket_tcp events);" \
		"4k random reads at iodepth 1: hypercalls $(blk_per pool fwd_bench_randread_qd1 hypercalls) /" \
		"$(blk_per bench_pool blanket_bench_randread_qd1 hypercalls), events" \
		"$(blk_per pool fwd_bench_randread_qd1 events) / $(blk_per bench_pool blanket_bench_randread_qd1 events)"
else
	echo "forwarded vs direct: no bench run in $bench_res"
fi
