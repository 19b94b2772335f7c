#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# l2.sh PEER [hold]: in the PV Dom0 of the patched L1 Xen (forwarded mode), after
# blanket-check.sh has proved blnet0 and bvd0. Makes this Dom0 a Xen host
# for an L2 guest whose I/O all goes through blanket:
#   - the toolstack (xl, oxenstored, hotplug scripts, netback, blkback) is
#     fetched from L0's Dom0 over blnet0 (images.sh packs it for the L1
#     Xen's line; its binaries are in /usr/lib/xen-<that line>/bin) and run
#     in a chroot;
#   - bridge xenbr1 gets blnet0 as its uplink and the L2 guest's vif;
#   - as README's step 4 says: udevd with blanket's rule (60-blanket.rules,
#     from the tree) names bvd0 /dev/disk/by-blanket-vbd/<vbd id> (check
#     vbd_udev_link), and LVM on that name carves the L2 guest's disk, an
#     LV with a token at its sector 0.
# The L2 guest (l2/init.sh) pings L0's Dom0 and writes "L2-WROTE <token>"
# to its sector 1, which must then read back here from bvd0 where LVM put
# the LV, bypassing every cache; with lab.bench=ROUNDS it then runs the
# benchmark's transfer and block jobs (compare.sh's, from the L2 guest:
# through L1's netback and bridge, and its blkback on the LV). With hold,
# the L2 guest then pings and reads its disk a round a second: once it
# does, /tmp/l2-holding says L0 may save the L1 machine (blanket-check.sh's
# l0_save), /tmp/l2-release that the save is over, after which the L2
# guest must have three whole rounds before it is stopped. Prints
# key=value lines (l2_disk= tells dom0/init.sh where to look in L0's disk
# file); exits non-zero on any failure.
peer=${1:?usage: l2.sh PEER [hold]}
l2_hold=${2:-}
tk=/tk
url=http://$peer:8080
vg=l2 lv=guest1
fail=0

