#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of bench.sh (its /extra/run.sh). Booted "nopv", the
# guest loads blanket_xenbus and blanket_net from /extra/bench and runs
# the lab's TCP transfer and echoes through blnet0, lab.bench=ROUNDS
# rounds each way; booted as a Xen guest, it has nothing to add, since
# guest/init.sh runs the same transfer through xen-netfront's netdev.
. /lib/lab.sh
lab_args lab
[ "$mode" = nopv ] || exit 0
insmod /extra/bench/blanket_xenbus.ko || exit 1
insmod /extra/bench/blanket_net.ko || exit 1
lab_net_up "$ip" || exit 1
lab_wait 30 ping ping -c 1 -W 1 "$peer" || exit 1
lab_blanket_tcp $bench
