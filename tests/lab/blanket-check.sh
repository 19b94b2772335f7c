#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs once blanket's modules are loaded, in the L1 guest booted "nopv" or
# in the PV Dom0 of the patched L1 Xen (lab.mode=forwarded): blanket_xenbus
# must have connected to L0 with the transport of that mode and enumerated
# the guest's vif and vbd from L0's xenstore, and blanket_net's blnet0 must
# reach L0's Dom0. Prints what it finds; exits non-zero if anything is
# missing.
fail=0
devs=/sys/bus/blanket/devices
transport=direct
grep -q 'lab.mode=forwarded' /proc/cmdline && transport=forwarded

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
# The sum of the L0 connection's debugfs counters whose names match $1.
stat_of() {
	cat /sys/kernel/debug/blanket/*/stats 2>/dev/null |
		awk -v k="$1" 'BEGIN { gsub(/\*/, ".*", k) } $1 ~ "^" k "$" { n += $2 } END { print n + 0 }'
}

# pings TAG [ping options]: wait up to 30 s for a first reply from $peer,
# then report how many of 3 come back; fails if none.
pings() {
	tag=$1
	shift
	i=0
	while [ $i -lt 30 ] && ! ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
		i=$((i + 1))
	done
	rx=$(ping -c 3 -W 2 "$@" "$peer" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	echo "$tag=$peer received=${rx:-0}/3"
	[ "${rx:-0}" -gt 0 ]
}

# blanket_net: the vif's interface, up and talking to L0's Dom0.
ip=10.99.0.2/24 peer=10.99.0.1
for a in $(cat /proc/cmdline); do
	case $a in
	lab.ip=*) ip=${a#*=} ;;
	lab.peer=*) peer=${a#*=} ;;
	esac
done
i=0
while [ $i -lt 60 ] && [ ! -e /sys/class/net/blnet0 ]; do
	sleep 1
	i=$((i + 1))
done
if [ -e /sys/class/net/blnet0 ]; then
	ip link set lo up
	ip link set blnet0 up
	# The carrier reads only once the link is up; it follows netback's state.
	i=0
	while [ $i -lt 30 ] && [ "$(cat /sys/class/net/blnet0/carrier 2>/dev/null)" != 1 ]; do
		sleep 1
		i=$((i + 1))
	done
	echo "blanket_net=blnet0 mac=$(cat /sys/class/net/blnet0/address)" \
		"port=$(cat /sys/class/net/blnet0/phys_port_name 2>/dev/null)" \
		"carrier=$(cat /sys/class/net/blnet0/carrier 2>/dev/null)"
	ip addr add "$ip" dev blnet0
	pings blanket_ping || { echo "blanket: no ping reply through blnet0"; fail=1; }
	# Large echoes: fragmented both ways, checksummed by ICMP end to end.
	pings blanket_ping_30000 -W 5 -s 30000 ||
		{ echo "blanket: no large ping reply through blnet0"; fail=1; }
	# TCP both ways, checked end to end (the same transfer as the baseline's),
	# with the L0 events and hypercalls it cost.
	ev0=$(stat_of events) hc0=$(stat_of 'hypercalls_*')
	lab-transfer "$peer" blanket_tcp || { echo "blanket: TCP transfer through blnet0 failed"; fail=1; }
	echo "blanket_tcp_events=$(($(stat_of events) - ev0))" \
		"blanket_tcp_hypercalls=$(($(stat_of 'hypercalls_*') - hc0))"
	grep -E 'blnet0' /proc/net/dev
	# An L2 stand-in: a bridge with blnet0 as its port and a MAC of its own,
	# as Dom0's bridge for L2 vifs is: its frames leave with a source MAC
	# that is not blnet0's, and the replies must come back in to it.
	bip=$(echo "$ip" | sed 's/\.[0-9]*\//.3\//')
	if brctl addbr br0 && echo 0 >/sys/class/net/br0/bridge/forward_delay; then
		ip addr flush dev blnet0
		ip link set br0 address 02:00:0b:1a:00:03
		brctl addif br0 blnet0
		ip link set br0 up
		ip addr add "$bip" dev br0
		echo "blanket_bridge from=$bip mac=02:00:0b:1a:00:03" \
			"blnet0_promisc=$(($(cat /sys/class/net/blnet0/flags) >> 8 & 1))"
		pings blanket_bridge_ping ||
			{ echo "blanket: no ping reply through a bridge on blnet0"; fail=1; }
		ip link set br0 down
		brctl delbr br0
	else
		echo "blanket: cannot make bridge br0"
		fail=1
	fi
	# Unload under traffic, load again: netback must be closed cleanly and
	# reconnect to the new driver (an echo storm runs throughout).
	ping -A -q -w 15 "$peer" >/dev/null 2>&1 &
	sleep 2
	rmmod blanket_net && echo "blanket_rmmod_under_traffic=ok" ||
		{ echo "blanket: rmmod blanket_net failed"; fail=1; }
	wait
	insmod /extra/blanket_net.ko || { echo "blanket: reload failed"; fail=1; }
	i=0
	while [ $i -lt 60 ] && [ ! -e /sys/class/net/blnet0 ]; do
		sleep 1
		i=$((i + 1))
	done
	ip link set blnet0 up 2>/dev/null
	ip addr add "$ip" dev blnet0 2>/dev/null
	pings blanket_reload_ping || { echo "blanket: no ping after reloading blanket_net"; fail=1; }
else
	echo "blanket: no blnet0"
	fail=1
fi

# blanket_blk: the vbd's disk reads the run's token that Dom0 put at
# sector 0, and what we write after it reads back; once as loaded, once
# reloaded with indirect descriptors off (a reload of its own, too).
blk_check() {	# tag
	disk=
	i=0
	while [ $i -lt 60 ] && [ -z "$disk" ]; do
		disk=$(ls /sys/block 2>/dev/null | grep '^bvd' | head -n 1)
		[ -n "$disk" ] || sleep 1
		i=$((i + 1))
	done
	if [ -z "$disk" ]; then
		echo "blanket: no bvd disk ($1)"
		return 1
	fi
	tok=$(dd if=/dev/$disk bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
	echo "$1=$disk vbd=$(cat /sys/block/$disk/blanket_vbd 2>/dev/null)" \
		"sectors=$(cat /sys/block/$disk/size) sector0=$tok"
	case $tok in BLANKET-LAB-DISK*) ;; *) echo "blanket: $disk does not read the token"; return 1 ;; esac
	dd if=/dev/urandom of=/tmp/blk.in bs=4096 count=256 2>/dev/null
	dd if=/tmp/blk.in of=/dev/$disk bs=4096 seek=1 conv=fsync 2>&1 | grep -v records
	# Read it back from the disk, not from the page cache.
	blockdev --flushbufs /dev/$disk
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/$disk of=/tmp/blk.out bs=4096 skip=1 count=256 2>&1 | grep -v records
	if [ "$(sha256sum </tmp/blk.in)" != "$(sha256sum </tmp/blk.out)" ]; then
		echo "blanket: 1 MiB written to $disk does not read back ($1)"
		return 1
	fi
	echo "${1}_verify=1MiB ok"
}
blk_check blanket_blk || fail=1
rmmod blanket_blk && insmod /extra/blanket_blk.ko max_indirect_segments=0 ||
	{ echo "blanket: blanket_blk reload failed"; fail=1; }
blk_check blanket_blk_direct || fail=1

# Forwarded mode: this Dom0 hosts an L2 guest on blnet0 and a carve of bvd0.
if [ $transport = forwarded ]; then
	sh ./l2.sh "$peer" || { echo "blanket: the L2 guest check failed"; fail=1; }
fi

stats=$(cat /sys/kernel/debug/blanket/*/stats 2>/dev/null)
echo "$stats" | grep -E '^(transport|hypercalls_|upcalls|events|grant_frames|xs_requests|xs_errors|xs_broken)'
echo "$stats" | grep -qx "transport $transport" || { echo "blanket: not in $transport mode"; fail=1; }
echo "$stats" | grep -q '^xs_broken 0' || { echo "blanket: xenstore connection not up"; fail=1; }
echo "$stats" | grep -q '^grant_frames [1-9]' || { echo "blanket: no grant frame mapped"; fail=1; }
dmesg | grep -i 'blanket' | tail -n 15
if dmesg | grep -E 'BUG|WARNING|Oops|general protection|leaking' >/tmp/bad.log; then
	echo "blanket: kernel complained:"
	cat /tmp/bad.log
	fail=1
fi
exit $fail
