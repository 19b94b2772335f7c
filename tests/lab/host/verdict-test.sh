#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# verdict-test.sh: verdict.sh's judgement of forwarded mode's comparison
# (verdict_compare) on made-up result files: a kernel complaint in the
# emulated half is the emulated devices' own unless blanket's code is in
# it. Prints "PASS: <case>" or "FAIL: <case> (...)" for each case; exits
# non-zero if any failed. With run.sh's set -e: a command of verdict.sh's
# that fails aborts the run's verdict, and this test.
set -Eeuo pipefail
trap 'echo "FAIL: verdict.sh: line $LINENO failed: run.sh (set -e) would stop there"' ERR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/verdict.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
res=$tmp/result.txt

# jobs: the 24 block jobs' lines of a comparison that ran them all.
jobs() {
	local p j

	for p in 'fwd_' 'emu_' 'L2: '; do
		for j in randread randwrite seqread seqwrite; do
			echo "LAB-EXTRA: ${p}bench_${j}_qd1 iops=9 kib=36 rc=0"
			echo "LAB-EXTRA: ${p}bench_${j}_qd32 iops=9 kib=36 rc=0"
		done
	done
}
# case_is NAME WANT: verdict_compare on the result file written before it
# finds WANT problems, the first of them matching WANT's pattern if any.
case_is() {
	problems=()
	verdict_compare
	if [ "${#problems[@]}" = "$2" ] && { [ "$2" = 0 ] || [[ ${problems[0]} =~ $3 ]]; }; then
		echo "PASS: verdict.sh: $1"
	else
		echo "FAIL: verdict.sh: $1 (want $2 problem(s) like '${3:-}', got: ${problems[*]:-none})"
		bad=1
	fi
}

{ jobs; echo "LAB-EXTRA: emu_kernel=clean"; } >"$res"
case_is "a clean comparison passes" 0

# An RCU stall while the IDE disk's job waits on L0's device model: the
# emulated disk's, whatever modules are loaded.
{
	jobs
	cat <<'LOG'
LAB-EXTRA: emu_kernel=complained
LAB-EXTRA: emu_kernel: [  795.1] rcu: INFO: rcu_sched self-detected stall on CPU
LAB-EXTRA: emu_kernel: [  806.1] Modules linked in: sd_mod ata_piix libata e1000 bridge blanket_net blanket_blk blanket_xenbus
LAB-EXTRA: emu_kernel: [  806.1] Call Trace:
LAB-EXTRA: emu_kernel: [  806.1]  <IRQ>
LAB-EXTRA: emu_kernel: [  806.1]  ata_bmdma_interrupt+0x1a/0x40 [libata]
LAB-EXTRA: emu_kernel: [  806.1]  __handle_irq_event_percpu+0x46/0x190
LOG
} >"$res"
case_is "a complaint through the IDE driver is the emulated disk's" 0

# The same complaint with one of blanket's frames in its trace.
{
	jobs
	cat <<'LOG'
LAB-EXTRA: emu_kernel=complained
LAB-EXTRA: emu_kernel: [  806.1] Call Trace:
LAB-EXTRA: emu_kernel: [  806.1]  <IRQ>
LAB-EXTRA: emu_kernel: [  806.1]  blanket_evtchn_upcall+0x51/0x90 [blanket_xenbus]
LAB-EXTRA: emu_kernel: [  806.1]  ata_bmdma_interrupt+0x1a/0x40 [libata]
LOG
} >"$res"
case_is "a complaint through blanket's code fails" 1 'through blanket: .*blanket_evtchn_upcall'

# A hung task on blanket's disk while the emulated half ran.
{
	jobs
	cat <<'LOG'
LAB-EXTRA: emu_kernel=complained
LAB-EXTRA: emu_kernel: [  930.2] INFO: task kworker/u2:1:77 blocked for more than 120 seconds.
LAB-EXTRA: emu_kernel: [  930.2] task:kworker/u2:1 state:D stack:0 pid:77 ppid:2 flags:0x00004000
LAB-EXTRA: emu_kernel: [  930.2] Workqueue: writeback wb_workfn (flush-253:0 bvd0)
LOG
} >"$res"
case_is "a hung task on bvd0 fails" 1 'through blanket: .*bvd0'

{ jobs | grep -v 'emu_bench_randwrite_qd32'; echo "LAB-EXTRA: emu_kernel=clean"; } >"$res"
case_is "a job missing fails" 1 'block benchmark'

exit $bad
