#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [baseline|nopv|forwarded|bench] [--extra DIR] [--checks FILE]
#        [--timeout SECONDS]
#
# The nested lab, end to end: Xen 4.17 as L0 inside QEMU TCG, a Debian 6.1
# PV Dom0 running the Xen toolstack, and in it an L1 HVM guest (Debian 6.1
# kernel, busybox initramfs) with one vif on bridge xenbr0 and one
# file-backed vbd. The guest reports what it sees (l1-init.sh) and the run
# passes only if that matches the mode:
#   baseline  Linux is a normal Xen HVM guest: xen-netfront's eth0 pings
#             Dom0's bridge address, xen-blkfront's xvda reads this run's
#             token and writes one back that Dom0 then reads from the file
#   nopv      the guest boots with "nopv" (6.1's spelling; xen_nopv is the
#             deprecated one): no Xen front end takes L0's devices, yet the
#             guest sees CPUID XenVMMXenVMM and the platform PCI device
#             5853:0001 - the starting point of blanket's direct transport
#   forwarded the guest is an L1 Xen (BLANKET_L1_XEN, by default the patched
#             build/xen/xen of `make xen-check`) whose PV Dom0 runs the
#             same kernel and initramfs: blanket's forwarded transport
#   bench     the benchmark (bench.sh): one L0 boot creates the guest as a
#             baseline guest and as a nopv guest in turn, CYCLES
#             (BLANKET_LAB_BENCH_CYCLES, 4) times each, and each moves TCP
#             (BLANKET_LAB_BENCH_ROUNDS, 7 rounds each way) and echoes:
#             the in-tree front end and blanket's meet the same L0 and its
#             drift alike. Every guest must pass.
# --extra DIR puts DIR's files in the guest's /extra: its *.ko are loaded,
# then its run.sh is run (see l1-init.sh). --checks FILE (tests/lab/checks):
# every check FILE lists for the mode must have said ok. A run that dies is
# classified by fault.py; a watchdog stops a guest that went silent. With
# BLANKET_LAB_RESULTS set, the run is appended to that result file
# (results.py; BLANKET_LAB_ATTEMPT numbers it). Needs root. images.sh runs first
# (fast when its cache is warm).
#
# Host <-> Dom0 exchange: a virtio-9p share (QEMU -virtfs, tag "lab") of the
# run directory's share/: run.sh puts dom0.sh, dom0-ctl.sh, fio, params,
# l1.cfg and the guest's kernel, initramfs and disk in it; Dom0 mounts it from its initramfs, runs
# /lab/dom0.sh from it and writes its results to share/out/ as it goes, so
# they survive whatever happens to QEMU. Dom0's root image is attached with
# snapshot=on and never changes. Progress: Dom0's "LAB-DOM0:" lines on Xen's
# serial console (serial.log) and the guest console copy in share/out/.
#
# Output: build/lab/runs/<mode>[-<variant>]-<time>/ (last-<mode>[-<variant>]
# links to it) with serial.log, share/out/{result.txt,status,dom0.log,
# l1-console.log,...} and summary.txt. Last line: "lab <mode>: PASS|FAIL ...". Exit 0 on PASS.
set -euo pipefail

. "$(dirname "$0")/host/lib.sh"

mode=baseline
extra=
checks=
timeout_s=${BLANKET_LAB_TIMEOUT:-2400}
while [ $# -gt 0 ]; do
	case $1 in
	baseline | nopv | forwarded | bench) mode=$1 ;;
	--extra) extra=$(cd "${2:?--extra needs a directory}" && pwd); shift ;;
	--checks) checks=$(realpath "${2:?--checks needs a file}"); shift ;;
	--timeout) timeout_s=${2:?}; shift ;;
	*) die "usage: run.sh [baseline|nopv|forwarded|bench] [--extra DIR] [--checks FILE] [--timeout SECONDS]" ;;
	esac
	shift
done

"$lab/images.sh"

# One lab QEMU at a time: the machine has two cores. Wait for another
# run to finish, within bounds.
mkdir -p "$out/runs"
exec 8>"$out/.qemu.lock"
if ! flock -n 8; then
	lock_wait=${BLANKET_LAB_LOCK_WAIT:-3600}
	log "another lab run holds $out/.qemu.lock: waiting up to ${lock_wait}s"
	flock -w "$lock_wait" 8 || die "another lab run still holds $out/.qemu.lock after ${lock_wait}s"
