#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# results-test.sh: results.py on made-up runs: a blanket run's checks (one
# skipped) and per-CPU interrupt counts, a two-cycle benchmark's figures
# and ratios, a benchmark of three boots, two of which died in a cycle
# (bench.sh): the cycles they finished pooled, the ones cut short dropped;
# verdict.sh's judgement of a benchmark's boot that died; and make
# lab-full's comparison: its figures, ratios and targets. Prints
# "PASS: <case>" or "FAIL: <case> (...)" for each case; exits non-zero if
# any failed.
set -uo pipefail

lab=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
res=$tmp/result.json
what=results.py

# expect CASE PYTHON-EXPRESSION: true of r, the result file's last object
# (json.loads), and out, what the last command printed.
expect() {
	if python3 -c 'import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r, out = recs[-1], open(sys.argv[2]).read()
sys.exit(0 if eval("(" + sys.argv[3] + ")") else 1)' "$res" "$tmp/out" "$2"; then
		echo "PASS: $what: $1"
	else
		echo "FAIL: $what: $1 (not: $2)"
		bad=1
	fi
}

# A direct run: two checks of those tests/lab/checks lists, one skipped,
# the others missing; blanket's IRQs per CPU.
cat >"$tmp/summary.txt" <<'RUN'
run nopv-1 mode=nopv
qemu_start_to_qemu_exit=600s
LAB: mode=nopv kernel=6.1.0
LAB-EXTRA: blanket_queues=2 cpus=2 q0=tx:10,rx:20 q1=tx:5,rx:7
LAB-EXTRA: check=net_queues ok
LAB-EXTRA: irq_cpus=blanket-l0 irq=24 per_cpu=1200,3
LAB-EXTRA: irq_cpus=blnet0-q1-rx irq=31 per_cpu=0,88
LAB-EXTRA: check=event_cpus skipped (upcall_cpus=1: L0's events reach one CPU)
LAB-RESULT: PASS
RUN
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" "$lab/checks" 1
python3 "$lab/results.py" count "$res" >"$tmp/out"
expect "a check's verdict, ok or skipped" \
	'r["checks"]["net_queues"] == "ok" and r["checks"]["event_cpus"] == "skipped"'
expect "the reason a check was skipped" \
	'r["skipped"] == {"event_cpus": "upcall_cpus=1: L0\x27s events reach one CPU"}'
expect "a check not run is missing" 'r["checks"]["net_tcp"] == "missing"'
expect "each IRQ's interrupts per CPU, per guest" \
	'r["guests"][0]["irqs"] == {"blanket-l0": [1200, 3], "blnet0-q1-rx": [0, 88]}'
expect "count: a skipped check is a SKIP: line, counted neither way" \
	'"SKIP: lab nopv: event_cpus (upcall_cpus=1" in out and "PASS: lab nopv: net_queues" in out
and "event_cpus" not in "".join(l for l in out.splitlines() if not l.startswith("SKIP:"))'
python3 "$lab/results.py" table "$res" >"$tmp/out"
expect "table: the skipped check named" '"skipped: event_cpus" in out'

# A benchmark of two cycles, the order swapped in the second. Each guest
# moves 4 MiB 3 times each way: 24 MiB a guest, 48 a driver. In-tree's
# rounds into L1 pool to 90,100,100,110,120,130 (middle: 100), blanket's
# to 180,190,200,210,220,250 (200): a ratio of 0.50; per cycle 100/200
# and 110/210. Out of L1 the same times: 1.00.
intree() {	# RX-ALL RX-MEDIAN EVENTS RANDREAD-IOPS
	cat <<GUEST
LAB: mode=baseline kernel=6.1.0
LAB: tcp_rx bytes=4194304 rounds=3 centiseconds=$2 all=$1 digest_match=yes
LAB: tcp_tx bytes=4194304 rounds=3 centiseconds=300 all=300,300,300 digest_match=yes
LAB: tcp_pps echoes=1000 centiseconds=500
LAB: tcp_events=$3 tcp_sends=600 tcp_l0_irqs=480 tcp_l0_irqs_tx=240 tcp_l0_irqs_rx=240
LAB: bench_randread_qd1 iops=$4 kib_s=400 kib=2048 events=512 sends=256 l0_irqs=256 rc=0
LAB: irq_cpus=vif0-q0-tx irq=40 per_cpu=70,0
LAB-RESULT: PASS
GUEST
}
blanket() {	# RX-ALL RX-MEDIAN EVENTS RANDREAD-IOPS
	cat <<GUEST
LAB: mode=nopv kernel=6.1.0
LAB-EXTRA: blanket_tcp_rx bytes=4194304 rounds=3 centiseconds=$2 all=$1 digest_match=yes
LAB-EXTRA: blanket_tcp_tx bytes=4194304 rounds=3 centiseconds=300 all=300,300,300 digest_match=yes
LAB-EXTRA: blanket_tcp_pps echoes=1000 centiseconds=250
LAB-EXTRA: blanket_tcp_events=$3 blanket_tcp_hypercalls=2400 blanket_tcp_sends=300 blanket_tcp_l0_irqs=480 blanket_tcp_l0_irqs_tx= blanket_tcp_l0_irqs_rx=
LAB-EXTRA: blanket_bench_randread_qd1 iops=$4 kib_s=600 kib=2048 events=256 sends=256 hypercalls=1024 grant_ops=512 l0_irqs=256 rc=0
LAB-RESULT: PASS
GUEST
}
# Dom0's line before a finished guest's (CFG CYCLE), and after a cycle's
# second guest (CYCLE ORDER).
guest() { echo "DOM0: bench_guest=$1 cycle=$2"; }
cycle() { echo "DOM0: bench_cycle=$1 order=$2"; }
{
	echo "run bench-1 mode=bench"
	echo "qemu_start_to_qemu_exit=900s"
	echo "bench_cycles=0,1"
	guest l1.cfg 0; intree 90,100,120 100 1000 100
	guest l1-nopv.cfg 0; blanket 200,180,220 200 2400 150
	cycle 0 l1.cfg,l1-nopv.cfg
	guest l1-nopv.cfg 1; blanket 190,210,250 210 2400 90
	guest l1.cfg 1; intree 110,130,100 110 1400 110
	cycle 1 l1-nopv.cfg,l1.cfg
	echo "fault=none"
} >"$tmp/summary.txt"
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" /dev/null 1
python3 "$lab/results.py" bench "$res"
: >"$tmp/out"
expect "bench: two cycles, the run named" 'r["kind"] == "bench" and r["cycles"] == 2 and r["run"] == "bench-1"
and r["pooled"] == [{"cycle": 0, "run": "bench-1"}, {"cycle": 1, "run": "bench-1"}] and r["lost"] == {}'
expect "bench: TCP, each driver's rounds pooled and per cycle" \
	'r["net"]["in-tree"]["tcp_rx"] == {"centiseconds": 100, "cycles": [100, 110], "mib": 24.0}
and r["net"]["blanket"]["tcp_rx"]["centiseconds"] == 200'
expect "bench: TCP, blanket / in-tree throughput, pooled and per cycle" \
	'r["net"]["tcp_rx_ratio"] == 0.5 and r["net"]["tcp_rx_ratio_cycles"] == [0.5, 0.52]
and r["net"]["tcp_tx_ratio"] == 1.0'
expect "bench: echoes, twice as fast" 'r["net"]["echo_ratio"] == 2.0 and r["net"]["echo_ratio_cycles"] == [2.0, 2.0]'
expect "bench: net costs per MiB, pooled and per cycle" \
	'r["net"]["in-tree"]["per_mib"] == {"events": 50.0, "sends": 25.0, "l0_irqs": 20.0}
and r["net"]["blanket"]["per_mib"] == {"events": 100.0, "sends": 12.5, "l0_irqs": 20.0, "hypercalls": 100.0}
and r["net"]["in-tree"]["per_mib_cycles"][0]["events"] == round(1000 / 24, 3)
and r["net"]["per_mib_ratio"] == {"events": 2.0, "sends": 0.5, "l0_irqs": 1.0}'
expect "bench: a disk job, rates per cycle, their median, the ratio" \
	'r["blk"]["randread_qd1"]["in-tree"]["iops"] == 105 and r["blk"]["randread_qd1"]["in-tree"]["cycles"] == [100, 110]
and r["blk"]["randread_qd1"]["blanket"]["iops"] == 120 and r["blk"]["randread_qd1"]["ratio"] == 1.14
and r["blk"]["randread_qd1"]["ratio_cycles"] == [1.5, 0.82]'
expect "bench: disk costs per MiB (4 MiB a driver)" \
	'r["blk"]["per_mib"]["blanket"] == {"events": 128.0, "sends": 128.0, "l0_irqs": 128.0, "hypercalls": 512.0, "grant_ops": 256.0}
and r["blk"]["per_mib_ratio"] == {"events": 0.5, "sends": 1.0, "l0_irqs": 1.0}'
expect "bench: a job no guest ran has no ratio" 'r["blk"]["seqwrite_qd32"]["ratio"] is None'
python3 "$lab/results.py" ratios "$res" >"$tmp/out"
expect "ratios: one line per figure, pooled then per cycle" \
	'"TCP into L1              0.50  0.50 0.52" in out and "disk randread_qd1        1.14  1.50 0.82" in out
and "disk seqwrite_qd32        n/a" in out and "per MiB, net: L0 events 2.00, notifications 0.50, the backend\x27s interrupts 1.00" in out
and "   cycles pooled: 0 1 of bench-1\n" in out and len(out.splitlines()) == 16'

# make lab-full's comparison run, in a file of its own; direct mode from the
# benchmark's file above. Through blanket TCP into L1 takes 100 per round,
# out of it 100; the emulated e1000 300 and 150; the L2 guest 125 and 200.
# 4k random reads: blanket 100 IOPS at both depths, emulated 40 and 60, L2
# 80 and 50. The IDE disk's kernel complaint was the emulated devices'.
bench_res=$res res=$tmp/full.json
cat >"$tmp/summary.txt" <<'RUN'
run forwarded-compare-1 mode=forwarded
variant=compare
qemu_start_to_qemu_exit=1300s
LAB: mode=forwarded kernel=6.1.0
LAB-EXTRA: fwd_tcp_rx bytes=4194304 rounds=3 centiseconds=100 all=100,90,110 digest_match=yes
LAB-EXTRA: fwd_tcp_tx bytes=4194304 rounds=3 centiseconds=100 all=100,100,100 digest_match=yes
LAB-EXTRA: fwd_tcp_pps echoes=1000 centiseconds=500
LAB-EXTRA: fwd_tcp_events=1200 fwd_tcp_hypercalls=2400 fwd_tcp_sends=600 fwd_tcp_l0_irqs=600
LAB-EXTRA: emu_tcp_rx bytes=4194304 rounds=3 centiseconds=300 all=300,300,300 digest_match=yes
LAB-EXTRA: emu_tcp_tx bytes=4194304 rounds=3 centiseconds=150 all=150,140,160 digest_match=yes
LAB-EXTRA: emu_tcp_pps echoes=1000 centiseconds=1000
LAB-EXTRA: emu_tcp_irqs=2400
LAB-EXTRA: fwd_bench_randread_qd1 iops=100 kib_s=400 kib=2048 events=512 sends=512 hypercalls=1024 grant_ops=0 l0_irqs=512 rc=0
LAB-EXTRA: fwd_bench_randread_qd32 iops=100 kib_s=400 kib=2048 events=512 sends=512 hypercalls=1024 grant_ops=0 l0_irqs=512 rc=0
LAB-EXTRA: emu_bench_randread_qd1 iops=40 kib_s=160 kib=1024 irqs=256 l0_irqs=0 rc=0
LAB-EXTRA: emu_bench_randread_qd32 iops=60 kib_s=240 kib=1024 irqs=256 l0_irqs=0 rc=0
LAB-EXTRA: emu_kernel=complained
LAB-EXTRA: emu_kernel: [  806.1] Call Trace:
LAB-EXTRA: check=compare_emulated ok
LAB-EXTRA: L2: tcp_rx bytes=4194304 rounds=3 centiseconds=125 all=125,125,125 digest_match=yes
LAB-EXTRA: L2: tcp_tx bytes=4194304 rounds=3 centiseconds=200 all=200,200,200 digest_match=yes
LAB-EXTRA: L2: tcp_pps echoes=1000 centiseconds=1000
LAB-EXTRA: L2: bench_randread_qd1 iops=80 kib_s=320 kib=1024 events=256 l0_irqs=256 rc=0
LAB-EXTRA: L2: bench_randread_qd32 iops=50 kib_s=200 kib=1024 events=256 l0_irqs=256 rc=0
LAB-EXTRA: check=l2_guest ok
LAB-EXTRA: check=kernel_log ok
LAB-RESULT: PASS
RUN
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" "$lab/checks" 1
python3 "$lab/results.py" table "$res" >"$tmp/out"
expect "the comparison's run: its variant's checks only" \
	'"forwarded compare" in out and r["checks"] == {"compare_emulated": "ok", "l2_guest": "ok", "kernel_log": "ok"}'
python3 "$lab/results.py" compare "$res" "$bench_res"
: >"$tmp/out"
expect "compare: blanket / emulated, TCP the inverse of the round times" \
	'r["kind"] == "compare" and r["run"] == "forwarded-compare-1"
and r["ratios"]["blanket/emulated"]["tcp_rx"] == 3.0 and r["ratios"]["blanket/emulated"]["tcp_tx"] == 1.5
and r["ratios"]["blanket/emulated"]["echoes"] == 2.0 and r["ratios"]["blanket/emulated"]["randread_qd1"] == 2.5'
expect "compare: the L2 guest over blanket; forwarded over direct from the other file" \
	'r["ratios"]["l2/blanket"]["tcp_rx"] == 0.8 and r["ratios"]["l2/blanket"]["randread_qd32"] == 0.5
and r["direct_run"] == "bench-1" and r["ratios"]["forwarded/direct"]["tcp_rx"] == 2.0'
expect "compare: costs per MiB, blanket's and the emulated devices'" \
	'r["paths"]["blanket"]["net"]["per_mib"]["events"] == 50.0 and r["paths"]["emulated"]["net"]["per_mib"]["irqs"] == 100.0
and r["paths"]["emulated"]["blk"]["randread_qd1"]["per_mib"]["irqs"] == 256.0'
expect "compare: the emulated half's kernel word" 'r["emulated_kernel"] == "complained"'
python3 "$lab/results.py" comparison "$res" >"$tmp/out"
expect "comparison: a line per ratio, then a pass or miss line per target" \
	'"TCP into                            3.00              0.80              2.00" in out
and "target: TCP into, blanket/emulated >= 2: 3.00 pass" in out
and "target: TCP out of, blanket/emulated >= 2: 1.50 miss" in out
and "target: 4k random read IOPS, iodepth 32, blanket/emulated >= 2: 1.67 miss" in out
and "target: 4k random read IOPS, iodepth 1, l2/blanket >= 0.8: 0.80 pass" in out
and "target: TCP out of, l2/blanket >= 0.8: 0.50 miss" in out
and "emu_kernel lines" in out and len([l for l in out.splitlines() if l.startswith("target: ")]) == 8'

# Back to the benchmark's file.
res=$bench_res

# A benchmark of 4 cycles in three boots, after bench-1 in the same file.
# bench-2 finishes cycle 0, then its blanket guest of cycle 1 (an odd
# cycle: blanket first), and dies; bench-3 runs cycles 1 to 3, finishes
# 1 and 2 and the blanket guest of 3, and dies; bench-4 runs cycle 3.
# In-tree's rounds into L1 take 100 everywhere, blanket's 200, 150, 250
# and 100 in cycles 0 to 3, and 900 in the guests of the cycles cut short,
# which no figure may show.
boot() {	# RUN CYCLES FAULT
	echo "run $1 mode=bench"
	echo "qemu_start_to_qemu_exit=600s"
	echo "bench_cycles=$2"
	echo "fault=$3"
}
ours() {	# RX
	blanket "$1,$1,$1" "$1" 2400 150
}
theirs() { intree 100,100,100 100 1000 100; }
{
	boot bench-2 0,1,2,3 emulator-halted
	guest l1.cfg 0; theirs
	guest l1-nopv.cfg 0; ours 200
	cycle 0 l1.cfg,l1-nopv.cfg
	guest l1-nopv.cfg 1; ours 900
} >"$tmp/summary.txt"
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" /dev/null 1
{
	boot bench-3 1,2,3 emulator-irq
	guest l1-nopv.cfg 1; ours 150
	guest l1.cfg 1; theirs
	cycle 1 l1-nopv.cfg,l1.cfg
	guest l1.cfg 2; theirs
	guest l1-nopv.cfg 2; ours 250
	cycle 2 l1.cfg,l1-nopv.cfg
	guest l1-nopv.cfg 3; ours 900
} >"$tmp/summary.txt"
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" /dev/null 2
expect "record: a boot's cycles asked and done, each guest's cycle" \
	'r["cycles_asked"] == [1, 2, 3] and r["cycles_done"] == [1, 2]
and [g["cycle"] for g in r["guests"]] == [1, 1, 2, 2, 3]'
{
	boot bench-4 3 none
	guest l1-nopv.cfg 3; ours 100
	guest l1.cfg 3; theirs
	cycle 3 l1-nopv.cfg,l1.cfg
} >"$tmp/summary.txt"
python3 "$lab/results.py" record "$res" "$tmp/summary.txt" /dev/null 3
python3 "$lab/results.py" pool "$res" bench blanket_tcp_rx centiseconds join >"$tmp/out"
expect "pool: the benchmark's finished cycles of every boot, in cycle order" 'out == "200,150,250,100\n"'
python3 "$lab/results.py" bench "$res"
: >"$tmp/out"
expect "bench: every finished cycle of every boot pooled, none of bench-1" \
	'r["cycles"] == 4 and r["run"] == "bench-2" and r["pooled"] == [{"cycle": 0, "run": "bench-2"},
{"cycle": 1, "run": "bench-3"}, {"cycle": 2, "run": "bench-3"}, {"cycle": 3, "run": "bench-4"}]'
expect "bench: the figures of the pooled cycles only" \
	'r["net"]["blanket"]["tcp_rx"] == {"centiseconds": 150, "cycles": [200, 150, 250, 100], "mib": 48.0}
