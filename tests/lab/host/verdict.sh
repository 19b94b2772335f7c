# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # sourced: run.sh sets $res, $token, $extra, $variant, $bench_cycles, $status, $l1_release
#
# Sourced by run.sh: whether a run passed. One function per mode,
# verdict_MODE, reads Dom0's result file ($res: the guest's "LAB:" and
# "LAB-EXTRA:" lines and Dom0's "DOM0:" lines, keys in tests/lab/keys) and
# adds what is wrong to the array $problems. verdict_checks then wants
# every check that tests/lab/checks lists for the mode to say ok, or
# skipped where its condition did not hold (event_cpus).

has() { grep -qxF -- "$1" "$res" 2>/dev/null; }
has_re() { grep -qE -- "$1" "$res" 2>/dev/null; }
# count_re ERE: how many lines of $res match (0 without $res).
count_re() { local c; c=$(grep -cE -- "$1" "$res" 2>/dev/null); echo "${c:-0}"; }

# What every single-guest run must show: the guest passed its own tests in
# the mode asked for, on the kernel asked for, on a Xen HVM platform.
verdict_guest() {
	has "LAB-RESULT: PASS" || problems+=("guest: $(grep -m1 '^LAB-RESULT' "$res" || echo 'no result')")
	has "LAB: mode=$1 kernel=$l1_release" || problems+=("guest did not run in mode $1 on $l1_release")
	has_re '^LAB: cpuid_base=0x4000[0-9a-f]{4} cpuid_sig=XenVMMXenVMM ' ||
		problems+=("no XenVMMXenVMM CPUID signature")
	has_re '^LAB: xen_platform_pci=[0-9a-f:.]+ id=5853:0001 ' ||
		problems+=("no Xen platform PCI device")
}

# baseline: the in-tree front ends took the vif and the vbd; the guest read
# this run's token and its write reached the disk file in Dom0.
verdict_baseline() {
	verdict_guest baseline
	has "LAB: hypervisor_type=xen" || problems+=("guest is not a Xen guest")
	has "LAB: disk_sector0=$token" || problems+=("guest did not read this run's token from xvda")
	has "DOM0: disk_sector1=GUEST-WROTE $token" ||
		problems+=("Dom0 did not find the guest's write in the disk file")
	has_re '^LAB: ping=[0-9.]+ received=[1-3]/3' || problems+=("no ping reply from Dom0")
}

# nopv: no Xen front end, no driver on the platform device: only blanket
# may use L0's devices.
verdict_nopv() {
	verdict_guest nopv
	has_re '^LAB: cmdline=(.* )?nopv( |$)' || problems+=("guest kernel was not given nopv")
	has "LAB: hypervisor_type=none" || problems+=("guest still a Xen guest under nopv")
	has "LAB: vif_netdevs=none" || problems+=("a xen-netfront netdev appeared")
	has "LAB: xvd_disks=none" || problems+=("an xvd disk appeared")
	has_re '^LAB: xen_platform_pci=.* driver=none$' ||
		problems+=("a driver took the platform PCI device")
}

# forwarded: the guest is the L1 Xen's Dom0; with extras (blanket-check.sh,
# or the comparison's compare.sh, and l2.sh), the L2 guest's write is in
# L0's disk file, through bvd0's carve; the comparison (variant compare)
# as verdict_compare says.
verdict_forwarded() {
	local l2_tok

	verdict_guest forwarded
	has "LAB: hypervisor_type=xen" || problems+=("the guest's Dom0 is not on Xen")
	l2_tok=$(sed -n 's/^LAB-EXTRA: L2: disk_sector0=//p' "$res")
	[ -z "$extra" ] || { [ -n "$l2_tok" ] && has "DOM0: l2_disk_sector1=L2-WROTE $l2_tok"; } ||
		problems+=("L0's disk file lacks what the L2 guest wrote")
	[ "${variant:-}" != compare ] || verdict_compare
}

# verdict_compare: bvd0, the emulated disk and the L2 guest's each ran the
# block benchmark's 8 jobs (guest/compare.sh, l2/init.sh). The kernel's
# complaint in the emulated half (compare.sh's emu_kernel lines, the log
# from its first complaint on) is the emulated devices' own, what a Dom0
# without blanket has from their in-tree drivers, and fails nothing;
# unless a line of it names blanket's code (a module, function, disk or
# netdev of blanket's; the list of loaded modules aside): then it is
# blanket's, and the run fails.
verdict_compare() {
	local blamed

	[ "$(grep -cE '^LAB-EXTRA: (fwd_|emu_|L2: )bench_[a-z]+_qd[0-9]+ .* rc=0$' "$res")" = 24 ] ||
		problems+=("not every disk of the comparison ran the block benchmark's 8 jobs")
	blamed=$(sed -n 's/^LAB-EXTRA: emu_kernel: //p' "$res" | grep -v 'Modules linked in:' |
		grep -m 1 -E 'blanket|bvd[0-9]|blnet[0-9]' || true)
	[ -z "$blamed" ] ||
		problems+=("the kernel complained in the emulated half, through blanket: $blamed")
}

# bench: Dom0 finished every cycle asked for (unless the boot died: then
# run.sh judges what it finished), every guest that finished (Dom0's
# bench_guest lines) passed, every nopv guest moved its TCP through blnet0,
# and every guest ran each job of the block benchmark to its end.
verdict_bench() {
	local guests nopv finished asked

	guests=$(count_re '^DOM0: bench_guest=') nopv=$(count_re '^DOM0: bench_guest=l1-nopv.cfg ')
	finished=$(count_re '^DOM0: bench_cycle=') asked=$(wc -w <<<"$bench_cycles")
	[ "$status" != OK ] || [ "$finished" = "$asked" ] ||
		problems+=("Dom0 finished $finished of $asked cycles")
	[ "$(count_re '^LAB-RESULT: PASS$')" = "$guests" ] ||
		problems+=("guests: $(count_re '^LAB-RESULT: PASS$') of $guests passed")
	[ "$(count_re '^LAB-EXTRA: blanket_tcp_events=')" = "$nopv" ] ||
		problems+=("not every nopv guest moved TCP through blnet0")
	[ "$(count_re '^LAB(-EXTRA)?: (blanket_)?bench_[a-z]+_qd[0-9]+ .* rc=0$')" = $((8 * guests)) ] ||
		problems+=("not every guest ran the block benchmark's 8 jobs")
}

# verdict_checks MODE VARIANT CHECKS: the variant's own proof, and every
# check CHECKS (tests/lab/checks, or nothing) lists for the variant, or
# for MODE if none, said ok.
verdict_checks() {
	local c m=${2:-$1}

	[ "$2" != untrusted ] || has "LAB-EXTRA: blanket_trust=blk:N blk_persistent:N net:N" ||
		problems+=("the front ends were not loaded untrusting")
	[ -n "$3" ] || return 0
	for c in $(awk -v m="$m" '$1 !~ /^#/ && NF && index("," $2 ",", "," m ",") { print $1 }' "$3"); do
		has "LAB-EXTRA: check=$c ok" || has_re "^LAB-EXTRA: check=$c skipped( |$)" ||
			problems+=("check $c: $(sed -n \
			"s/^LAB-EXTRA: check=$c //p" "$res" | head -n 1 | grep . || echo missing)")
	done
}