fi

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
# The benchmark's cycles: even, so that its swapped order (dom0.sh) gives
# either driver's guests the same places in the boot.
bench_cycles=${BLANKET_LAB_BENCH_CYCLES:-4}
# guest_args MODE: the guest kernel's command line in that mode.
guest_args() {
	local a="console=ttyS0,115200 quiet lab.mode=$1 lab.ip=$guest_ip lab.peer=${dom0_ip%/*}"

	# Without Xen's PV clock the guest picks the emulated HPET: an MMIO
	# exit, decoded by L0, on every clock read. Nopv runs triple-faulted
	# in read_hpet under TCG. The TSC cannot be had ("tsc: Unable to
	# calibrate against PIT"), so the guest reads the ACPI PM timer: a
	# port read.
	[ "$1" = nopv ] && a="$a nopv clocksource=acpi_pm"
	[ "$mode" = bench ] && a="$a lab.bench=${BLANKET_LAB_BENCH_ROUNDS:-7}"
	echo "$a${BLANKET_LAB_GUEST_ARGS:+ $BLANKET_LAB_GUEST_ARGS}"
}
guest_mode=$mode
[ "$mode" = bench ] && guest_mode=baseline
l1_xen=${BLANKET_L1_XEN:-$top/build/xen/xen}
if [ "$mode" = forwarded ]; then
	[ -f "$l1_xen" ] || die "no L1 Xen at $l1_xen: run make xen-check"
	ensure_packages grub-pc-bin xorriso
fi
ensure_packages socat
token="BLANKET-LAB-DISK $name $(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"

cp -r "$lab/dom0" "$share/"
cp "$lab/hostile-cases" "$share/dom0/"
cp "$out/fio/fio" "$share/"
cp "$out/l1/vmlinuz" "$share/l1/"
"$lab/host/l1-initramfs.sh" "$share/l1/initrd.img" ${extra:+"$extra"}
if [ "$mode" = forwarded ]; then
	# The L1 Xen boots from a GRUB CD. (Direct kernel boot of its multiboot
	# image, with no VGA, printed nothing in 25 minutes.)
	iso=$run/iso
	mkdir -p "$iso/boot/grub"
	cp "$l1_xen" "$iso/boot/xen"
	cp "$share/l1/vmlinuz" "$share/l1/initrd.img" "$iso/boot/"
	cat >"$iso/boot/grub/grub.cfg" <<EOF
set timeout=0
menuentry l1 {
	multiboot /boot/xen console=com1 com1=115200,8n1 dom0_mem=640M,max:640M dom0_max_vcpus=1
	module /boot/vmlinuz $(guest_args "$mode") console=hvc0
	module /boot/initrd.img
}
EOF
	grub-mkrescue -o "$share/l1/l1.iso" "$iso" >"$run/grub-mkrescue.log" 2>&1 ||
		die "grub-mkrescue: $(tail -n 1 "$run/grub-mkrescue.log")"
	mkdir -p "$share/www"
	cp "$out/l2/l1-toolstack.tar.gz" "$share/www/"
fi
cp --sparse=always "$out/l1/disk.img" "$share/l1/"
printf '%s\n' "$token" | dd of="$share/l1/disk.img" conv=notrunc status=none

cat >"$share/params" <<EOF
dom0_ip=$dom0_ip
create_timeout=${BLANKET_LAB_CREATE_TIMEOUT:-600}
guest_timeout=${BLANKET_LAB_GUEST_TIMEOUT:-1500}
EOF
[ "$mode" != bench ] || echo "bench_cycles=$bench_cycles" >>"$share/params"

# Direct kernel boot through the HVM firmware (forwarded: the GRUB CD); the
# serial console goes to a file in Dom0, not through xenconsoled. No VGA
# unless GRUB needs one: nothing would look at it.
disk="'format=raw,vdev=xvda,access=rw,target=/var/lib/lab/disk.img'"
vga=none
if [ "$mode" = forwarded ]; then
	# Family 0xf (qemu64's) makes Xen's AMD setup write an MSR that L0
	# refuses. Without a VGA, GRUB's real-mode start triple-faulted.
	vga=stdvga
	boot="boot = \"d\"
cpuid = \"host,family=16,model=2\"
memory = 1536"
	disk="$disk, 'format=raw,vdev=hdc,access=ro,devtype=cdrom,target=/lab/l1/l1.iso'"
