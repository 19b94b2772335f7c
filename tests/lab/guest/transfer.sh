#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# transfer.sh PEER TAG IFACE [ROUNDS]: in the L1 guest, TCP both ways
# through IFACE to PEER (Dom0's bridge, where tcp-peer.py sends a file
# and returns the digest of what it is sent, and httpd serves the file's
# digest), ROUNDS (5) rounds of each with lab-tcp-client (tcp-client.c),
# every one checked by digest. Prints
#   TAG_rx bytes=N rounds=R centiseconds=T all=T1,...,TR digest_match=yes|no l0_irqs=I pkts_out=O pkts_in=P busy_cs=B idle_cs=J [srtt_us=S cwnd=C]
#   TAG_tx (the same)
#   TAG_pps echoes=N centiseconds=T     (ping -A: one echo in flight)
# where T is the median round (one round's time under TCG swings by half
# either way: bench.sh pools the rounds of several guests),
# I the interrupts netback took from the vif meanwhile (the
# notifications that reached it; empty if Dom0 did not say), and O and P
# the packets IFACE sent and received (TSO and GRO sized, as the driver
# saw them: how TCP chose to use it, which the notifications follow),
# B and J the time the guest's CPUs spent busy and idle meanwhile (USER_HZ
# ticks: what a MiB cost the guest, where L0's side may set the pace),
# S and C the mean smoothed RTT and congestion window of TCP's socket at
# each segment it took in (what TCP sizes its skbs by; absent without the
# tcp_probe tracepoint),
# and exits non-zero unless every digest matches and echoes come back.
# Used by the baseline run, blanket-check.sh and the benchmark's guests.
peer=$1 tag=$2 iface=$3 url=http://$1:8080 rc=0 rounds=${4:-5}
# tcp-peer.py's ports: the data comes from one and goes to the other.
from=8081 to=8082
. /lib/lab.sh

now() { tr -d . </proc/uptime | cut -d' ' -f1; }
# Netback's interrupts for the vif so far, all channels.
l0_irqs() { lab_l0_irqs l0 | sed 's/^l0_irqs=\([0-9]*\) .*/\1/'; }
pkts() { cat "/sys/class/net/$iface/statistics/$1_packets" 2>/dev/null; }
# cpu busy|idle: the ticks all CPUs spent so, from /proc/stat: user, nice,
# system, irq and softirq; idle and iowait. Not steal, the time Dom0 held
# the CPU, which only the in-tree (Xen) guest counts: with it the two
# drivers' guests would not compare.
cpu() {
	awk -v w="$1" '$1 == "cpu" {
		print (w == "idle" ? $5 + $6 : $2 + $3 + $4 + $7 + $8); exit }' /proc/stat
}
# The tcp_probe tracepoint in a trace instance of its own, so that it
# neither needs nor disturbs the kprobe the baseline counts with.
probe=/sys/kernel/tracing/instances/lab-tcp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p $probe 2>/dev/null &&
	echo "dport == $from || dport == $to" >$probe/events/tcp/tcp_probe/filter &&
	echo 1 >$probe/events/tcp/tcp_probe/enable || probe=
# tcp_view: srtt_us=S cwnd=C since the last mark (nothing without a probe).
tcp_view() {
	[ -n "$probe" ] || return 0
	awk '{ for (i = 1; i <= NF; i++) {
			if ($i ~ /^srtt=/) { s += substr($i, 6); n++ }
			if ($i ~ /^snd_cwnd=/) c += substr($i, 10) } }
		END { if (n) printf "srtt_us=%d cwnd=%.1f", s / n, c / n }' $probe/trace
}
# mark: the counters at a phase's start.
mark() {
	irqs0=$(l0_irqs) out0=$(pkts tx) in0=$(pkts rx) busy0=$(cpu busy) idle0=$(cpu idle)
	[ -z "$probe" ] || : >$probe/trace
}

# report DIRECTION OK TIMES...: the median of the round times.
report() {
	dir=$1 ok=$2
	shift 2
	med=$(printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p")
	echo "${tag}_$dir bytes=${bytes:-0} rounds=$rounds centiseconds=$med" \
		"all=$(echo "$@" | tr ' ' ',') digest_match=$ok l0_irqs=$(lab_delta "$irqs0" "$(l0_irqs)")" \
		"pkts_out=$(lab_delta "$out0" "$(pkts tx)") pkts_in=$(lab_delta "$in0" "$(pkts rx)")" \
		"busy_cs=$(lab_delta "$busy0" "$(cpu busy)") idle_cs=$(lab_delta "$idle0" "$(cpu idle)") $(tcp_view)"
	[ "$ok" = yes ] || rc=1
}

# A round each way first, untimed and uncounted: a guest's first rounds
# often run two to three times slower (TCG translating its code afresh,
# most likely).
want=$(wget -q -O - "$url/down.sha256")
lab-tcp-client "$peer" $from >/tmp/down.bin &&
	lab-tcp-client "$peer" $to /tmp/down.bin >/dev/null || rc=1

ok=yes times= i=0
mark
while [ $i -lt $rounds ]; do
	t0=$(now)
	lab-tcp-client "$peer" $from >/tmp/down.bin || ok=no
	t1=$(now)
	got=$(sha256sum /tmp/down.bin | cut -d' ' -f1)
	[ -n "$want" ] && [ "$got" = "$want" ] || ok=no
	times="$times $((t1 - t0))"
	i=$((i + 1))
done
bytes=$(wc -c </tmp/down.bin)
report rx $ok $times

ok=yes times= i=0
mark
while [ $i -lt $rounds ]; do
	t0=$(now)
	back=$(lab-tcp-client "$peer" $to /tmp/down.bin) || ok=no
	t1=$(now)
	[ -n "$want" ] && [ "$back" = "$want" ] || ok=no
	times="$times $((t1 - t0))"
	i=$((i + 1))
done
report tx $ok $times

# Small packets, one in flight at a time: a request/response packet rate.
t0=$(now)
got=$(ping -A -q -c 1000 -W 5 "$peer" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
t1=$(now)
echo "${tag}_pps echoes=${got:-0} centiseconds=$((t1 - t0))"
[ "${got:-0}" -gt 0 ] || rc=1
# The checks after this one run untraced.
[ -z "$probe" ] || echo 0 >$probe/events/tcp/tcp_probe/enable
exit $rc