and r["net"]["tcp_rx_ratio"] == 0.67 and r["net"]["tcp_rx_ratio_cycles"] == [0.5, 0.67, 0.4, 1.0]
and r["blk"]["randread_qd1"]["blanket"]["cycles"] == [150] * 4'
expect "bench: each boot, the cycle a fault cut short and its finished guest, dropped" \
	'r["boots"] == [
{"run": "bench-2", "attempt": 1, "fault": "emulator-halted", "asked": [0, 1, 2, 3], "done": [0], "cut": 1, "dropped": 1},
{"run": "bench-3", "attempt": 2, "fault": "emulator-irq", "asked": [1, 2, 3], "done": [1, 2], "cut": 3, "dropped": 1},
{"run": "bench-4", "attempt": 3, "fault": "none", "asked": [3], "done": [3], "cut": None, "dropped": 0}]
and r["lost"] == {"emulator-halted": 1, "emulator-irq": 1}'
python3 "$lab/results.py" ratios "$res" >"$tmp/out"
expect "ratios: the boots each cycle came from, and the cycles cut short" \
	'"cycles pooled: 0 of bench-2; 1 2 of bench-3; 3 of bench-4; cut short by emulator-halted: 1; cut short by emulator-irq: 1" in out
and "TCP into L1              0.67  0.50 0.67 0.40 1.00" in out'

