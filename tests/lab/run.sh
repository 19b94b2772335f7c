#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [baseline|nopv|forwarded|bench] [--extra DIR] [--checks FILE]
#        [--timeout SECONDS] [--cycles LIST]
#
# One lab run, on the host (README.md has the drawing): images.sh first
# (fast when its cache is warm), then the run's share is filled (dom0/,
# the guest's kernel, initramfs and disk, its xl config from host/l1.cfg.in,
# in forwarded mode a GRUB CD from host/grub.cfg.in), L0's machine boots
# and is watched (host/qemu.sh), and the mode's verdict is taken
# (host/verdict.sh) from what Dom0 left in the share. The modes:
#   baseline  Linux is a normal Xen HVM guest: xen-netfront and xen-blkfront
#   nopv      the guest boots with "nopv": no Xen front end takes L0's
#             devices, yet CPUID and the platform PCI device say Xen: the
#             starting point of blanket's direct transport
#   forwarded the guest is an L1 Xen (BLANKET_L1_XEN, by default the
#             patched build/xen/xen of `make xen-check`) whose PV Dom0 runs
#             the same kernel and initramfs: blanket's forwarded transport
#   bench     the benchmark (bench.sh): the guest as a Xen guest and booted
#             nopv in turn, in one L0 boot; --cycles LIST (comma-separated
#             indices, by default 0 to BLANKET_LAB_BENCH_CYCLES - 1) says
#             which cycles this boot runs
# --extra DIR puts DIR's files in the guest's /extra: its *.ko are loaded,
# then its run.sh is run (guest/init.sh). --checks FILE (tests/lab/checks):
# every check FILE lists for the mode must have said ok. A run that dies is
# classified by host/fault.py; the guests that a bench boot finished before
# it died are judged all the same, and bench_resume=yes in its summary says
# that bench.sh may boot again for the cycles it did not finish. The run's
# record (results.py) goes to its result.json and, with BLANKET_LAB_RESULTS
# set, is appended to that result file too (BLANKET_LAB_ATTEMPT numbers
# it). Needs root.
#
# Output: build/lab/runs/<mode>[-<variant>]-<time>/ (last-<mode>[-<variant>]
# links to it) with serial.log, share/out/ (what Dom0 wrote), summary.txt
# and result.json. Last line: "lab <mode>: PASS|FAIL ...". Exit 0 on PASS.
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"
. "$lab/host/qemu.sh"
. "$lab/host/verdict.sh"

mode=baseline
extra=
checks=
cycles=
timeout_s=${BLANKET_LAB_TIMEOUT:-3600}
while [ $# -gt 0 ]; do
	case $1 in
	baseline | nopv | forwarded | bench) mode=$1 ;;
	--extra) extra=$(cd "${2:?--extra needs a directory}" && pwd); shift ;;
	--checks) checks=$(realpath "${2:?--checks needs a file}"); shift ;;
	--timeout) timeout_s=${2:?}; shift ;;
	--cycles) cycles=${2:?--cycles needs a list}; shift ;;
	*) die "usage: run.sh [baseline|nopv|forwarded|bench] [--extra DIR] [--checks FILE] [--timeout SECONDS] [--cycles LIST]" ;;
	esac
	shift
done
# Without bench.sh's extra the nopv turns would load no blanket module.
[ "$mode" != bench ] || [ -n "$extra" ] ||
	die "run.sh bench needs blanket's modules from --extra: run bench.sh"

"$lab/images.sh"
# The release of the kernel the guest must report booting (verdict.sh).
l1_release=$(cat "$out/$l1_images/initramfs.d/kernel-release")

# One lab QEMU at a time: the machine has two cores, and with two L0s up
# the direct-mode guest died of fault.py's emulator-irq at its first fio
# job in both runs tried. Wait for another run to finish, within bounds.
mkdir -p "$out/runs"
exec 8>"$out/.qemu.lock"
if ! flock -n 8; then
	lock_wait=${BLANKET_LAB_LOCK_WAIT:-3600}
	log "another lab run holds $out/.qemu.lock: waiting up to ${lock_wait}s"
	flock -w "$lock_wait" 8 || die "another lab run still holds $out/.qemu.lock after ${lock_wait}s"
fi

# --- the run's directory and its share ---------------------------------------
# BLANKET_LAB_VARIANT names a variant of the mode (blanket-direct.sh's
# "untrusted"), in the run's name and its record.
variant=${BLANKET_LAB_VARIANT:-}
name=$mode${variant:+-$variant}-$(date +%Y%m%d-%H%M%S)
run=$out/runs/$name
share=$run/share
mkdir -p "$share/l1" "$share/out"
ln -sfn "$name" "$out/runs/last-$mode${variant:+-$variant}"

