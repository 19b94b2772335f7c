#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# images.sh: builds (or reuses) everything the nested lab boots, under
# build/lab/ (BLANKET_LAB_DIR). Each artifact has a .key file next to it: a
# hash of the function that makes it and of its inputs (package versions,
# files), so a rerun only rebuilds what changed and is fast when nothing did.
#
#   xen.elf                 Debian's Xen 4.17 hypervisor, uncompressed: QEMU's
#                           multiboot loader takes an ELF, not the .gz
#   dom0/vmlinuz            Debian's 6.1 kernel (by default the L1 guest's too)
#   dom0/initrd.img         busybox initramfs: loads virtio/ext4/9p, mounts the
#                           root image and the host share, runs /lab/dom0/init.sh
#   dom0/rootfs.ext4        debootstrap'd bookworm with the Xen 4.17 toolstack,
#                           qemu-system-xen and /lib/modules/<6.1>; booted
#                           read-only (QEMU snapshot=on), so it stays pristine
#   l1/vmlinuz              the L1 guest's kernel (same Debian 6.1 kernel)
#   l1/initramfs.d/         the L1 guest's initramfs tree without its init:
#                           busybox, xen-netfront/xen-blkfront, the nolibc helpers.
#                           l1-initramfs.sh adds the init and any extras
#   l1/disk.img             the L1 guest's vbd (raw, sparse)
#   l2/l1-toolstack-LINE.tar.gz
#                           forwarded mode's L1 Dom0 toolstack, of the L1
#                           Xen's line (l1_xen_line): 4.17's from Dom0's
#                           root, another line's from l2/root-LINE, a
#                           debootstrap'd root of the release that has it
#   l1-trixie/, l2-trixie/  the same for BLANKET_LAB_L1_KERNEL=trixie: the
#                           L1 guest on Debian 13's kernel and modules
#                           (host/lib.sh's l1_kernel_find)
#   fio/fio                 a static fio from Debian's own source package, with
#                           libaio and no engine that needs another library:
#                           Dom0 serves it, the guest fetches it (not in its
#                           initramfs, which the firmware reads at minutes/MB)
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
. "$top/scripts/apt-private.sh"

host_pkgs=(xen-hypervisor-4.17-amd64 linux-image-amd64 debootstrap
	   qemu-system-x86 busybox-static e2fsprogs cpio xz-utils kmod gcc
	   make dpkg-dev libaio-dev zlib1g-dev)
# Dom0's root: the toolstack, the HVM device model, bridge and module tools;
# lvm2 for the L1 Dom0's toolstack (below), which carves the L2 guest's disk.
dom0_pkgs=(xen-utils-4.17 xenstore-utils qemu-system-xen bridge-utils
	   iproute2 busybox kmod lvm2)

ensure_packages "${host_pkgs[@]}"
mkdir -p "$out/dom0" "$out/$l1_images"
# A failed chroot step must not leave /proc mounted inside a root.
chroot_root=
trap '[ -n "$chroot_root" ] && mountpoint -q "$chroot_root/proc" && umount "$chroot_root/proc"; true' EXIT
exec 9>"$out/.images.lock"
flock -w 1800 9 || die "another images.sh holds $out/.images.lock"

kver=$(kernel_release)
[ -n "$kver" ] && [ -r "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ] ||
	die "no installed linux-image-amd64 6.1 kernel (got '$kver')"
xen_ver=$(pkg_version xen-hypervisor-4.17-amd64)
l1_kernel_find

# --- the hypervisor -------------------------------------------------------
build_xen() {
	local gz

	gz=$(dpkg -L xen-hypervisor-4.17-amd64 | grep -m1 '^/boot/xen-.*\.gz$') ||
		die "xen-hypervisor-4.17-amd64 has no /boot/xen-*.gz"
	gunzip -c "$gz" >"$out/xen.elf.tmp"
	[ "$(head -c 4 "$out/xen.elf.tmp" | tail -c 3)" = ELF ] || die "$gz is not a gzipped ELF"
	mv "$out/xen.elf.tmp" "$out/xen.elf"
}
key=$(key_of "$(declare -f build_xen)" "$xen_ver")
if ! is_cached xen.elf "$key"; then
	log "xen.elf from xen-hypervisor-4.17-amd64 $xen_ver"
	build_xen
	set_cached xen.elf "$key"
fi

# --- kernels: Dom0 runs Debian's 6.1 kernel, the L1 guest l1_kernel_find's --
cmp -s "/boot/vmlinuz-$kver" "$out/dom0/vmlinuz" ||
	cp "/boot/vmlinuz-$kver" "$out/dom0/vmlinuz"
cmp -s "$l1_root/boot/vmlinuz-$l1_kver" "$out/$l1_images/vmlinuz" ||
	cp "$l1_root/boot/vmlinuz-$l1_kver" "$out/$l1_images/vmlinuz"

# --- Dom0's initramfs -------------------------------------------------------
build_dom0_initrd() {
	local root

	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,modules,newroot}
	cp /bin/busybox "$root/bin/busybox"
	cp "$lab/dom0/initramfs-init.sh" "$root/init"
	chmod +x "$root/init"
	put_mods "$root/modules" "" "$kver" virtio_pci virtio_blk ext4 9p 9pnet_virtio \
		>"$root/modules.list"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out/dom0/initrd.img"
	rm -rf "$root"
}
key=$(key_of "$(declare -f build_dom0_initrd put_mods mods_for)" "$kver" \
	"$(pkg_version busybox-static)" "$(cat "$lab/dom0/initramfs-init.sh")")
