#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l1-initramfs.sh OUT [EXTRA_DIR]: packs the L1 guest's initramfs into OUT
# (xz cpio) from images.sh's build/lab/l1/initramfs.d (l1-trixie/ for
# BLANKET_LAB_L1_KERNEL=trixie, host/lib.sh), with guest/init.sh as
# /init and EXTRA_DIR's files under /extra. guest/init.sh loads every
# /extra/*.ko and then runs /extra/run.sh if there is one (see its header):
# that is how our modules get into the guest. Everything here is read
# through the HVM firmware byte by byte (minutes per MB): keep extras small.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

dst=${1:?usage: l1-initramfs.sh OUT [EXTRA_DIR]}
extra=${2:-}
base=$out/$l1_images/initramfs.d
[ -x "$base/bin/busybox" ] || die "$base missing: run tests/lab/images.sh"
[ -z "$extra" ] || [ -d "$extra" ] || die "extra directory $extra does not exist"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cp -a "$base/." "$root/"
cp "$lab/guest/init.sh" "$root/init"
cp "$lab/guest/transfer.sh" "$root/bin/lab-transfer"
mkdir -p "$root/lib"
cp "$lab/guest/lib.sh" "$root/lib/lab.sh"
chmod +x "$root/init" "$root/bin/lab-transfer"
[ -z "$extra" ] || cp -a "$extra/." "$root/extra/"
# The kernel's xz decompressor wants CRC32 checks, not xz's default CRC64.
(cd "$root" && find . | cpio -o -H newc --quiet | xz -9 --check=crc32) >"$dst"
