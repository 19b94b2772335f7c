#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-report.sh [FILE]: the benchmark's report on the last benchmark of
# result file FILE (by default $BLANKET_LAB_RESULTS, make lab's; each
# cycle that one of its boots finished, results.py pool): for
# blanket_net vs xen-netfront the TCP throughput ratios, the echo rate and
# what a MiB cost; for blanket_blk vs xen-blkfront one line per fio job of
# lab_blk_bench (guest/lib.sh), its ratio and per-MiB costs. Appends the
# figures to FILE as a bench object (results.py bench).
# main.sh runs it; run it on a lone bench.sh's build/lab/bench.json too.
set -uo pipefail

. "$(dirname "$0")/host/lib.sh"
res=${1:-${BLANKET_LAB_RESULTS:?no result file}}

# pool KEY FIELD HOW: FIELD of KEY's lines in the benchmark's pooled
# cycles (results.py pool).
pool() { python3 "$lab/results.py" pool "$res" bench "$@"; }
# tcp_ratio DIRECTION: the ratio of the medians of all rounds, the range
# the quartiles of the two drivers' rounds allow (the worst case first),
# and each cycle's ratio (its two guests' medians).
tcp_ratio() {
	local b t bc tc i per=

	b=$(pool "blanket_tcp_$1" all join) t=$(pool "tcp_$1" all join)
	bc=$(pool "blanket_tcp_$1" centiseconds join) tc=$(pool "tcp_$1" centiseconds join)
	for ((i = 1; i <= $(tr ',' '\n' <<<"$bc" | grep -c .); i++)); do
		per="$per $(ratio "$(cut -d, -f$i <<<"$bc")" "$(cut -d, -f$i <<<"$tc")")"
	done
	echo "ratio $(ratio "$(quartile 2 "$b")" "$(quartile 2 "$t")")" \
		"(quartiles: $(ratio "$(quartile 3 "$b")" "$(quartile 1 "$t")") to" \
		"$(ratio "$(quartile 1 "$b")" "$(quartile 3 "$t")"); cycles:$per)"
}
# mib KEY: the MiB that KEY's transfers moved, all guests.
mib() {
	awk -v b="$(pool "$1" bytes mean)" -v r="$(pool "$1" rounds sum)" \
		'BEGIN { if (b > 0 && r > 0) printf "%.3f", b * r / 1048576 }'
}
# both KEY FIELD: in-tree's and blanket's totals of FIELD per MiB
# of both directions; KEY's blanket line is blanket_KEY.
mib_tree=$(awk -v a="$(mib tcp_rx)" -v b="$(mib tcp_tx)" 'BEGIN { print a + b }')
mib_blanket=$(awk -v a="$(mib blanket_tcp_rx)" -v b="$(mib blanket_tcp_tx)" 'BEGIN { print a + b }')
both() {
	echo "$(per "$(pool "$1" "$2" sum)" "$mib_tree") /" \
		"$(per "$(pool "blanket_$1" "blanket_$2" sum)" "$mib_blanket")"
}
# dir DIRECTION FIELD [DECIMALS]: FIELD per MiB of that direction, in-tree / blanket.
dir() {
	echo "$(per "$(pool "tcp_$1" "$2" sum)" "$(mib "tcp_$1")" "${3:-0}") /" \
		"$(per "$(pool "blanket_tcp_$1" "$2" sum)" "$(mib "blanket_tcp_$1")" "${3:-0}")"
}
# per_pkt DIRECTION: notifications per packet sent, in-tree / blanket.
per_pkt() {
	echo "$(per "$(pool "tcp_$1" l0_irqs sum)" "$(pool "tcp_$1" pkts_out sum)" 2) /" \
		"$(per "$(pool "blanket_tcp_$1" l0_irqs sum)" "$(pool "blanket_tcp_$1" pkts_out sum)" 2)"
}
# echo_time KEY: centiseconds per echo over all guests.
echo_time() { per "$(pool "$1" centiseconds sum)" "$(pool "$1" echoes sum)" 4; }

echo "== benchmark: blanket_net vs xen-netfront, the guests taking turns in each cycle's L0 boot"
echo "   (QEMU TCG, nested: absolute numbers mean nothing, only the ratios)"
echo "   ($(pool tcp_rx rounds join | tr ',' '\n' | grep -c .) cycles; TCP: the median of" \
	"$(pool tcp_rx rounds sum) rounds each way per driver, every one checked by digest)"