# Progress on the console as it happens: the run's output comes only at its end.
say() { echo "LAB-PROGRESS: l2: $*" >/dev/console; }
# The toolstack of the running L1 Xen's line (images.sh packs that one).
xen_bin=/usr/lib/xen-$(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)/bin
# The toolstack keeps to CPU 0. The lab's L0 runs the L1's vCPUs in turn on
# its one CPU, so on two vCPUs every exchange between xl, xenstored and the
# hotplug scripts waited for L0 to switch vCPUs, and the block script
# overran the 40 s libxl gives it. Blanket's own work is not pinned.
in_tk() {
	chroot $tk /usr/bin/taskset -c 0 /usr/bin/env \
		PATH="$xen_bin":/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# udevadm refuses to act in a chroot unless told not to mind.
udev_tk() { in_tk SYSTEMD_IGNORE_CHROOT=1 "$@"; }
# LVM's complaint about descriptors the lab's pipes leave open is noise.
export LVM_SUPPRESS_FD_WARNINGS=1
# lvm_tk CMD ARGS: one LVM command, bounded; its messages on failure, and
# where in the kernel it waited if it hung (LVM says nothing then).
lvm_tk() {
	local pid p c

	in_tk "$@" >/tmp/l2-lvm.log 2>&1 &
	pid=$!
	if ! lab_wait 120 "l2_$1" sh -c "! kill -0 $pid"; then
		# LVM itself: the last of the chain of children under the job.
		p=$pid
		while c=$(grep -l "^PPid:[[:space:]]*$p\$" /proc/[0-9]*/status 2>/dev/null | head -n 1) &&
			[ -n "$c" ]; do
			p=${c#/proc/} p=${p%/status}
		done
		echo "l2: $1 hung in $(cat /proc/$p/wchan 2>/dev/null)"
		sed "s/^/l2: $1 stack: /" /proc/$p/stack 2>/dev/null
		kill -9 $p $pid 2>/dev/null
	fi
	wait $pid && return 0
	echo "l2: $1 failed: $(tail -n 3 /tmp/l2-lvm.log | tr '\n' ' ')"
	return 1
}
die() { echo "l2: $*"; exit 1; }
. /lib/lab.sh
lab_args lab
# The LV: the token's sectors; with the benchmark, lab_blk_bench's region
# too, and the L2 guest room for fio.
lv_mib=4 l2_mib=128
[ -z "$bench" ] || lv_mib=20 l2_mib=256

disk=$(ls /sys/block | grep '^bvd' | head -n 1)
for d in /sys/block/bvd*; do
	[ "$(cat "$d/blanket_vbd" 2>/dev/null)" = 51712 ] && disk=${d##*/}
done
[ -n "$disk" ] || die "no blanket disk to carve from"

# --- the toolstack, over blnet0 ------------------------------------------------
mkdir -p $tk
say "fetching the toolstack"
t0=$(cut -d' ' -f1 /proc/uptime)
wget -q -O - "$url/l1-toolstack.tar.gz" | tar -xzf - -C $tk ||
	die "fetching the toolstack from $url failed"
[ -x "$tk$xen_bin/xl" ] || die "the toolstack fetched has no $xen_bin/xl"
echo "l2_toolstack=fetched bytes=$(du -sk $tk | cut -f1)KiB" \
	"seconds=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')" \
	"mem_available=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)KiB"
mount -t proc proc $tk/proc
mount -t sysfs sysfs $tk/sys
mount -o bind /dev $tk/dev
mkdir -p $tk/dev/pts
mount -t devpts devpts $tk/dev/pts
# The hotplug scripts' lock stats /dev/stdin; devtmpfs has no such links.
ln -sf /proc/self/fd $tk/dev/fd 2>/dev/null
ln -sf /proc/self/fd/0 $tk/dev/stdin 2>/dev/null
for m in $(cat $tk/lab-modules/list); do
	insmod "$tk/lab-modules/$m" 2>/dev/null
done
say "modules loaded; starting xenstored"
mount -t xenfs xenfs $tk/proc/xen || die "mount xenfs"
grep -q control_d $tk/proc/xen/capabilities || die "not a control domain"
mkdir -p $tk/run/xen $tk/run/xenstored $tk/run/lock $tk/var/log/xen/console $tk/var/lib/xen
in_tk sh -c 'XENSTORED_ROOTDIR=/run/xenstored oxenstored --pid-file /run/xen/xenstored.pid' ||
	die "oxenstored did not start"
lab_wait 60 l1_xenstored in_tk xenstore-read -s / || die "L1's xenstored does not answer"
in_tk timeout 60 xen-init-dom0 >/dev/null 2>&1 || die "xen-init-dom0"
in_tk xenconsoled --log=guest --log-dir=/var/log/xen/console || die "xenconsoled"
echo "l2_toolstack=up $(in_tk xl info 2>/dev/null | grep -E '^(xen_version|xen_caps)' | tr -s ' ' | tr '\n' ' ')"

# --- the bridge, with blnet0 as its uplink ----------------------------------------
addr=$(ip -o -4 addr show dev blnet0 | awk '{ print $4 }')
brctl addbr xenbr1 && echo 0 >/sys/class/net/xenbr1/bridge/forward_delay || die "bridge xenbr1"
ip addr flush dev blnet0
brctl addif xenbr1 blnet0
ip link set xenbr1 up
ip addr add "${addr:-10.99.0.2/24}" dev xenbr1
# This Dom0 on the bridge, before the L2 guest's vif joins it.
echo "l2_bridged_ping=$(lab_received -W 2 "$peer")/3"

# --- the L2 disk: an LV on the blanket disk, by the name udev gives it -------------
vbd=$(cat /sys/block/$disk/blanket_vbd)
link=/dev/disk/by-blanket-vbd/$vbd
cp 60-blanket.rules $tk/usr/lib/udev/rules.d/ || die "no 60-blanket.rules"
udev_tk /usr/lib/systemd/systemd-udevd --daemon || die "systemd-udevd did not start"
udev_tk udevadm trigger --action=add --subsystem-match=block
udev_tk udevadm settle --timeout=60
r=0
[ "$(readlink -f $link)" = /dev/$disk ] || r=1
echo "l2_udev_link=$link -> $(readlink $link)"
echo "check=vbd_udev_link $([ $r = 0 ] && echo ok || echo failed)"
[ $r = 0 ] || die "udev did not link $link to /dev/$disk"

say "carving the L2 disk with LVM"
lvm_tk pvcreate --yes $link && lvm_tk vgcreate $vg $link &&
	lvm_tk lvcreate --yes -L ${lv_mib}M -n $lv $vg || die "carving $vg/$lv from $link"
udev_tk udevadm settle --timeout=60
[ -b /dev/$vg/$lv ] || die "udev made no /dev/$vg/$lv"
# Where the LV starts on bvd0: LVM's data offset on the PV plus its extents
# before the LV; the kernel's mapping (dmsetup) must say the same.
off=$(in_tk pvs --noheadings --nosuffix --units s --segments \
	-o pe_start,pvseg_start,vg_extent_size,lv_name,vg_name |
	awk -v vg=$vg -v lv=$lv '$4 == lv && $5 == vg { print $1 + $2 * $3 }')
dm_off=$(in_tk dmsetup table $vg-$lv | awk '$3 == "linear" { print $5 }')
echo "l2_disk=/dev/$vg/$lv on=$link offset_sectors=$off" \
	"bytes=$(in_tk blockdev --getsize64 /dev/$vg/$lv) dm_table_offset=$dm_off"
[ -n "$off" ] && [ "$off" = "$dm_off" ] || die "LVM's and the kernel's offset of $vg/$lv differ"
token="BLANKET-L2-DISK $(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
printf '%s\n' "$token" | dd of=/dev/$vg/$lv bs=512 conv=notrunc,fsync 2>/dev/null ||
	die "writing the token to /dev/$vg/$lv"
# Sector 2 stops a holding L2 guest: nothing there from before.
dd if=/dev/zero of=/dev/$vg/$lv bs=512 seek=2 count=1 conv=notrunc,fsync 2>/dev/null ||
	die "clearing sector 2 of /dev/$vg/$lv"

cat >$tk/l2/l2.cfg <<EOF
name = "l2"
type = "pv"
kernel = "/l2/vmlinuz"
ramdisk = "/l2/initrd.img"
extra = "console=hvc0 quiet l2.peer=$peer l2.ip=10.99.0.5/24${bench:+ l2.bench=$bench}${l2_hold:+ l2.hold=1}"
memory = $l2_mib
vcpus = 1
vif = [ 'bridge=xenbr1' ]
disk = [ 'phy:/dev/$vg/$lv,xvda,w' ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
log=$tk/var/log/xen/console/guest-l2.log
rm -f $log
say "xl create l2"
if ! in_tk timeout 300 xl create /l2/l2.cfg >/tmp/l2-create.log 2>&1; then
	# What libxl and the L1 Xen said, for the run's record.
	tail -n 20 /tmp/l2-create.log | sed 's/^/l2_create: /'
	tail -n 20 $tk/var/log/xen/xl-l2.log 2>/dev/null | sed 's/^/l2_xl_log: /'
	in_tk xl dmesg 2>/dev/null | tail -n 20 | sed 's/^/l2_xen: /'
	die "xl create l2: $(tail -n 2 /tmp/l2-create.log | tr '\n' ' ')"
fi
echo "l2_guest=created"
say "l2 created"
# While it pings: the bridge, the MACs it learned, what blnet0 moved.
tx0=$(cat /sys/class/net/blnet0/statistics/tx_packets)
rx0=$(cat /sys/class/net/blnet0/statistics/rx_packets)
if lab_wait 600 l2_disk grep -q '^L2: disk_write' $log; then
	sleep 15
	brctl show xenbr1 | tail -n +2 | tr -s ' \t' ' ' | sed 's/^/l2_bridge: /'
	brctl showmacs xenbr1 | tail -n +2 | tr -s ' \t' ' ' | sed 's/^/l2_macs: /'
	echo "l2_blnet0 tx_packets=+$(($(cat /sys/class/net/blnet0/statistics/tx_packets) - tx0))" \
		"rx_packets=+$(($(cat /sys/class/net/blnet0/statistics/rx_packets) - rx0))"
fi
if [ -n "$l2_hold" ]; then
	lab_wait 120 l2_holding grep -q '^L2: round=' $log ||
		die "the L2 guest did not start its rounds"
	touch /tmp/l2-holding
	say "l2 holding"
	lab_wait 3600 l2_release test -e /tmp/l2-release || fail=1
	n0=$(tr -d '\r' <$log | grep -c '^L2: round=')
	# rounds_after: the rounds since the release; whole_after: of them,
	# those in which L0's Dom0 answered and the disk read.
	rounds_after() { tr -d '\r' <$log | grep '^L2: round=' | tail -n +$((n0 + 1)); }
	whole_after() { [ "$(rounds_after | grep -c 'ping=ok read=ok')" -ge 3 ]; }
	lab_wait 300 l2_whole_after whole_after ||
		{ echo "l2: fewer than 3 whole rounds after L1 was saved"; fail=1; }
	echo "l2_hold rounds_before=$n0 after=$(rounds_after | wc -l)" \
		"whole_after=$(rounds_after | grep -c 'ping=ok read=ok')"
	# Direct, a whole sector: a write through this side's cache would
	# write back the stale copy it has of the sector L2 wrote.
	{ printf 'L2-STOP\n'; head -c 504 /dev/zero; } |
		in_tk dd of=/dev/$vg/$lv bs=512 seek=2 count=1 iflag=fullblock \
			oflag=direct conv=notrunc 2>/dev/null ||
		{ echo "l2: cannot write L2-STOP"; fail=1; }
fi
lab_wait 900 l2_done grep -q '^L2-DONE' $log || { echo "l2: no L2-DONE within 900 s"; fail=1; }
# Its rounds while holding are summed up above (l2_hold).
tr -d '\r' <$log | grep '^L2:' | grep -v '^L2: round='
# Its kernel's complaints, as its console has them (quiet: errors and
# worse), a stall included: none, L1's save and restore included. But a
# save L0 made without asking (/tmp/l2-unasked) paused it unknowing, and
# at the restore its clock jumped by the save's length, which RCU may
# report as a stall: that report's lines are said as l2_stall instead.
tr -d '\r' <$log | grep -E "^\[ *[0-9.]+\] .*(rcu: INFO|$lab_kernel_bad)" >/tmp/l2-kernel
if [ -e /tmp/l2-unasked ]; then
	grep -E '^\[ *[0-9.]+\] rcu: INFO: .*stall' /tmp/l2-kernel | sed 's/^/l2_stall=/'
	grep -vE '^\[ *[0-9.]+\] rcu: INFO: .*stall' /tmp/l2-kernel >/tmp/l2-kernel.left
	mv /tmp/l2-kernel.left /tmp/l2-kernel
fi
if [ -s /tmp/l2-kernel ]; then
	echo "l2_kernel=complained"
	head -n 8 /tmp/l2-kernel | sed 's/^/l2_kernel: /'
	fail=1
else
	echo "l2_kernel=clean"
fi
# Where the L2 guest's frames went: the bridge's ports and what each moved.
for i in $(ls /sys/class/net/xenbr1/brif 2>/dev/null) xenbr1; do
	echo "l2_port=$i rx_packets=$(cat /sys/class/net/$i/statistics/rx_packets)" \
		"tx_packets=$(cat /sys/class/net/$i/statistics/tx_packets)"
done
lab_wait 60 l2_gone sh -c "! chroot $tk $xen_bin/xl domid l2" ||
	in_tk timeout 60 xl destroy l2
tr -d '\r' <$log | grep -q "^L2: disk_sector0=$token\$" ||
	{ echo "l2: the L2 guest did not read its token"; fail=1; }
tr -d '\r' <$log | grep -q "^L2: ping=$peer received=[1-9]" ||
	{ echo "l2: the L2 guest did not reach L0's Dom0"; fail=1; }
[ -z "$bench" ] || tr -d '\r' <$log | grep -qx 'L2: bench_rc=0' ||
	{ echo "l2: the L2 guest's benchmark failed"; fail=1; }
[ -z "$l2_hold" ] || tr -d '\r' <$log | grep -q '^L2: hold_rounds=[0-9]* stopped=yes' ||
	{ echo "l2: the L2 guest did not read L2-STOP from its disk"; fail=1; }

# What L2 wrote, read back from blanket's disk past every cache of ours;
# then the disk is left as the checks after this one expect: no LV on it,
# no udevd watching it.
lvm_tk vgchange -an $vg || fail=1
udev_tk udevadm control --exit
sync
echo 3 >/proc/sys/vm/drop_caches
back=$(in_tk dd if=/dev/$disk bs=512 skip=$((off + 1)) count=1 iflag=direct 2>/dev/null |
	head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
echo "l2_disk_readback=$back"
[ "$back" = "L2-WROTE $token" ] || { echo "l2: what L2 wrote does not read back from $disk"; fail=1; }
exit $fail