fi

# l1_cfg MODE: the guest's xl config in that mode.
l1_cfg() {
	local b=${boot:-}

	[ "$mode" = forwarded ] || b="kernel = \"/var/lib/lab/vmlinuz\"
ramdisk = \"/var/lib/lab/initrd.img\"
cmdline = \"$(guest_args "$1")\"
memory = 256"
	cat <<EOF
name = "l1"
type = "hvm"
vcpus = 1
$b
vif = [ 'bridge=xenbr0' ]
disk = [ $disk ]
serial = 'file:/var/lib/lab/l1-console.log'
vga = "$vga"
vnc = 0
sdl = 0
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}
l1_cfg "$guest_mode" >"$share/l1.cfg"
# The benchmark's second guest: the same one booted nopv (dom0.sh).
[ "$mode" != bench ] || l1_cfg nopv >"$share/l1-nopv.cfg"

# L0 gets one CPU, so QEMU runs one vCPU thread: with two, QEMU's nested
# SVM ended a third to a half of the guests inside its emulation of VMRUN
# (docs/testing.md). One CPU also makes the guest and Dom0 take turns: a
# driver's every cycle shows in its times.
smp=${BLANKET_LAB_SMP:-1}
xen_args="console=com1 com1=115200,8n1 dom0_mem=1536M,max:1536M dom0_max_vcpus=$smp"
dom0_args="console=hvc0 quiet"
# QEMU's multiboot -initrd: "file args,file"; commas inside args are doubled.
modules="$out/dom0/vmlinuz ${dom0_args//,/,,},$out/dom0/initrd.img"

qemu=(qemu-system-x86_64 -accel tcg,thread=multi -smp "$smp"
      -cpu qemu64,+svm,+npt -m 4096 -machine pc
      -display none -monitor "unix:$run/monitor.sock,server=on,wait=off"
      -serial "file:$run/serial.log"
      -nic none -no-reboot
      -kernel "$out/xen.elf" -append "$xen_args" -initrd "$modules"
      -drive "file=${out//,/,,}/dom0/rootfs.ext4,format=raw,if=virtio,snapshot=on"
      -virtfs "local,path=${share//,/,,},mount_tag=lab,security_model=none,id=lab")

qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		sleep 2
		kill -9 "$qpid" 2>/dev/null || true
	fi
}
trap cleanup EXIT INT TERM

log "run $name: QEMU (timeout ${timeout_s}s)"
start=$(date +%s)
printf '%q ' "${qemu[@]}" >"$run/qemu.cmd"
"${qemu[@]}" >"$run/qemu.out" 2>&1 &
qpid=$!

elapsed() { echo $(($(date +%s) - start)); }
declare -A seen_at=()
mark() { [ -n "${seen_at[$1]:-}" ] || seen_at[$1]=$(elapsed); }
# Only whole lines: the files grow while they are read (read skips a
# last line that has no newline yet).
whole_lines() {
	local l

	[ -f "$1" ] || return 0
	while IFS= read -r l; do printf '%s\n' "$l"; done <"$1"
}
# Prints the lines of stdin past the first $1 with a prefix; sets $shown.
show_new() {	# already-shown prefix
	local n=0 l

	while IFS= read -r l; do
		[ -n "$l" ] || continue
		n=$((n + 1))
		[ $n -gt "$1" ] && echo "lab: +$(elapsed)s $2$l" >&2
	done
	shown=$n
}
dom0_seen=0 guest_seen=0 shown=0
follow() {
	local lines

	lines=$(whole_lines "$run/serial.log" | grep -a 'LAB-DOM0: ' | sed 's/.*LAB-DOM0: //' | tr -d '\r') || true
	show_new "$dom0_seen" "dom0: " <<<"$lines"
	[ -z "$lines" ] || dom0_seen=$shown
	case $lines in *"toolstack up"*) mark toolstack ;; esac
	case $lines in *"guest created"*) mark created ;; esac
	case $lines in *"guest done"*) mark guest_done ;; esac
	lines=$(whole_lines "$share/out/l1-console.log" | grep -a '^LAB' | tr -d '\r') || true
	show_new "$guest_seen" "guest: " <<<"$lines"
	[ -z "$lines" ] || guest_seen=$shown
}

