#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lab`, the main job: a real Xen L0 in QEMU, booted twice with the
# same L1 guest. First as a normal Xen guest, the in-tree front ends as
# the baseline; then with "nopv" and blanket's modules, which must reach
# L0 in direct mode and find the guest's vif and vbd on the blanket bus.
# Prints a short summary; exits 0 only if both runs pass.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
runs=$out/runs
status=0

# lab_run LOG COMMAND...: one run, logged. A guest that triple-faulted
# (under nested SVM in TCG guests do, now and then) gets one more go; the
# output says so and names the code it faulted in, and the first log is
# kept as LOG.1.
lab_run() {
	local log=$1 tf

	shift
	"$@" >"$log" 2>&1 && return 0
	tf=$(grep -m 1 '^triple_fault_rip=' "$log") || return 1
	echo "note: ${log##*/}: the L1 guest triple-faulted ($tf); running it once more"
	mv "$log" "$log.1"
	"$@" >"$log" 2>&1
}

mkdir -p "$top/build"
start=$(date +%s)
lab_run "$top/build/lab-baseline.log" "$top/tests/lab/run.sh" baseline || status=1
lab_run "$top/build/lab-blanket.log" "$top/tests/lab/blanket-direct.sh" || status=1

echo "== baseline: in-tree xen-netfront / xen-blkfront"
grep -hE '^LAB: (net|ping|disk|fio|discard|check_failed)' "$runs/last-baseline/summary.txt" 2>/dev/null
tail -n 1 "$top/build/lab-baseline.log"
echo "== blanket, direct mode (L1 booted nopv)"
grep -hE '^LAB-EXTRA: (blanket_device|blanket_upcall|transport|xs_|grant_frames|upcalls|hypercalls_)' \
	"$runs/last-nopv/summary.txt" 2>/dev/null
tail -n 1 "$top/build/lab-blanket.log"
grep -hE '^LAB-EXTRA: (blanket_net|blanket_ping|blanket_tcp|blanket_bridge|fio=)' \
	"$runs/last-nopv/summary.txt" 2>/dev/null
# The end-to-end checks, one line each, and what failed.
grep -hE '^LAB-EXTRA: (blanket_(fio_verify|discard|rebind|restart|vbd_replug|vif_replug|reload_all|hostile)=|check_failed|timed_out|ctl_)' \
	"$runs/last-nopv/summary.txt" 2>/dev/null