dom0_ip=10.99.0.1/24
guest_ip=10.99.0.2/24
# What the mode boots: the guest's own mode (guest/init.sh), how it boots
# (host/l1.cfg.in: a kernel, or forwarded mode's GRUB CD), and for the
# benchmark the indices of its cycles (bench.sh's, by default four: an even
# count, so that the order swapped by index, dom0/init.sh, gives either
# driver's guests the same places; a boot resumed after an emulator fault
# runs the ones left, whatever their count) and rounds; forwarded mode's
# comparison (the variant compare: make lab-full) takes the same rounds,
# and gives the L1 guest L0's emulated e1000 and IDE disk (host/l1.cfg.in)
# where the plain forwarded run comments them out.
bench_cycles='' bench_rounds='' emulated='#'
# The L1 guest's vCPUs. One by default: Xen time-shares them on L0's one
# CPU, and two made runs longer (docs/testing.md); blanket-direct.sh's
# nopv runs ask for two.
vcpus=${BLANKET_LAB_L1_VCPUS:-1}
case $vcpus in
[1-9] | [1-2][0-9] | 3[0-2]) ;;
*) die "BLANKET_LAB_L1_VCPUS is 1 to 32, not '$vcpus'" ;;
esac
case $mode in
baseline | nopv) guest_mode=$mode boot=kernel ;;
forwarded) guest_mode=forwarded boot=cd ;;
bench)
	guest_mode=baseline boot=kernel
	bench_cycles=$(seq -s ' ' 0 $((${BLANKET_LAB_BENCH_CYCLES:-4} - 1)))
	[ -z "$cycles" ] || bench_cycles=${cycles//,/ }
	bench_rounds=${BLANKET_LAB_BENCH_ROUNDS:-7}
	[[ $bench_cycles =~ ^[0-9]+( [0-9]+)*$ ]] || die "bench: no cycles, or not indices: '$bench_cycles'"
	;;
esac
[ "$mode-$variant" != forwarded-compare ] || bench_rounds=${BLANKET_LAB_BENCH_ROUNDS:-7} emulated=
[ -z "$cycles" ] || [ "$mode" = bench ] || die "--cycles is for run.sh bench"
# guest_args GUEST_MODE: the guest kernel's command line (guest/lib.sh's
# lab_args reads the lab.* words).
guest_args() {
	# panic=5: a guest that panics reboots, which its domain does not
	# survive (host/l1.cfg.in), and the run ends with the panic on the
	# console, rather than when the watchdog gives up on a guest busy in
	# panic's wait.
	local a="console=ttyS0,115200 quiet panic=5 lab.mode=$1 lab.ip=$guest_ip lab.peer=${dom0_ip%/*}"

	# Without Xen's PV clock the guest picks the emulated HPET: an MMIO
	# exit, decoded by L0, on every clock read. Nopv runs triple-faulted
	# in read_hpet under TCG. The TSC cannot be had ("tsc: Unable to
	# calibrate against PIT"), so the guest reads the ACPI PM timer: a
	# port read.
	[ "$1" != nopv ] || a="$a nopv clocksource=acpi_pm"
	[ -z "$bench_rounds" ] || a="$a lab.bench=$bench_rounds"
	echo "$a${BLANKET_LAB_GUEST_ARGS:+ $BLANKET_LAB_GUEST_ARGS}"
}
ensure_packages socat
token="BLANKET-LAB-DISK $name $(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"

# Dom0's side (dom0/, with hostile-cases beside hostile-be.sh), fio for
# the guest to fetch, the guest's kernel, initramfs and disk.
cp -r "$lab/dom0" "$share/"
cp "$lab/hostile-cases" "$share/dom0/"
cp "$out/fio/fio" "$share/"
cp "$out/$l1_images/vmlinuz" "$share/l1/"
"$lab/host/l1-initramfs.sh" "$share/l1/initrd.img" ${extra:+"$extra"}
cp --sparse=always "$out/$l1_images/disk.img" "$share/l1/"
printf '%s\n' "$token" | dd of="$share/l1/disk.img" conv=notrunc status=none
if [ "$boot" = cd ]; then
	[ -f "$l1_xen" ] || die "no L1 Xen at $l1_xen: run make xen-check"
	ensure_packages grub-pc-bin xorriso
	iso=$run/iso
	mkdir -p "$iso/boot/grub"
	cp "$l1_xen" "$iso/boot/xen"
	cp "$share/l1/vmlinuz" "$share/l1/initrd.img" "$iso/boot/"
	# The L1 Xen's console is L0's emulated 16550: every register access
	# is a round trip through L0's Dom0. From 4.20 on, Xen's UART
	# interrupt handler gives up after 4 times the FIFO's drain time at
	# the line speed (4 ms at 115200 baud, always exceeded here) and the
	# port is then polled every drain time (1 ms) for good: the L1 guest's
	# I/O ran an order of magnitude slower than under 4.17. A 4.20 L1 Xen
	# is told 9600 baud of a 9600 base baud: its bound and poll interval
	# become 15 ms, while the divisor it programs stays 1, that of 115200
	# on the usual base, so the emulated port itself runs as for 4.17.
	baud=115200
	[ "$(l1_xen_line)" = 4.17 ] || baud=9600/9600
	fill "$lab/host/grub.cfg.in" cd CMDLINE="$(guest_args "$guest_mode")" BAUD=$baud VCPUS="$vcpus" \
		>"$iso/boot/grub/grub.cfg"
	grub-mkrescue -o "$share/l1/l1.iso" "$iso" >"$run/grub-mkrescue.log" 2>&1 ||
		die "grub-mkrescue: $(tail -n 1 "$run/grub-mkrescue.log")"
	# The L1 Dom0 fetches its toolstack for the L2 guest from Dom0's httpd.
	mkdir -p "$share/www"
	cp "$out/$l2_images/l1-toolstack-$(l1_xen_line).tar.gz" "$share/www/l1-toolstack.tar.gz"
fi
fill "$lab/host/l1.cfg.in" "$boot" CMDLINE="$(guest_args "$guest_mode")" VCPUS="$vcpus" \
	EMULATED="$emulated" >"$share/l1.cfg"
{
	echo "dom0_ip=$dom0_ip"
	echo "create_timeout=${BLANKET_LAB_CREATE_TIMEOUT:-600}"
	echo "guest_timeout=${BLANKET_LAB_GUEST_TIMEOUT:-2400}"
} >"$share/params"
if [ -n "$bench_cycles" ]; then
	# The benchmark's second guest: the same one booted nopv.
	fill "$lab/host/l1.cfg.in" kernel CMDLINE="$(guest_args nopv)" VCPUS="$vcpus" >"$share/l1-nopv.cfg"
	echo "bench_cycles='$bench_cycles'" >>"$share/params"
fi

# --- L0's machine -------------------------------------------------------------
qemu_run

# --- the verdict (host/verdict.sh) and the summary ---------------------------
res=$share/out/result.txt
problems=()
[ -z "$timed_out" ] || problems+=("timed out after ${timeout_s}s")
[ ! -e "$run/watchdog" ] || problems+=("watchdog: $(head -n 1 "$run/watchdog")")
[ "$qrc" = 0 ] || problems+=("QEMU exited $qrc: $(tail -n 2 "$run/qemu.out" | tr '\n' ' ')")
status=$(cat "$share/out/status" 2>/dev/null || echo "no status from Dom0")
[ "$status" = OK ] || problems+=("dom0: $status")
# Why the run died, and whether that may be retried (fault.py).
[ ${#l0_rescues[@]} = 0 ] || printf '%s\n' "${l0_rescues[@]}" >"$run/l0-rescues"
fault=$(python3 "$lab/host/fault.py" "$run" "$mode" "$out/xen.elf" "$l1_xen-syms")
resume=no
if [ "$status" = OK ]; then
	"verdict_$mode"
	verdict_checks "$mode" "$variant" "$checks"
elif [ "$mode" = bench ]; then
	# The guests that finished before the boot died are judged all the
	# same: a resume never leaves a real failure among them behind.
	died_of=${#problems[@]}
	verdict_bench
	[ ${#problems[@]} != "$died_of" ] || ! grep -qx 'retry=yes' <<<"$fault" || resume=yes
fi

{
	echo "run $name mode=$mode"
	[ -z "$variant" ] || echo "variant=$variant"
	echo "qemu_start_to_toolstack_up=${seen_at[toolstack]:--}s"
	echo "qemu_start_to_guest_created=${seen_at[created]:--}s"
	echo "qemu_start_to_guest_result=${seen_at[guest_done]:--}s"
	echo "qemu_start_to_qemu_exit=${total}s"
	echo "dom0_status=$status"
	[ -z "$bench_cycles" ] || echo "bench_cycles=${bench_cycles// /,}"
	grep -E '^(LAB|DOM0)' "$res" 2>/dev/null || true
	echo "$fault"
	for n in "${l0_rescues[@]}"; do echo "l0_rescue=$n"; done
	[ -z "$bench_cycles" ] || echo "bench_resume=$resume"
	if [ "$status" != OK ]; then
		# How far the guest got.
		grep -aE '^LAB(-EXTRA)?: ' "$share/out/l1-console.log" 2>/dev/null |
			tail -n 12 | sed 's/^/guest_last: /' || true
	fi
	for p in "${problems[@]}"; do echo "problem: $p"; done
} >"$run/summary.txt"
cat "$run/summary.txt"
# The run's record (results.py) in its own result file, and in the
# caller's when it keeps one.
python3 "$lab/results.py" record "$run/result.json" "$run/summary.txt" \
	"${checks:-/dev/null}" "${BLANKET_LAB_ATTEMPT:-1}"
[ -z "${BLANKET_LAB_RESULTS:-}" ] || cat "$run/result.json" >>"$BLANKET_LAB_RESULTS"
if [ ${#problems[@]} -eq 0 ]; then
	echo "lab $mode: PASS (${total}s, $run)"
else
	echo "lab $mode: FAIL: ${problems[0]} ($run)"
	exit 1
fi
