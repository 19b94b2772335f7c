#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of net-ab.sh (its /extra/run.sh): blanket_net's builds
# /extra/ab/A and /extra/ab/B loaded in turn, `cat /extra/ab/cycles`
# times, each moving TCP both ways and echoing through blnet0
# (lab-transfer, tags ab_A and ab_B). Exits non-zero at the first thing
# that fails.
. /lib/lab.sh
lab_args lab
cycles=$(cat /extra/ab/cycles)

# The build init loaded from /extra makes way for the variants.
rmmod blanket_net || exit 1
c=0
while [ $c -lt "$cycles" ]; do
	for v in A B; do
		insmod /extra/ab/$v/blanket_net.ko || exit 1
		lab_net_up "$ip" || exit 1
		lab_wait 30 "ping_$v" ping -c 1 -W 1 "$peer" || exit 1
		lab-transfer "$peer" "ab_$v" blnet0 7 || exit 1
		rmmod blanket_net || exit 1
	done
	c=$((c + 1))
done
