#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh: in the PV Dom0 of the patched L1 Xen (forwarded mode), run by
# blanket-check.sh before l2.sh. What blanket is measured against: without
# it this Dom0 has only the devices L0's device model emulates for the L1
# HVM guest (host/l1.cfg.in: an e1000 on the same L0 bridge, an IDE disk on
# a file of its own), which it sees as PCI hardware. The same transfer as
# the benchmark's run (lab.bench=ROUNDS rounds each way, 1000 echoes) and
# the same block benchmark (lab_blk_bench), first through blanket (blnet0,
# bvd0: tags fwd_tcp, fwd_bench), then through the emulated devices (tags
# emu_tcp, emu_bench, with the interrupts their drivers took here). One
# netdev at a time is up: both are on one subnet and L0's bridge, and the
# other would answer for its address. The disk's emulated twin of bvd0 (the
# HVM guest's xvda is also IDE hda) is deleted here, unused: no second
# path to disk.img, no duplicate LVM label for l2.sh. Exits non-zero if a
# device is missing or a transfer or job failed; host/compare-report.sh
# turns the lines into ratios.
. /lib/lab.sh
lab_args lab
emu_ip=$(echo "$ip" | sed 's/\.[0-9]*\//.4\//')
r=0

# The drivers, in load order. One may refuse a CPU without its instructions
# (crct10dif-pclmul): what counts is the devices they give.
n=0
for m in $(cat emul/list); do
	insmod "emul/$m" 2>/dev/null && n=$((n + 1))
done
echo "emu_modules=$n of $(wc -l <emul/list)"

# e1000_netdev: the e1000's interface.
e1000_netdev() {
	for d in /sys/class/net/*; do
		[ "$(readlink "$d/device/driver" 2>/dev/null | sed 's|.*/||')" = e1000 ] &&
			echo "${d##*/}" && return 0
	done
	return 1
}
# sector0 DISK: the first line of its sector 0, printable.
sector0() { dd if="/dev/$1" bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-'; }
# emu_disk: the IDE disk whose sector 0 has dom0/init.sh's marker; the
# vbd's twin, which reads the run's token, is deleted on the way.
emu_disk() {
	for d in /sys/block/sd*; do
		[ -e "$d" ] || continue
		case $(sector0 "${d##*/}") in
		BLANKET-LAB-EMUL*) echo "${d##*/}"; return 0 ;;
		BLANKET-LAB-DISK*) echo 1 >"$d/device/delete" ;;
		esac
	done
	return 1
}
lab_wait 60 e1000 e1000_netdev
eth=$(e1000_netdev) || { echo "compare: no e1000 netdev"; r=1; }
lab_wait 60 emu_disk emu_disk
sd=$(emu_disk) || { echo "compare: no emulated disk with the marker"; r=1; }
bvd=$(lab_rw_bvd)
echo "emu_devices=net:${eth:-none} disk:${sd:-none} bvd:${bvd:-none}" \
	"twins_left=$(ls /sys/block | grep '^sd' | grep -cvx "$sd")"
[ $r = 0 ] || exit 1

# --- the network: blnet0, then the e1000 ----------------------------------------
[ -x /tmp/fio ] || lab_get_fio || exit 1
lab_wait 30 ping ping -c 1 -W 1 "$peer" || r=1
lab_blanket_tcp fwd_tcp "$bench" || r=1

ip link set blnet0 down
ip link set "$eth" up
ip addr add "$emu_ip" dev "$eth"
lab_wait 60 emu_ping ping -c 1 -W 1 "$peer" || r=1
i0=$(lab_irq_events "^$eth\$")
lab-transfer "$peer" emu_tcp "$eth" "$bench" || r=1
echo "emu_tcp_irqs=$(($(lab_irq_events "^$eth\$") - i0))"
ip addr flush dev "$eth"
ip link set "$eth" down
lab_net_up "$ip" || r=1
lab_wait 60 ping ping -c 1 -W 1 "$peer" || r=1

# --- the disks: bvd0, then the IDE disk ----------------------------------------
# What lab_blk_bench counts of the emulated disk: its driver's interrupts.
emu_counts() { echo "irqs=$(lab_irq_events '^ata_piix$')"; }
lab_blk_bench fwd_bench "$bvd" lab_blanket_counts || r=1
lab_blk_bench emu_bench "$sd" emu_counts || r=1
exit $r
