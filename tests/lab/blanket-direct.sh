#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# blanket-direct.sh [nopv|forwarded]: blanket against a real L0. Builds the
# modules against Debian's 6.1 headers (the L1 guest runs Debian's 6.1
# kernel), puts them and blanket-check.sh into the guest's initramfs, and
# runs the lab: by default in the L1 guest booted "nopv" (direct mode);
# with "forwarded" in the PV Dom0 of the patched L1 Xen that `make
# xen-check` built. Passes only if blanket_xenbus connects to L0 and finds
# the vif and vbd.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
mode=${1:-nopv}
# The headers of the kernel the guest boots, whatever else is installed.
ensure_packages linux-image-amd64 linux-headers-amd64
kdir=/usr/src/linux-headers-$(kernel_release)
[ -d "$kdir" ] || die "no $kdir: linux-headers-amd64 and linux-image-amd64 disagree"
out=$top/build/lab-blanket-$mode

rm -rf "$out/src" "$out/extra"
mkdir -p "$out/src" "$out/extra"
(cd "$top" && git ls-files -co --exclude-standard -z -- Kbuild Makefile include \
	blanket_xenbus blanket_net blanket_blk | xargs -0 cp --parents -t "$out/src")
make -s -C "$kdir" M="$out/src" modules >"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log"; exit 1; }
cp "$out"/src/blanket_*.ko "$out/extra/"
# The bridge for the L2 stand-in in blanket-check.sh, from the guest's kernel.
kver=${kdir##*/linux-headers-}
for m in net/llc/llc net/802/stp net/bridge/bridge; do
	cp "/lib/modules/$kver/kernel/$m.ko" "$out/extra/"
done
# The guest reads its initramfs through the HVM firmware: keep it small.
strip --strip-debug "$out"/extra/*.ko
cp "$top/tests/lab/blanket-check.sh" "$out/extra/run.sh"
cp "$top/tests/lab/l2.sh" "$out/extra/"
shift $(($# > 0))
exec "$top/tests/lab/run.sh" "$mode" --extra "$out/extra" "$@"
