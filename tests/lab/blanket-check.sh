#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the L1 guest (booted "nopv") once blanket's modules are
# loaded: blanket_xenbus must have connected to L0 in direct mode and
# enumerated the guest's vif and vbd from L0's xenstore. Prints what it
# finds; exits non-zero if anything is missing.
fail=0
devs=/sys/bus/blanket/devices

have_both() {
	[ -e $devs/vif-0 ] && ls $devs 2>/dev/null | grep -q '^vbd-'
}
i=0
while [ $i -lt 60 ] && ! have_both; do
	sleep 1
	i=$((i + 1))
done

for d in $devs/*; do
	[ -e "$d" ] || continue
	echo "blanket_device=${d##*/} nodename=$(cat "$d/nodename")" \
		"otherend=$(cat "$d/otherend") otherend_id=$(cat "$d/otherend_id")" \
		"state=$(cat "$d/state")"
done
[ -e $devs/vif-0 ] || { echo "blanket: no vif-0 on the bus"; fail=1; }
ls $devs 2>/dev/null | grep -q '^vbd-' || { echo "blanket: no vbd on the bus"; fail=1; }

mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
stats=$(cat /sys/kernel/debug/blanket/*/stats 2>/dev/null)
echo "$stats" | grep -E '^(transport|hypercalls_|upcalls|events |grant_frames|xs_requests|xs_errors|xs_broken)'
echo "$stats" | grep -q '^xs_broken 0' || { echo "blanket: xenstore connection not up"; fail=1; }
echo "$stats" | grep -q '^grant_frames [1-9]' || { echo "blanket: no grant frame mapped"; fail=1; }
dmesg | grep -i 'blanket' | tail -n 15
exit $fail
