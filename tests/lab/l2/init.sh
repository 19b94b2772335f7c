#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L2 PV guest that l2.sh creates in the L1 Dom0 (forwarded
# mode). Its vif is on a bridge whose uplink is blanket's blnet0, and its
# disk is carved from blanket's bvd0, so both of its paths to L0 go
# through blanket. It pings L0's Dom0, reads the token L1 put at sector 0
# of its disk, writes "L2-WROTE <token>" to sector 1, reports on hvc0 as
# "L2: key=value" lines, then "L2-DONE", and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

ip=10.99.0.5/24 peer=10.99.0.1
for a in $(cat /proc/cmdline); do
	case $a in
	l2.ip=*) ip=${a#*=} ;;
	l2.peer=*) peer=${a#*=} ;;
	esac
done

for m in $(cat /modules.list); do
	insmod "/modules/$m" || echo "L2: insmod_failed=$m"
done

i=0
while [ $i -lt 30 ] && [ ! -b /dev/xvda ]; do
	sleep 1
	i=$((i + 1))
done
tok=$(dd if=/dev/xvda bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
echo "L2: disk_sector0=$tok"
echo "L2-WROTE $tok" | dd of=/dev/xvda bs=512 seek=1 conv=notrunc,fsync 2>/dev/null &&
	echo "L2: disk_write=ok"

eth=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
ip link set lo up
ip link set "$eth" up
ip addr add "$ip" dev "$eth"
# Its vif joins L1's bridge from a hotplug script: allow it time.
i=0
while [ $i -lt 30 ] && ! ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
	i=$((i + 1))
done
rx=$(ping -c 3 -W 2 "$peer" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
echo "L2: ping=$peer received=${rx:-0}/3 via=$eth"
st=/sys/class/net/$eth
sed 's/^/L2: arp: /' /proc/net/arp
echo "L2: $eth carrier=$(cat $st/carrier) tx_packets=$(cat $st/statistics/tx_packets)" \
	"rx_packets=$(cat $st/statistics/rx_packets) arp=$(grep -c "^$peer " /proc/net/arp)"
echo L2-DONE
sync
poweroff -f
