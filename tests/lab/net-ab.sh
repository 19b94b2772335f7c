#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net-ab.sh REV_A [REV_B [CYCLES]]: two builds of blanket_net in one
# "nopv" boot, for trying a driver change; not a test. The boot's own
# noise (one run's TCP times swing by a third) is then the same for both:
# the guest loads A and B in turn, CYCLES (3) times, and each time runs
# the lab's TCP transfer (7 rounds each way) and echoes. REV_B defaults
# to the work tree; blanket_xenbus and blanket_blk are REV_B's, so REV_A's
# blanket_net must link against them. Prints, per variant and direction,
# the median round, and per MiB netback's interrupts (the notifications)
# and the packets sent.
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
[ $# -ge 1 ] || die "usage: net-ab.sh REV_A [REV_B [CYCLES]]"
rev_a=$1 rev_b=${2:-} cycles=${3:-3}
ab=$top/build/lab-net-ab

rm -rf "$ab"
mkdir -p "$ab/extra/ab/A" "$ab/extra/ab/B"
build_modules "$ab/A" "$rev_a"
build_modules "$ab/B" "$rev_b"
cp "$ab"/B/blanket_*.ko "$ab/extra/"
cp "$ab/A/blanket_net.ko" "$ab/extra/ab/A/"
cp "$ab/B/blanket_net.ko" "$ab/extra/ab/B/"
echo "$cycles" >"$ab/extra/ab/cycles"
cp "$lab/guest/net-ab.sh" "$ab/extra/run.sh"
log "A: ${rev_a}, B: ${rev_b:-the work tree}, $cycles cycles"
rc=0
BLANKET_LAB_RESULTS=$ab/result.json "$lab/run.sh" nopv --extra "$ab/extra" || rc=$?

# The transfer's lines (LAB-EXTRA: ab_<V>_<rx|tx|pps> key=value...), per
# variant and phase: the median of all rounds (of the cycles' echo times),
# and per MiB the notifications and the packets sent.
# pool KEY FIELD HOW: over the run (results.py pool).
pool() { python3 "$lab/results.py" pool "$ab/result.json" nopv "$@"; }
for v in A B; do
	for p in rx tx pps; do
		k=ab_${v}_$p
		case $p in
		rx) what="into L1" times=$(pool "$k" all join) ;;
		tx) what="out of L1" times=$(pool "$k" all join) ;;
		pps) what=echoes times=$(pool "$k" centiseconds join) ;;
		esac
		[ -n "$times" ] || continue
		line="$v $what: median $(quartile 2 "$times") cs of $(tr ',' '\n' <<<"$times" | grep -c .)"
		[ $p = pps ] || line="$line; per MiB: $(awk -v b="$(pool "$k" bytes mean)" \
			-v r="$(pool "$k" rounds sum)" -v i="$(pool "$k" l0_irqs sum)" \
			-v o="$(pool "$k" pkts_out sum)" \
			'BEGIN { m = b * r / 1048576; if (m > 0) printf "notifications %.1f, packets sent %.1f", i / m, o / m }')"
		echo "$line"
	done
done
exit $rc
