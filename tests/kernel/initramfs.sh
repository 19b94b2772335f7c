#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT MODDIR NSUITES [FAULT]: a busybox initramfs whose init
# loads blanket's modules and KUnit modules from MODDIR, unloads them
# again, asks kmemleak for leaks, and powers the machine off. FAULT (for
# `make check-harness`) loads blanket_faults with that fault, or with
# "missing" leaves a suite module out.
set -euo pipefail

out=$1 moddir=$2 nsuites=$3 fault=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,proc,sys,dev,lib/blanket}
cp /bin/busybox "$root/bin/busybox"
# Load order: the bus first, its drivers, then the suites.
mods="blanket_xenbus blanket_net blanket_blk blanket_xenbus_test blanket_net_test blanket_blk_test"
case $fault in
"") ;;
missing) mods=${mods% *} ;;
*) mods="$mods blanket_faults" ;;
esac
for m in $mods; do
	cp "$moddir/$m.ko" "$root/lib/blanket/"
done

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
say() { echo "blanket-init: \$*" >/dev/kmsg; }

# Forget boot-time objects: only what our modules leave behind counts.
echo clear >/sys/kernel/debug/kmemleak

# Module suites print no top-level KTAP header: give the parser one.
say start
echo "KTAP version 1" >/dev/kmsg
echo "1..$nsuites" >/dev/kmsg
for m in $mods; do
	args=
	[ \$m = blanket_faults ] && args="fault=$fault"
	insmod /lib/blanket/\$m.ko \$args || say "insmod \$m failed"
done
for m in $(echo "$mods" | tr ' ' '\n' | tac | tr '\n' ' '); do
	rmmod \$m || say "rmmod \$m failed"
done

# kmemleak reports only objects older than 5 s, and wants two scans.
sleep 6
echo scan >/sys/kernel/debug/kmemleak
echo scan >/sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak >/dev/console
say done
reboot -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