# verdict.sh on a benchmark's boot: the guests Dom0 said finished, whether
# or not the machine died later. vguest CFG CYCLE RESULT: a finished guest.
what=verdict.sh
vguest() {
	guest "$1" "$2"
	echo "LAB: mode=$([ "$1" = l1.cfg ] && echo baseline || echo nopv) kernel=6.1.0"
	[ "$1" = l1.cfg ] || echo "LAB-EXTRA: blanket_tcp_events=100 blanket_tcp_sends=1"
	for j in 1 2 3 4 5 6 7 8; do
		echo "LAB$([ "$1" = l1.cfg ] || echo -EXTRA): $([ "$1" = l1.cfg ] || echo blanket_)bench_job_qd$j iops=1 rc=0"
	done
	echo "LAB-RESULT: $3"
}
# judge STATUS CYCLES: verdict_bench's problems on $tmp/res.txt.
judge() {
	(
		res=$tmp/res.txt status=$1 bench_cycles=$2
		problems=()
		. "$lab/host/verdict.sh"
		verdict_bench
		printf '%s\n' "${problems[@]}"
	) >"$tmp/out" 2>&1
}
{
	vguest l1.cfg 0 PASS; vguest l1-nopv.cfg 0 PASS; cycle 0 l1.cfg,l1-nopv.cfg
	vguest l1-nopv.cfg 1 PASS
} >"$tmp/res.txt"
judge "no status from Dom0" "0 1"
expect "bench: a boot that died, its finished guests passed: nothing wrong" 'out.strip() == ""'
judge OK "0 1"
expect "bench: Dom0 said OK yet finished a cycle short" 'out.strip() == "Dom0 finished 1 of 2 cycles"'
sed -i '$s/PASS/FAIL/' "$tmp/res.txt"
judge "no status from Dom0" "0 1"
expect "bench: a boot that died, the guest of its cut cycle failed: wrong" \
	'out.strip() == "guests: 2 of 3 passed"'
exit $bad