# The watchdog: a guest that prints nothing while QEMU idles, or nothing
# for far longer than any phase of a run takes, is dumped and stopped
# within minutes rather than at the timeout. fault.py then tells whether
# any of blanket's code had run (only then may it be ours).
silent_idle_s=${BLANKET_LAB_SILENT_IDLE:-180}
silent_busy_s=${BLANKET_LAB_SILENT_BUSY:-900}
hz=$(getconf CLK_TCK)
output_size() { cat "$run/serial.log" "$share/out/l1-console.log" 2>/dev/null | wc -c || true; }
qemu_ticks() { awk '{ print $14 + $15 }' "/proc/$qpid/stat" 2>/dev/null || echo 0; }
# watchdog_dump WHY: L0's CPUs from QEMU's monitor, the guest's vCPUs from
# Dom0 (dom0.sh answers share/dump-request), then QEMU is stopped.
watchdog_dump() {
	echo "$1" >"$run/watchdog"
	log "watchdog: $1: dumping the machine's state"
	echo "info registers -a" | timeout 20 socat -t 5 - "UNIX-CONNECT:$run/monitor.sock" \
		>"$run/watchdog-l0-cpus.txt" 2>&1 || true
	touch "$share/dump-request"
	for _ in $(seq 30); do
		[ -e "$share/out/dump/done" ] && break
		sleep 3
	done
	[ -e "$share/out/dump/done" ] || echo "dom0 did not answer the dump request" >>"$run/watchdog"
}

