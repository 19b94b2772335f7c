#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of Dom0's initramfs. Debian's kernel has virtio, ext4 and 9p as
# modules, so this loads them (list made on the host by images.sh), mounts
# the root image (/dev/vda) and the host share (9p tag "lab") under it, and
# hands over to /lab/dom0/init.sh, which run.sh puts in the share for each run.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
	echo "LAB-DOM0: status: FAIL initramfs: $*" >/dev/console
	sleep 1
	poweroff -f
}

# Some fail by design (crc32c-intel needs SSE4.2, which qemu64 lacks):
# only a mount that then fails is an error.
noload=
for m in $(cat /modules.list); do
	insmod "/modules/$m" 2>/dev/null || noload="$noload $m"
done

i=0
while [ ! -b /dev/vda ]; do
	i=$((i + 1))
	[ $i -gt 60 ] && fail "no /dev/vda after 30 s"
	sleep 0.5
done

mkdir -p /newroot
mount -t ext4 /dev/vda /newroot || fail "mount /dev/vda (not loaded:$noload)"
mkdir -p /newroot/lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lab /newroot/lab ||
	fail "mount 9p share (not loaded:$noload)"
[ -r /newroot/lab/dom0/init.sh ] || fail "no dom0/init.sh in the share"

mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/bash /lab/dom0/init.sh
