#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L2 PV guest that l2.sh creates in the L1 Dom0 (forwarded
# mode). Its vif is on a bridge whose uplink is blanket's blnet0, and its
# disk is carved from blanket's bvd0, so both of its paths to L0 go
# through blanket. It pings L0's Dom0, reads the token L1 put at sector 0
# of its disk, writes "L2-WROTE <token>" to sector 1; with l2.bench=ROUNDS
# it then runs the benchmark's TCP rounds and echoes (lab-transfer, tag
# tcp) and block jobs on its disk (lab_blk_bench, prefix bench), as the L1
# Dom0 does through blanket (guest/compare.sh), and says bench_rc. With
# l2.hold=1 it then goes on pinging and reading its disk, a round a
# second, while L1 is saved and restored, until L1 writes L2-STOP to its
# sector 2. It reports on hvc0 as "L2: key=value" lines, then "L2-DONE",
# and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

. /lib/lab.sh
lab_say() { echo "L2: $*"; }
lab_args l2

for m in $(cat /modules.list); do
	insmod "/modules/$m" || echo "L2: insmod_failed=$m"
done

lab_wait 30 xvda test -b /dev/xvda
tok=$(dd if=/dev/xvda bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
echo "L2: disk_sector0=$tok"
echo "L2-WROTE $tok" | dd of=/dev/xvda bs=512 seek=1 conv=notrunc,fsync 2>/dev/null &&
	echo "L2: disk_write=ok"

eth=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
ip link set lo up
ip link set "$eth" up
ip addr add "$ip" dev "$eth"
# Its vif joins L1's bridge from a hotplug script: allow it time.
lab_wait 30 ping ping -c 1 -W 1 "$peer"
rx=$(lab_received -W 2 "$peer")
echo "L2: ping=$peer received=${rx:-0}/3 via=$eth"
st=/sys/class/net/$eth
sed 's/^/L2: arp: /' /proc/net/arp
echo "L2: $eth carrier=$(cat $st/carrier) tx_packets=$(cat $st/statistics/tx_packets)" \
	"rx_packets=$(cat $st/statistics/rx_packets) arp=$(grep -c "^$peer " /proc/net/arp)"
if [ -n "$bench" ]; then
	# What lab_blk_bench counts of blkfront here: its events from L1 Xen.
	blkfront_counts() { echo "events=$(lab_irq_events '^blkif$')"; }
	r=0
	lab-transfer "$peer" tcp "$eth" "$bench" >/tmp/transfer.out || r=1
	sed 's/^/L2: /' /tmp/transfer.out
	lab_get_fio && lab_blk_bench bench xvda blkfront_counts || r=1
	echo "L2: bench_rc=$r"
fi
if [ -n "$hold" ]; then
	# Each round's read comes from the disk: the cache is dropped first.
	n=0
	while :; do
		n=$((n + 1))
		p=lost rd=failed
		ping -c 1 -W 1 "$peer" >/dev/null 2>&1 && p=ok
		echo 3 >/proc/sys/vm/drop_caches
		dd if=/dev/xvda of=/tmp/sector2 bs=512 skip=2 count=1 2>/dev/null && rd=ok
		echo "L2: round=$n ping=$p read=$rd"
		[ "$(head -n 1 /tmp/sector2 | tr -cd 'A-Za-z0-9-')" = L2-STOP ] && break
		sleep 1
	done
	echo "L2: hold_rounds=$n stopped=yes"
fi
echo L2-DONE
sync
poweroff -f
