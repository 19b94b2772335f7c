#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of bench.sh (its /extra/run.sh). Booted "nopv", the
# guest loads blanket_xenbus and blanket_net from /extra/bench and runs
# the lab's TCP transfer and echoes through blnet0, lab.bench=ROUNDS
# rounds each way; booted as a Xen guest, it has nothing to add, since
# l1-init.sh runs the same transfer through xen-netfront's netdev.
. /lib/lab.sh
peer=10.99.0.1 ip=10.99.0.2/24 rounds=
for a in $(cat /proc/cmdline); do
	case $a in
	lab.mode=nopv) ;;
	lab.mode=*) exit 0 ;;
	lab.bench=*) rounds=${a#*=} ;;
	lab.ip=*) ip=${a#*=} ;;
	lab.peer=*) peer=${a#*=} ;;
	esac
done
insmod /extra/bench/blanket_xenbus.ko || exit 1
insmod /extra/bench/blanket_net.ko || exit 1
lab_net_up "$ip" || exit 1
lab_wait 30 ping ping -c 1 -W 1 "$peer" || exit 1
lab_blanket_tcp $rounds
