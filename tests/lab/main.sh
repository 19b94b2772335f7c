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
# a carve of the bvd: the path blanket is for; then the blanket_net
# benchmark (bench.sh), where one L0 boot has the guest take turns with
# either front end. A run that died of a known emulator fault gets one
# more go (lib.sh's lab_attempts). Writes build/lab/result.json
# (results.py), prints a short summary; exits 0 only if all five runs pass.
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
lab_attempts "$top/build/lab-bench.log" "$top/tests/lab/bench.sh" || status=1

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

# pool LABEL KEY FIELD HOW: FIELD of KEY's lines in LABEL's run (results.py
# pool); field LABEL KEY FIELD: the first of them.
pool_of() { python3 "$lab/results.py" pool "$BLANKET_LAB_RESULTS" "$@"; }
field() { pool_of "$1" "$2" "$3" first; }
# pool KEY FIELD HOW: over the benchmark's run.
pool() { pool_of bench "$@"; }
# Throughput ratio blanket/in-tree of one direction: same bytes, so the
# inverse ratio of the times.
ratio() {
	awk -v b="$1" -v t="$2" 'BEGIN { if (b > 0 && t > 0) printf "%.2f", t / b; else print "n/a" }'
}
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
# per N MIB [DECIMALS]: N per MiB.
per() {
	awk -v n="$1" -v m="$2" -v d="${3:-0}" \
		'BEGIN { if (m > 0 && n != "") printf "%.*f", d, n / m; else print "n/a" }'
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

echo "== benchmark: blanket_net vs xen-netfront, one L0 boot, the guests taking turns"
echo "   (QEMU TCG, nested: absolute numbers mean nothing, only the ratios)"
tail -n 1 "$top/build/lab-bench.log"
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

# Higher is better for both: blanket / in-tree.
over() {
	awk -v b="$1" -v t="$2" 'BEGIN { if (b > 0 && t > 0) printf "%.2f", b / t; else print "n/a" }'
}
# Events per MiB read by fio: events and KiB from one result line.
ev_per_mb() {	# mode key
	awk -v n="$(field "$1" "$2" events)" -v k="$(field "$1" "$2" kib)" \
		'BEGIN { if (k > 0 && n != "") printf "%.1f", n * 1024 / k; else print "n/a" }'
}
echo "== benchmark: blanket_blk vs xen-blkfront, fio on the same vbd, 20 s each"
echo "   (direct I/O, libaio; QEMU TCG, nested: only the ratios mean anything)"
echo "4k random read IOPS (iodepth 16): ratio $(over "$(field nopv blanket_bench_randread iops)" \
	"$(field baseline bench_randread iops)")" \
	"(in-tree $(field baseline bench_randread iops), blanket $(field nopv blanket_bench_randread iops))"
echo "1M sequential read MB/s (iodepth 4): ratio $(over "$(field nopv blanket_bench_seqread kib_s)" \
	"$(field baseline bench_seqread kib_s)")"
echo "L0 events per MB read: random in-tree $(ev_per_mb baseline bench_randread)," \
	"blanket $(ev_per_mb nopv blanket_bench_randread);" \
	"sequential in-tree $(ev_per_mb baseline bench_seqread), blanket $(ev_per_mb nopv blanket_bench_seqread)"
# The headline ratios (blanket / in-tree) in the result file as well.
figure() { python3 "$lab/results.py" figure "$BLANKET_LAB_RESULTS" "$1" "$2"; }
figure net_tcp_into_l1 "$(tcp_ratio rx)"
figure net_tcp_out_of_l1 "$(tcp_ratio tx)"
figure net_echoes "$(ratio "$(echo_time blanket_tcp_pps)" "$(echo_time tcp_pps)")"
figure blk_4k_random_read_iops "$(over "$(field nopv blanket_bench_randread iops)" \
	"$(field baseline bench_randread iops)")"
figure blk_1m_sequential_read "$(over "$(field nopv blanket_bench_seqread kib_s)" \
	"$(field baseline bench_seqread kib_s)")"
echo "lab: $(( $(date +%s) - start )) s; results in build/lab/result.json" \
	"(tests/lab/results.py table), logs in build/lab-*.log and build/lab/runs/"
exit $status
