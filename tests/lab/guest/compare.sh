#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh: /extra/run.sh of forwarded mode's comparison run (make
# lab-full: blanket-direct.sh forwarded --compare), in the PV Dom0 of the
# patched L1 Xen, once blanket's modules are loaded. What blanket is
# measured against: without it this Dom0 has only the devices L0's device
# model emulates for the L1 HVM guest (host/l1.cfg.in: an e1000 on the
# same L0 bridge, an IDE disk on a file of its own), which it sees as PCI
# hardware. The same transfer as the benchmark's run (lab.bench=ROUNDS
# rounds each way, 1000 echoes) and the same block benchmark
# (lab_blk_bench), first through blanket (blnet0, bvd0: tags fwd_tcp,
# fwd_bench), then through the emulated devices (tags emu_tcp, emu_bench,
# with the interrupts their drivers took here); then l2.sh, whose L2 guest
# runs them too. One netdev at a time is up: both are on one subnet and
# L0's bridge, and the other would answer for its address. The disk's
# emulated twin of bvd0 (the HVM guest's xvda is also IDE hda) is deleted
# here, unused: no second path to disk.img, no duplicate LVM label for
# l2.sh.
#
# The kernel's log: a complaint in blanket's half fails compare_emulated;
# one in the emulated half is reported whole (emu_kernel: lines) once the
# emulated disk has no I/O left in flight, and host/verdict.sh holds it
# against the emulated devices unless blanket's code is in it. Prints
# key=value lines and check= lines (tests/lab/checks: compare_emulated,
# l2_guest, kernel_log); exits non-zero if any failed.
. /lib/lab.sh
lab_args lab
emu_ip=$(echo "$ip" | sed 's/\.[0-9]*\//.4\//')
fail=0
check() {
	echo "check=$1 $([ "$2" = 0 ] && echo ok || echo failed)"
	[ "$2" = 0 ] || fail=1
}

# compare: both halves; non-zero if a device is missing or a transfer, a
# job or blanket's half of the kernel log failed.
compare() {
	local r=0 n=0 m t eth sd bvd i0 left

	lab_wait 60 bus_devices have_both || return 1
	lab_net_up "$ip" || return 1
	lab_wait 30 ping ping -c 1 -W 1 "$peer" || return 1
	lab_get_fio || return 1
	# The drivers, in load order. One may refuse a CPU without its
	# instructions (crct10dif-pclmul): what counts is the devices they give.
	for m in $(cat emul/list); do
		insmod "emul/$m" 2>/dev/null && n=$((n + 1))
	done
	echo "emu_modules=$n of $(wc -l <emul/list)"
	# The L1 Xen and the relay ABI blanket agreed on with it.
	echo "l1_xen=$(dmesg | sed -n 's/.*L1 Xen forwards to L0, //p' | tail -n 1 | tr ' ' '_')"
	lab_wait 60 e1000 e1000_netdev
	eth=$(e1000_netdev) || { echo "compare: no e1000 netdev"; r=1; }
	lab_wait 60 emu_disk emu_disk
	sd=$(emu_disk) || { echo "compare: no emulated disk with the marker"; r=1; }
	bvd=$(lab_rw_bvd)
	left=$(ls /sys/block | grep '^sd' | grep -cvx "${sd:-}")
	echo "emu_devices=net:${eth:-none} disk:${sd:-none} bvd:${bvd:-none} twins_left=$left"
	[ "$left" = 0 ] || { echo "compare: an IDE twin of the vbd is left, a second path to disk.img"; r=1; }
	[ $r = 0 ] || return 1

	# --- blanket: blnet0, bvd0 ---------------------------------------------------
	lab_blanket_tcp fwd_tcp "$bench" || r=1
	lab_blk_bench fwd_bench "$bvd" lab_blanket_counts || r=1
	lab_kernel_clean fwd || r=1

	# --- the emulated devices: the e1000, the IDE disk ------------------------------
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
	m=$(dmesg | wc -l) t=$(date +%s)
	lab_blk_bench emu_bench "$sd" emu_counts || r=1
	# Its I/O must have ended before its log is judged.
	lab_wait 300 emu_idle grep -qx ' *0 *0' "/sys/block/$sd/inflight" || r=1
	echo "emu_bench_seconds=$(($(date +%s) - t))"
	# What the IDE disk's drivers said meanwhile (libata's timeouts and
	# resets), complaint or not.
	dmesg | tail -n +$((m + 1)) | grep -E "ata[0-9]|$sd|scsi|rcu" | head -n 30 |
		sed 's/^/emu_dmesg: /'
	lab_kernel_clean emu 80
	return $r
}
# have_both: blanket's vif and a writable bvd.
have_both() { [ -e /sys/bus/blanket/devices/vif-0 ] && lab_rw_bvd >/dev/null; }
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
# emu_disk: the IDE disk whose sector 0 has dom0/init.sh's marker, once
# the vbd's twin, which reads the run's token, is deleted. The two are
# master and slave of one channel, named in either order: every disk is
# looked at, each time.
emu_disk() {
	local d emu=

	for d in /sys/block/sd*; do
		[ -e "$d" ] || continue
		case $(sector0 "${d##*/}") in
		BLANKET-LAB-EMUL*) emu=${d##*/} ;;
		BLANKET-LAB-DISK*) echo 1 >"$d/device/delete" && : >/tmp/emu_twin_gone ;;
		esac
	done
	[ -n "$emu" ] && [ -e /tmp/emu_twin_gone ] && echo "$emu"
}
# What lab_blk_bench counts of the emulated disk: its driver's interrupts.
emu_counts() { echo "irqs=$(lab_irq_events '^ata_piix$')"; }

compare; check compare_emulated $?
# The L2 guest on blnet0 and a carve of bvd0, with the benchmark.
sh ./l2.sh "$peer"; check l2_guest $?
lab_kernel_clean end; check kernel_log $?
exit $fail