timed_out= last_size=0 last_change=0 ticks=()
while kill -0 "$qpid" 2>/dev/null; do
	follow
	now=$(elapsed)
	if [ "$now" -ge "$timeout_s" ]; then
		timed_out=1
		break
	fi
	# Growth only: Dom0 rewrites its copy of the guest's console, which
	# can be read half written.
	size=$(output_size)
	[ "$size" -le "$last_size" ] || { last_size=$size last_change=$now; }
	ticks+=("$(qemu_ticks)")
	# QEMU's share of a CPU over the last 60 s (20 rounds of 3 s).
	[ ${#ticks[@]} -le 20 ] || ticks=("${ticks[@]:1}")
	busy=$(( (ticks[-1] - ticks[0]) * 100 / hz / (3 * (${#ticks[@]} - 1) + 1) ))
	silent=$((now - last_change))
	if { [ "$silent" -ge "$silent_idle_s" ] && [ "$busy" -lt 10 ]; } ||
	   [ "$silent" -ge "$silent_busy_s" ]; then
		watchdog_dump "silent for ${silent}s, QEMU at ${busy}% of a CPU over the last minute"
		break
	fi
	sleep 3
done
follow
qrc=0
if [ -n "$timed_out" ] || [ -e "$run/watchdog" ]; then
	cleanup
	wait "$qpid" 2>/dev/null || true
else
	wait "$qpid" || qrc=$?
fi
total=$(elapsed)
qpid=

# --- the verdict -----------------------------------------------------------
res=$share/out/result.txt
problems=()
[ -z "$timed_out" ] || problems+=("timed out after ${timeout_s}s")
[ ! -e "$run/watchdog" ] || problems+=("watchdog: $(head -n 1 "$run/watchdog")")
[ "$qrc" = 0 ] || problems+=("QEMU exited $qrc: $(tail -n 2 "$run/qemu.out" | tr '\n' ' ')")
status=$(cat "$share/out/status" 2>/dev/null || echo "no status from Dom0")
[ "$status" = OK ] || problems+=("dom0: $status")
has() { grep -qxF -- "$1" "$res" 2>/dev/null; }
has_re() { grep -qE -- "$1" "$res" 2>/dev/null; }
if [ "$status" = OK ] && [ "$mode" = bench ]; then
	want=$((2 * bench_cycles))
	[ "$(grep -cxF "LAB-RESULT: PASS" "$res")" = "$want" ] ||
		problems+=("guests: $(grep -c '^LAB-RESULT: PASS' "$res") of $want passed")
	[ "$(grep -c '^LAB-EXTRA: blanket_tcp_events=' "$res")" = $((want / 2)) ] ||
		problems+=("not every nopv guest moved TCP through blnet0")
elif [ "$status" = OK ]; then
	has "LAB-RESULT: PASS" || problems+=("guest: $(grep -m1 '^LAB-RESULT' "$res" || echo 'no result')")
	has_re "^LAB: mode=$mode " || problems+=("guest did not run in mode $mode")
	has_re '^LAB: cpuid_base=0x4000[0-9a-f]{4} cpuid_sig=XenVMMXenVMM ' ||
		problems+=("no XenVMMXenVMM CPUID signature")
	has_re '^LAB: xen_platform_pci=[0-9a-f:.]+ id=5853:0001 ' ||
		problems+=("no Xen platform PCI device")
	case $mode in
	baseline)
		has "LAB: hypervisor_type=xen" || problems+=("guest is not a Xen guest")
		has "LAB: disk_sector0=$token" || problems+=("guest did not read this run's token from xvda")
		has "DOM0: disk_sector1=GUEST-WROTE $token" ||
			problems+=("Dom0 did not find the guest's write in the disk file")
		has_re '^LAB: ping=[0-9.]+ received=[1-3]/3' || problems+=("no ping reply from Dom0")
		;;
	nopv)
		has_re '^LAB: cmdline=(.* )?nopv( |$)' || problems+=("guest kernel was not given nopv")
		has "LAB: hypervisor_type=none" || problems+=("guest still a Xen guest under nopv")
		has "LAB: vif_netdevs=none" || problems+=("a xen-netfront netdev appeared")
		has "LAB: xvd_disks=none" || problems+=("an xvd disk appeared")
		has_re '^LAB: xen_platform_pci=.* driver=none$' ||
			problems+=("a driver took the platform PCI device")
		;;
	forwarded)
		has "LAB: hypervisor_type=xen" || problems+=("the guest's Dom0 is not on Xen")
		# With extras (blanket-check.sh, l2.sh): the L2 guest's write, in
		# L0's disk file, through bvd0's carve.
		l2_tok=$(sed -n 's/^LAB-EXTRA: L2: disk_sector0=//p' "$res")
		[ -z "$extra" ] || { [ -n "$l2_tok" ] && has "DOM0: l2_disk_sector1=L2-WROTE $l2_tok"; } ||
			problems+=("L0's disk file lacks what the L2 guest wrote")
		;;
	esac
	[ "$variant" != untrusted ] || has "LAB-EXTRA: blanket_trust=blk:N blk_persistent:N net:N" ||
		problems+=("the front ends were not loaded untrusting")
	# Every check the list names for this mode (tests/lab/checks).
	for c in $([ -z "$checks" ] || awk -v m="$mode" '$1 !~ /^#/ && NF &&
			index("," $2 ",", "," m ",") { print $1 }' "$checks"); do
		has "LAB-EXTRA: check=$c ok" || problems+=("check $c: $(sed -n \
			"s/^LAB-EXTRA: check=$c //p" "$res" | head -n 1 | grep . || echo missing)")
	done
fi

{
	echo "run $name mode=$mode"
	[ -z "$variant" ] || echo "variant=$variant"
	echo "qemu_start_to_toolstack_up=${seen_at[toolstack]:--}s"
	echo "qemu_start_to_guest_created=${seen_at[created]:--}s"
	echo "qemu_start_to_guest_result=${seen_at[guest_done]:--}s"
	echo "qemu_start_to_qemu_exit=${total}s"
	echo "dom0_status=$status"
	grep -E '^(LAB|DOM0)' "$res" 2>/dev/null || true
	# Why the run died, and whether that may be retried (fault.py).
	python3 "$lab/host/fault.py" "$run" "$mode" "$out/xen.elf" "$l1_xen-syms"
	if [ "$status" != OK ]; then
		# How far the guest got.
		grep -aE '^LAB(-EXTRA)?: ' "$share/out/l1-console.log" 2>/dev/null |
			tail -n 12 | sed 's/^/guest_last: /' || true
	fi
	for p in "${problems[@]}"; do echo "problem: $p"; done
} >"$run/summary.txt"
cat "$run/summary.txt"
# The run in the lab's result file (results.py), when the caller keeps one.
[ -z "${BLANKET_LAB_RESULTS:-}" ] ||
	python3 "$lab/results.py" record "$BLANKET_LAB_RESULTS" "$run/summary.txt" \
		"${checks:-/dev/null}" "${BLANKET_LAB_ATTEMPT:-1}"
if [ ${#problems[@]} -eq 0 ]; then
	echo "lab $mode: PASS (${total}s, $run)"
else
	echo "lab $mode: FAIL: ${problems[0]} ($run)"
	exit 1
fi
