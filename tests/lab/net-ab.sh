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

. "$(dirname "$0")/lib.sh"
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
cp "$lab/net-ab-guest.sh" "$ab/extra/run.sh"
log "A: ${rev_a}, B: ${rev_b:-the work tree}, $cycles cycles"
rc=0
"$lab/run.sh" nopv --extra "$ab/extra" || rc=$?

# The transfer's lines (LAB-EXTRA: ab_<V>_<rx|tx|pps> key=value...), per
# variant and phase: the median of all rounds (of the cycles' echo times),
# and per MiB the notifications and the packets sent.
grep -h '^LAB-EXTRA: ab_[AB]_' "$out/runs/last-nopv/summary.txt" 2>/dev/null |
	awk '{
		split($2, t, "_")
		split("", v)
		k = t[2] " " (t[3] == "rx" ? "into L1" : t[3] == "tx" ? "out of L1" : "echoes")
		for (i = 3; i <= NF; i++) {
			split($i, f, "=")
			v[f[1]] = f[2]
		}
		times = t[3] == "pps" ? v["centiseconds"] : v["all"]
		all[k] = all[k] (all[k] == "" ? "" : ",") times
		mib[k] += v["bytes"] * v["rounds"] / 1048576
		irqs[k] += v["l0_irqs"]
		pkts[k] += v["pkts_out"]
	}
	END {
		for (k in all) {
			n = split(all[k], r, ",")
			for (i = 2; i <= n; i++)	# insertion sort: mawk has no asort
				for (j = i; j > 1 && r[j] + 0 < r[j - 1] + 0; j--) {
					x = r[j]; r[j] = r[j - 1]; r[j - 1] = x
				}
			printf "%s: median %d cs of %d", k, r[int((n + 1) / 2)], n
			if (mib[k] > 0)
				printf "; per MiB: notifications %.1f, packets sent %.1f",
					irqs[k] / mib[k], pkts[k] / mib[k]
			print ""
		}
	}' | sort
exit $rc