# key=value field $3 of the first line of summary $1 whose key is $2.
field() {
	grep -hE "^LAB(-EXTRA)?: $2[ =]" "$runs/last-$1/summary.txt" 2>/dev/null |
		head -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# Throughput ratio blanket/in-tree of one direction: same bytes, so the
# inverse ratio of the times.
ratio() {
	awk -v b="$1" -v t="$2" 'BEGIN { if (b > 0 && t > 0) printf "%.2f", t / b; else print "n/a" }'
}
# Per MiB moved: $2 bytes went each of $3 ways (2 unless said) in each of
# the transfer's rounds.
per_mb() {
	awk -v n="$1" -v bytes="$2" -v r="$rounds" -v ways="${3:-2}" \
		'BEGIN { if (bytes > 0 && r > 0 && n != "") printf "%.0f", n * 1048576 / (ways * bytes * r); else print "n/a" }'
}
# quartile Q TIMES: the lower (1) or upper (3) quartile of comma-separated times.
quartile() {
	tr ',' '\n' <<<"$2" | sort -n |
		awk -v q="$1" '{ t[NR] = $1 } END { if (NR) print t[int((NR - 1) * q / 4) + 1] }'
}
# tcp_ratio DIRECTION: the ratio of the medians, and the range the
# quartiles of the two drivers' rounds allow, the worst case first.
tcp_ratio() {
	local b t

	b=$(field nopv "blanket_tcp_$1" all) t=$(field baseline "tcp_$1" all)
	echo "ratio $(ratio "$(field nopv "blanket_tcp_$1" centiseconds)" \
		"$(field baseline "tcp_$1" centiseconds)")" \
		"(quartiles: $(ratio "$(quartile 3 "$b")" "$(quartile 1 "$t")") to" \
		"$(ratio "$(quartile 1 "$b")" "$(quartile 3 "$t")"))"
}
bytes=$(field baseline tcp_rx bytes)
rounds=$(field baseline tcp_rx rounds)
echo "== benchmark: blanket_net vs xen-netfront, same L0, same run"
echo "   (QEMU TCG, nested: absolute numbers mean nothing, only the ratios)"
echo "   (TCP: the median of $rounds rounds each way, every one checked by digest)"
echo "TCP into L1:    $(tcp_ratio rx) (blanket/in-tree throughput)"
echo "TCP out of L1:  $(tcp_ratio tx)"
echo "echoes per second (ping -A, 1000): ratio $(ratio \
	"$(awk -v n="$(field nopv blanket_tcp_pps echoes)" -v t="$(field nopv blanket_tcp_pps centiseconds)" \
		'BEGIN { if (n > 0) printf "%.3f", t / n }')" \
	"$(awk -v n="$(field baseline tcp_pps echoes)" -v t="$(field baseline tcp_pps centiseconds)" \
		'BEGIN { if (n > 0) printf "%.3f", t / n }')")"
echo "per MiB moved, in-tree / blanket (netback's: its interrupts in L0's Dom0):"
echo "  L0 events taken by the front end:  $(per_mb "$(field baseline tcp_events tcp_events)" "$bytes")" \
	"/ $(per_mb "$(field nopv blanket_tcp_events blanket_tcp_events)" "$bytes")"
echo "  notifications sent (EVTCHNOP_send): $(per_mb "$(field baseline tcp_events tcp_sends)" "$bytes")" \
	"/ $(per_mb "$(field nopv blanket_tcp_events blanket_tcp_sends)" "$bytes")" \
	"(in-tree: a kprobe on notify_remote_via_irq)"
l0_irqs() {	# suffix: netback's interrupts per MiB, in-tree / blanket
	echo "$(per_mb "$(field baseline tcp_events "tcp_l0_irqs$1")" "$bytes") /" \
		"$(per_mb "$(field nopv blanket_tcp_events "blanket_tcp_l0_irqs$1")" "$bytes")"
}
echo "  notifications netback took: $(l0_irqs '') (TX channel $(l0_irqs _tx), RX channel $(l0_irqs _rx))"
dir_mb() {	# key direction: the key's count per MiB of that direction's rounds, in-tree / blanket
	echo "$(per_mb "$(field baseline "tcp_$2" "$1")" "$bytes" 1) /" \
		"$(per_mb "$(field nopv "blanket_tcp_$2" "$1")" "$bytes" 1)"
}
echo "    of those, per MiB of TCP into L1: $(dir_mb l0_irqs rx); out of L1: $(dir_mb l0_irqs tx)"
# Notifications per packet sent: what the driver makes of the packets TCP gives it.
per_pkt() {
	awk -v n="$1" -v p="$2" 'BEGIN { if (p > 0 && n != "") printf "%.2f", n / p; else print "n/a" }'
}
dir_per_pkt() {	# direction, in-tree / blanket
	echo "$(per_pkt "$(field baseline "tcp_$1" l0_irqs)" "$(field baseline "tcp_$1" pkts_out)") /" \
		"$(per_pkt "$(field nopv "blanket_tcp_$1" l0_irqs)" "$(field nopv "blanket_tcp_$1" pkts_out)")"
}
echo "  packets sent per MiB (TSO-sized): into L1 (ACKs) $(dir_mb pkts_out rx); out of L1 $(dir_mb pkts_out tx)"
echo "  notifications per packet sent: into L1 $(dir_per_pkt rx); out of L1 $(dir_per_pkt tx)"
dir_tcp() {	# direction: TCP's mean smoothed RTT and window, in-tree / blanket
	echo "$(field baseline "tcp_$1" srtt_us) us, cwnd $(field baseline "tcp_$1" cwnd) /" \
		"$(field nopv "blanket_tcp_$1" srtt_us) us, cwnd $(field nopv "blanket_tcp_$1" cwnd)"
}
echo "  TCP's smoothed RTT: into L1 $(dir_tcp rx); out of L1 $(dir_tcp tx)"
echo "  L0 hypercalls, all kinds: blanket $(per_mb \
	"$(field nopv blanket_tcp_events blanket_tcp_hypercalls)" "$bytes")" \
	"(in-tree: only its sends are seen)"

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
echo "lab: $(( $(date +%s) - start )) s; logs in build/lab-*.log and build/lab/runs/"
exit $status
