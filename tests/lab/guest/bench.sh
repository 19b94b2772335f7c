#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of bench.sh (its /extra/run.sh). Booted "nopv", the
# guest loads blanket_xenbus, blanket_net and blanket_blk from /extra/bench,
# runs the lab's TCP transfer and echoes through blnet0, lab.bench=ROUNDS
# rounds each way, then the block benchmark (lab_blk_bench) on blanket's
# disk; booted as a Xen guest, it has nothing to add, since guest/init.sh
# runs the same through xen-netfront's netdev and xen-blkfront's xvda.
. /lib/lab.sh
lab_args lab
[ "$mode" = nopv ] || exit 0
# Said before each load: a guest silent from then on may be blanket's
# fault, never retried as the emulator's (host/fault.py).
for m in blanket_xenbus blanket_net blanket_blk; do
	echo "bench_insmod=$m"
	insmod /extra/bench/$m.ko || exit 1
done
lab_net_up "$ip" || exit 1
lab_wait 30 ping ping -c 1 -W 1 "$peer" || exit 1
lab_blanket_tcp blanket_tcp $bench || exit 1
lab_wait 60 bvd lab_rw_bvd || exit 1
lab_get_fio || exit 1
lab_blk_bench blanket_bench "$(lab_rw_bvd)" lab_blanket_counts || exit 1
# Which CPUs took blanket's interrupts over the guest's benchmark.
lab_irq_cpus "$lab_blanket_irqs"