if ! is_cached dom0/initrd.img "$key"; then
	log "dom0/initrd.img"
	build_dom0_initrd
	set_cached dom0/initrd.img "$key"
fi

# --- Dom0's root filesystem ----------------------------------------------------
# debootstrap_root ROOT SUITE PKG...: a minbase SUITE in ROOT with PKG
# installed from SUITE, its updates and its security archive (which
# carries the Xen a release's hypervisor comes from: the toolstack must be
# the same x.y.z); no daemon started, apt's lists dropped. Logs beside ROOT.
debootstrap_root() {
	local root=$1 suite=$2

	shift 2
	rm -rf "$root"
	log "debootstrap $suite (minbase) into ${root#"$out"/}: a few minutes"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" \
		>"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log" >&2; die "debootstrap $suite"; }
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror $suite main
		deb $mirror $suite-updates main
		deb $security_mirror $suite-security main
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod +x "$root/usr/sbin/policy-rc.d"
	chroot_root=$root
	mount -t proc proc "$root/proc"
	log "apt-get install $* in ${root#"$out"/}"
	chroot "$root" /bin/sh -c "
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q &&
		apt-get -y -q upgrade &&
		apt-get install -y -q --no-install-recommends $* &&
		apt-get clean" >"$root.apt.log" 2>&1 ||
		{ tail -n 20 "$root.apt.log" >&2; die "apt-get in ${root#"$out"/}"; }
	umount "$root/proc"
	rm -f "$root/usr/sbin/policy-rc.d"
	rm -rf "$root"/var/lib/apt/lists/*
}

build_dom0_rootfs() {
	local root=$out/dom0/rootfs utils_ver size_mb

	rm -f "$out/dom0/rootfs.ext4"
	debootstrap_root "$root" bookworm "${dom0_pkgs[@]}"
	utils_ver=$(chroot "$root" dpkg-query -W -f='${Version}' xen-utils-4.17)
	[ "$utils_ver" = "$xen_ver" ] ||
		die "dom0 xen-utils-4.17 $utils_ver does not match the hypervisor $xen_ver"

	mkdir -p "$root/lib/modules"
	cp -a "/lib/modules/$kver" "$root/lib/modules/"
	# Only the headers' symlinks point outside; Dom0 builds nothing.
	rm -f "$root/lib/modules/$kver/build" "$root/lib/modules/$kver/source"
	depmod -b "$root" "$kver"
	echo lab-dom0 >"$root/etc/hostname"

	size_mb=$(($(du -sm "$root" | cut -f1) * 5 / 4 + 256))
	mkfs.ext4 -q -F -L dom0 -d "$root" "$out/dom0/rootfs.ext4.tmp" "${size_mb}M" >/dev/null
	mv "$out/dom0/rootfs.ext4.tmp" "$out/dom0/rootfs.ext4"
	echo "$utils_ver" >"$out/dom0/xen-utils.version"
}
key=$(key_of "$(declare -f build_dom0_rootfs debootstrap_root)" "$kver" "$xen_ver" \
	"${dom0_pkgs[*]}" "$mirror" "$security_mirror")
if ! is_cached dom0/rootfs.ext4 "$key"; then
	build_dom0_rootfs
	set_cached dom0/rootfs.ext4 "$key"
fi

# --- the L1 guest ---------------------------------------------------------------
# nolibc_tool SOURCE NAME: builds $lab/SOURCE.c, which makes its system calls
# through nolibc.h, into the guest's /bin/NAME (the guest has no libc).
nolibc_tool() {
	gcc -static -nostdlib -Os -s -fno-stack-protector -fno-pie -no-pie \
		-fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
		-o "$out/$l1_images/initramfs.d/bin/$2" "$lab/guest/$1.c"
}
# The initramfs is read through the HVM firmware byte by byte: keep it small
# (no module dependencies to speak of, busybox, four tiny helpers).
build_l1_base() {
	local root=$out/$l1_images/initramfs.d

	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,extra}
	cp /bin/busybox "$root/bin/busybox"
	nolibc_tool xen-cpuid xen-cpuid
	nolibc_tool tcp-client lab-tcp-client
	nolibc_tool channels lab-channels
	nolibc_tool ethstats lab-ethstats
	put_mods "$root/modules" "$l1_root" "$l1_kver" xen-netfront xen-blkfront \
		>"$root/modules.list"
	echo "$l1_kver" >"$root/kernel-release"
}
key=$(key_of "$(declare -f build_l1_base nolibc_tool put_mods mods_for)" "$l1_kver" \
	"$(pkg_version busybox-static)" "$(cat "$lab/guest/nolibc.h" "$lab/guest/xen-cpuid.c" "$lab/guest/tcp-client.c" \
	"$lab/guest/channels.c" "$lab/guest/ethstats.c")")
if ! is_cached "$l1_images/initramfs.d" "$key"; then
	log "$l1_images/initramfs.d"
	build_l1_base
	set_cached "$l1_images/initramfs.d" "$key"
fi

# The vbd: a marker at sector 0 that run.sh overwrites with a per-run token.
build_l1_disk() {
	rm -f "$out/$l1_images/disk.img"
	truncate -s 32M "$out/$l1_images/disk.img"
	echo "BLANKET-LAB-DISK" | dd of="$out/$l1_images/disk.img" conv=notrunc status=none
}
key=$(key_of "$(declare -f build_l1_disk)")
if ! is_cached "$l1_images/disk.img" "$key"; then
	log "$l1_images/disk.img"
	build_l1_disk
	set_cached "$l1_images/disk.img" "$key"
fi

# --- the L2 guest's host (forwarded mode only) -----------------------------------
# The PV Dom0 of the L1 Xen fetches this over blnet0 (l2.sh) and runs it in
# a chroot: a Debian root without what an L1 toolstack does not use, the
# modules a backend Dom0 needs (in load order), and the L2 guest's kernel
# and initramfs (l2/init.sh as its init, guest/lib.sh as the /lib/lab.sh it
# sources, guest/transfer.sh and its TCP client for its benchmark, the
# front ends as modules). Of
# udev's rules only device-mapper's and LVM's: the udevd l2.sh runs is
# there to name disks, not to rename or set up anything else.
#
# The toolstack is of the L1 Xen's line: libxenctrl stamps every domctl
# with its line's interface version, and a hypervisor refuses any other.
# Dom0's root has 4.17's; another line's comes from l2/root-LINE, made
# like Dom0's from the Debian release that carries that line.
declare -A xen_line_suite=([4.17]=bookworm [4.20]=trixie)
l1_tk_pkgs=(xenstore-utils bridge-utils iproute2 busybox kmod lvm2 udev)
build_l1_toolstack() {	# ROOT LINE
	local root tk=$out/$l2_images/toolstack.d tgz=$out/$l2_images/l1-toolstack-$2.tar.gz

	rm -rf "$tk" "$tgz"
	[ -x "$1/usr/lib/xen-$2/bin/xl" ] || die "${1#"$out"/} has no /usr/lib/xen-$2/bin/xl"
	mkdir -p "$tk/lab-modules" "$tk/l2"
	tar -C "$1" -cf - \
		--exclude=./usr/lib/modules --exclude=./usr/share/doc \
		--exclude=./usr/share/man --exclude=./usr/share/locale \
		--exclude=./usr/share/qemu --exclude=./usr/libexec/xen-qemu-system-i386 \
		--exclude=./var/cache --exclude=./var/lib/apt --exclude=./var/lib/dpkg \
		--exclude=./boot --exclude=./usr/lib/udev --exclude='./usr/lib/python3*' \
		--exclude=./usr/share/zoneinfo --exclude=./usr/lib/x86_64-linux-gnu/gconv \
		--exclude=./usr/lib/x86_64-linux-gnu/perl-base . |
		tar -C "$tk" -xf -
	mkdir -p "$tk/usr/lib/udev/rules.d"
	cp "$1"/usr/lib/udev/rules.d/{55-dm,56-lvm,60-persistent-storage-dm,69-lvm,95-dm-notify}.rules \
		"$tk/usr/lib/udev/rules.d/"
	put_mods "$tk/lab-modules" "$l1_root" "$l1_kver" xen-evtchn xen-gntdev xen-gntalloc \
		xen-privcmd xenfs xen-netback xen-blkback dm-mod >"$tk/lab-modules/list"
	cp "$out/$l1_images/vmlinuz" "$tk/l2/vmlinuz"
	root=$(mktemp -d)
	cp -a "$out/$l1_images/initramfs.d/." "$root/"
	rm -rf "$root/extra" "$root/bin/xen-cpuid" "$root/bin/lab-channels" \
		"$root/bin/lab-ethstats"
	cp "$lab/l2/init.sh" "$root/init"
	cp "$lab/guest/transfer.sh" "$root/bin/lab-transfer"
	chmod +x "$root/init" "$root/bin/lab-transfer"
	mkdir -p "$root/lib"
	cp "$lab/guest/lib.sh" "$root/lib/lab.sh"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$tk/l2/initrd.img"
	rm -rf "$root"
	tar -C "$tk" -czf "$tgz" .
	rm -rf "$tk"
}
line=$(l1_xen_line)
[ -n "${xen_line_suite[$line]:-}" ] || die "no L1 toolstack for Xen $line (${!xen_line_suite[*]})"
mkdir -p "$out/l2" "$out/$l2_images"
if [ "$line" = 4.17 ]; then
	tk_root=$out/dom0/rootfs tk_key=$(cat "$out/dom0/rootfs.ext4.key")
else
	tk_root=$out/l2/root-$line
	tk_key=$(key_of "$(declare -f debootstrap_root)" "${xen_line_suite[$line]}" \
		"xen-utils-$line ${l1_tk_pkgs[*]}" "$mirror" "$security_mirror")
	if ! is_cached "l2/root-$line" "$tk_key"; then
		debootstrap_root "$tk_root" "${xen_line_suite[$line]}" "xen-utils-$line" "${l1_tk_pkgs[@]}"
		set_cached "l2/root-$line" "$tk_key"
	fi
fi
key=$(key_of "$(declare -f build_l1_toolstack put_mods mods_for)" "$tk_key" \
	"$(cat "$out/$l1_images/initramfs.d.key")" \
	"$(cat "$lab/l2/init.sh" "$lab/guest/lib.sh" "$lab/guest/transfer.sh")")
if ! is_cached "$l2_images/l1-toolstack-$line.tar.gz" "$key"; then
	log "$l2_images/l1-toolstack-$line.tar.gz"
	build_l1_toolstack "$tk_root" "$line"
	set_cached "$l2_images/l1-toolstack-$line.tar.gz" "$key"
fi

# --- fio for the guest ---------------------------------------------------------
# Debian's fio links librados and friends; this one is static, from the same
# source package. Engines that need a library beyond libaio and zlib are off,
# so what gets built does not depend on what else the host has installed;
# --disable-native: the guest's CPU is qemu64, not the host's.
fio_configure=(--build-static --disable-native --disable-numa --disable-rdma
	       --disable-rados --disable-rbd --disable-http --disable-gfapi
	       --disable-lex --disable-pmem --disable-xnvme --disable-libzbc
	       --disable-tcmalloc --disable-libnfs --disable-dfs)
build_fio() {
	local dir=$out/fio src

	rm -rf "$dir"
	mkdir -p "$dir/src"
	apt_private_init "$dir/apt" "deb-src $mirror bookworm main"
	apt_private "$dir/apt" update >"$dir/build.log" 2>&1 &&
		(cd "$dir/src" && apt_private "$dir/apt" source fio) >>"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "apt-get source fio"; }
	src=$(ls -d "$dir"/src/fio-*/ | tail -n 1)
	(cd "$src" && ./configure "${fio_configure[@]}" && make -j"$(nproc)" fio) \
		>>"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "building fio"; }
	grep -q '^CONFIG_LIBAIO=y' "$src/config-host.mak" || die "fio built without libaio"
	readelf -l "$src/fio" | grep -q INTERP && die "fio is not static"
	strip -o "$dir/fio.tmp" "$src/fio"
	"$dir/fio.tmp" --version >"$dir/version" || die "the built fio does not run"
	rm -rf "$dir/src" "$dir/apt"
	mv "$dir/fio.tmp" "$dir/fio"
}
key=$(key_of "$(declare -f build_fio apt_private_init apt_private)" "${fio_configure[*]}" \
	"$mirror" "$(pkg_version gcc)" "$(pkg_version libc6-dev)" \
	"$(pkg_version libaio-dev)" "$(pkg_version zlib1g-dev)")
if ! is_cached fio/fio "$key"; then
	log "fio/fio: apt-get source fio, static build (about a minute)"
	build_fio
	set_cached fio/fio "$key"
fi

log "images ready in $out (kernel $kver, L1 guest's $l1_kver, xen $xen_ver)"
