#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# blanket-direct.sh [nopv|forwarded]: blanket against a real L0. Builds the
# modules against the headers of the L1 guest's kernel (Debian's 6.1, or
# with BLANKET_LAB_L1_KERNEL=trixie Debian 13's: host/lib.sh), puts them
# and blanket-check.sh into the guest's initramfs, and
# runs the lab: by default in the L1 guest booted "nopv" (direct mode);
# with "forwarded" in the PV Dom0 of the patched L1 Xen that `make
# xen-check` built; with "--untrusted" after the mode, with both front ends
# untrusting (see below). Passes only if blanket_xenbus connects to L0 and finds
# the vif and vbd.
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
mode=${1:-nopv}
shift $(($# > 0))
# --untrusted: both front ends load with trusted=0 (bounce buffers, L0
# sees only pages of ours) and blanket_blk without persistent grants.
# --compare (forwarded mode, make lab-full's run): instead of blanket's
# checks, the comparison with L0's emulated devices and the L2 guest's
# benchmark (guest/compare.sh).
variant=
case ${1:-} in
--untrusted) variant=untrusted ;;
--compare) variant=compare ;;
esac
[ -z "$variant" ] || shift
[ "$variant" != compare ] || [ "$mode" = forwarded ] || die "--compare is forwarded mode's"
out=$top/build/lab-blanket-$mode${variant:+-$variant}
# Direct mode's runs give the L1 guest two vCPUs, so that they test what
# one cannot: a queue per CPU and L0's events reaching both (net_queues,
# event_cpus). Forwarded mode keeps run.sh's one: its runs took several
# times as long with two, L0 time-sharing the L1 Xen's vCPUs on its one CPU.
[ "$mode" != nopv ] || export BLANKET_LAB_L1_VCPUS=${BLANKET_LAB_L1_VCPUS:-2}

rm -rf "$out/extra"
mkdir -p "$out/extra"
build_modules "$out/src"
cp "$out"/src/blanket_*.ko "$out/extra/"
# The bridge for the L2 stand-in in blanket-check.sh, from the guest's kernel.
l1_kernel_find
for m in $(put_mods "$out/extra" "$l1_root" "$l1_kver" bridge); do
	strip --strip-debug "$out/extra/$m"
done
cp "$top/tests/lab/guest/blanket-check.sh" "$out/extra/run.sh"
cp "$top/tests/lab/guest/l2.sh" "$top/tests/lab/hostile-cases" "$top/dist/60-blanket.rules" "$out/extra/"
# The comparison: compare.sh instead of blanket-check.sh, and the drivers
# of L0's emulated NIC and disk, which it loads itself, in /extra/emul.
if [ "$variant" = compare ]; then
	mkdir "$out/extra/emul"
	put_mods "$out/extra/emul" "$l1_root" "$l1_kver" e1000 ata_piix sd_mod >"$out/extra/emul/list"
	strip --strip-debug "$out"/extra/emul/*.ko
	cp "$top/tests/lab/guest/compare.sh" "$out/extra/run.sh"
fi
if [ "$variant" = untrusted ]; then
	printf '%s\n' "blanket_blk trusted=0 feature_persistent=0" "blanket_net trusted=0" \
		>"$out/extra/modparams"
fi
BLANKET_LAB_VARIANT=$variant exec "$top/tests/lab/run.sh" "$mode" --extra "$out/extra" --checks "$top/tests/lab/checks" "$@"