echo "TCP into L1:    $(tcp_ratio rx) (blanket/in-tree throughput)"
echo "TCP out of L1:  $(tcp_ratio tx)"
echo "echoes per second (ping -A, 1000 per guest): ratio $(ratio "$(echo_time blanket_tcp_pps)" \
	"$(echo_time tcp_pps)")"
echo "per MiB moved, in-tree / blanket (netback's: its interrupts in L0's Dom0):"
echo "  L0 events taken by the front end:  $(both tcp_events tcp_events)"
echo "  notifications sent (EVTCHNOP_send): $(both tcp_events tcp_sends)" \
	"(in-tree: a kprobe on notify_remote_via_irq)"
echo "  notifications netback took: $(both tcp_events tcp_l0_irqs)" \
	"(TX channel $(both tcp_events tcp_l0_irqs_tx), RX channel $(both tcp_events tcp_l0_irqs_rx))"
echo "    of those, per MiB of TCP into L1: $(dir rx l0_irqs); out of L1: $(dir tx l0_irqs)"
echo "  packets sent per MiB (TSO-sized): into L1 (ACKs) $(dir rx pkts_out); out of L1 $(dir tx pkts_out)"
echo "  notifications per packet sent: into L1 $(per_pkt rx); out of L1 $(per_pkt tx)"
echo "  TCP's smoothed RTT: into L1 $(pool tcp_rx srtt_us mean) / $(pool blanket_tcp_rx srtt_us mean) us;" \
	"out of L1 $(pool tcp_tx srtt_us mean) / $(pool blanket_tcp_tx srtt_us mean) us," \
	"cwnd $(pool tcp_tx cwnd mean) / $(pool blanket_tcp_tx cwnd mean)"
echo "  the guest's CPU time, in ticks of 10 ms: busy into L1 $(dir rx busy_cs 1), out of L1 $(dir tx busy_cs 1);" \
	"idle into L1 $(dir rx idle_cs 1), out of L1 $(dir tx idle_cs 1)"
echo "  L0 hypercalls, all kinds: blanket $(per "$(pool blanket_tcp_events blanket_tcp_hypercalls sum)" \
	"$mib_blanket") (in-tree: only its sends are seen)"

# blk_rate JOB [blanket_]: the median over all guests of the job's IOPS
# (random jobs) or KiB/s (sequential ones), in-tree's or blanket's.
blk_rate() { pool "${2:-}bench_$1" "$(blk_field "$1")" median; }
# blk_per KEY FIELD: FIELD per MiB that KEY's jobs moved, all guests.
blk_per() {
	per "$(pool "$1" "$2" sum)" \
		"$(awk -v k="$(pool "$1" kib sum)" 'BEGIN { if (k > 0) print k / 1024 }')" 1
}
# blk_both JOB FIELD: the same of the job, in-tree / blanket.
blk_both() { echo "$(blk_per "bench_$1" "$2") / $(blk_per "blanket_bench_$1" "$2")"; }
echo "== benchmark: blanket_blk vs xen-blkfront, fio on the same region of the vbd, same boots"
echo "   (4k random, 1M sequential; direct I/O, libaio, 2 s ramp + 5 s each; the median of" \
	"$(pool bench_randread_qd1 iops join | tr ',' '\n' | grep -c .) guests per driver)"
echo "   per MiB moved, in-tree / blanket: the front end's L0 events, its notifications" \
	"(in-tree: the kprobe), blkback's interrupts in L0's Dom0; blanket's hypercalls, grant table ops"
printf '%-15s %5s %9s %9s | %-13s %-13s %-13s %7s %5s\n' job ratio in-tree blanket \
	events sends blkback hcalls gnt
for j in $blk_jobs; do
	printf '%-15s %5s %9s %9s | %-13s %-13s %-13s %7s %5s\n' "$j" \
		"$(over "$(blk_rate "$j" blanket_)" "$(blk_rate "$j")")" \
		"$(blk_rate "$j")" "$(blk_rate "$j" blanket_)" \
		"$(blk_both "$j" events)" "$(blk_both "$j" sends)" "$(blk_both "$j" l0_irqs)" \
		"$(blk_per "blanket_bench_$j" hypercalls)" "$(blk_per "blanket_bench_$j" grant_ops)"
done
echo "   (ratio: blanket's IOPS or KiB/s over in-tree's, higher is better for blanket)"
# The benchmark's figures, per driver, per cycle and pooled, in the result
# file as well (results.py bench; results.py ratios prints their table).
python3 "$lab/results.py" bench "$res"
