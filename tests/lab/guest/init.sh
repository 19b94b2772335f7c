#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L1 HVM guest. It reports what it sees as "LAB: key=value"
# lines on the serial console, then "LAB-RESULT: PASS" or "LAB-RESULT: FAIL
# <checks>", then "LAB-DONE", and powers the guest off. Every char on this
# console is an emulated UART access two levels down: print little.
#
# Kernel arguments it reads: lab.mode=baseline|nopv|forwarded, lab.ip=<addr/len>,
# lab.peer=<Dom0's bridge address>, lab.bench=ROUNDS in the guests of
# the benchmark's run (bench.sh), which only move TCP (ROUNDS each way) and
# run the block benchmark (guest/lib.sh's lab_blk_bench), and in forwarded
# mode's comparison run (guest/compare.sh), and lab.stall (below).
#   baseline  xen-netfront and xen-blkfront must take the vif and the vbd:
#             eth0 (driver vif) pings Dom0, xvda reads the run's token from
#             sector 0 and writes "GUEST-WROTE <token>" to sector 1; then,
#             with fio fetched from Dom0, xvda passes a write + verify job
#             and its discards reach Dom0's file (guest/lib.sh), as
#             blanket's run has bvd0 do.
#   nopv      Linux must leave L0's interfaces alone: no /sys/hypervisor,
#             both front ends refuse to load, no xvd* and no vif netdev;
#             yet CPUID still says XenVMMXenVMM and the Xen platform PCI
#             device 5853:0001 is there (what direct mode builds on).
#   forwarded this is the PV Dom0 of an L1 Xen: /sys/hypervisor says xen.
# Then, in every mode, every /extra/*.ko is loaded (in repeated passes, so
# dependencies need no order file) and /extra/run.sh is run if present;
# their output comes as "LAB-EXTRA: " lines and a failure fails the run.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# A task stuck in the kernel shows up in the log within the check that
# caused it, not two minutes later.
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
# Kernel errors and warnings stay in dmesg, where the checks read them: on
# the console they break into the result lines. An oops still reaches the
# console (the kernel turns it verbose for one).
echo 3 >/proc/sys/kernel/printk

. /lib/lab.sh
lab_args lab
# lab.stall=SECONDS: the guest says nothing that long before its first
# line, for the watchdog's own test (check-harness).
[ -z "$stall" ] || sleep "$stall"

failed=
say() { echo "LAB: $*"; }
bad() { failed="$failed $1"; say "check_failed=$1"; }
lab_say() { say "$@"; }

# Netdevs whose driver is xen-netfront's ("vif"); xvd* block devices.
vif_netdevs() {
	for n in /sys/class/net/*; do
		d=$(readlink "$n/device/driver" 2>/dev/null) || continue
		[ "${d##*/}" = vif ] && echo "${n##*/}"
	done
}
xvd_disks() { ls /sys/block 2>/dev/null | grep '^xvd'; }
have_vif() { [ -n "$(vif_netdevs)" ]; }
# xen-netfront names its IRQs after the vif id and queue, not the netdev
# (vif0-q0-tx and vif0-q0-rx with split event channels, vif0-q0 without);
# xen-blkfront's are all "blkif".
netfront_events() { lab_irq_events '^vif[0-9]+-q[0-9]+(-tx|-rx)?$'; }
blkfront_events() { lab_irq_events '^blkif$'; }
# Netfront and blkfront notify their backends through
# notify_remote_via_irq, one EVTCHNOP_send each: a kprobe counts its calls
# (tracing off, so the probe only counts), both front ends' together: the
# transfer and the disk benchmark leave the other device idle. Empty if the
# kernel has no kprobe events.
kp=/sys/kernel/tracing
sends_probe() {
	mount -t tracefs tracefs $kp 2>/dev/null
	echo 0 >$kp/tracing_on &&
		echo 'p:lab/xen_notify notify_remote_via_irq' >>$kp/kprobe_events &&
		echo 1 >$kp/events/lab/xen_notify/enable
}
# kprobe_profile: event name (no group), hits, misses.
xen_sends() { awk '$1 == "xen_notify" { print $2 }' $kp/kprobe_profile 2>/dev/null; }
# What lab_blk_bench counts of blkfront: its L0 events and notifications.
blkfront_counts() { echo "events=$(blkfront_events) sends=$(xen_sends)"; }
# The Xen IRQs by name, with their counts: which names the counters match.
xen_irqs() {
	awk '/xen/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
		printf "%s:%d ", $NF, n }' /proc/interrupts
}

# The disk jobs of blanket's run, on xvda; in the benchmark's run, the
# block benchmark its nopv guests repeat on blanket's disk.
baseline_disk_jobs() {
	if [ -n "$eth" ] && [ -b /dev/xvda ] && lab_get_fio; then
		if [ -n "$bench" ]; then
			lab_blk_bench bench xvda blkfront_counts || bad bench
		else
			lab_fio_verify fio_verify /dev/xvda || bad fio_verify
			lab_discard discard /dev/xvda || bad discard
		fi
	else
		bad fio
	fi
}

say "mode=$mode kernel=$(uname -r)"
say "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)" \
	"available=$(cat /sys/devices/system/clocksource/clocksource0/available_clocksource 2>/dev/null)"
dmesg | grep -iE 'tsc|clocksource' | head -n 6 | while read -r l; do say "clock: $l"; done
say "cmdline=$(cat /proc/cmdline)"
say "hypervisor_type=$(cat /sys/hypervisor/type 2>/dev/null || echo none)"
cpuid=$(xen-cpuid) || true
say "$cpuid"
case $cpuid in *cpuid_sig=XenVMMXenVMM*) ;; *) bad cpuid ;; esac

platform=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor")" = 0x5853 ] && [ "$(cat "$p/device")" = 0x0001 ] && platform=$p
done
if [ -n "$platform" ]; then
	drv=$(readlink "$platform/driver" 2>/dev/null) || drv=none
	say "xen_platform_pci=${platform##*/} id=5853:0001 driver=${drv##*/}"
else
	say "xen_platform_pci=none"
	bad platform_pci
fi

for m in $(cat /modules.list); do
	if insmod "/modules/$m" 2>/tmp/insmod.err; then
		say "insmod_${m%.ko}=ok"
	else
		say "insmod_${m%.ko}=failed($(tail -n 1 /tmp/insmod.err))"
	fi
done

case $mode in
baseline)
	[ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ] || bad hypervisor_type
	lab_wait 60 vif have_vif || bad vif
	lab_wait 60 xvda test -b /dev/xvda || bad xvda
	eth=$(vif_netdevs | head -n 1)
	say "net=${eth:-none} driver=vif mac=$(cat /sys/class/net/$eth/address 2>/dev/null)"
	if [ -z "$bench" ] && [ -b /dev/xvda ]; then
		say "disk=xvda sectors=$(cat /sys/block/xvda/size)"
		tok=$(dd if=/dev/xvda bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
		say "disk_sector0=$tok"
		case $tok in BLANKET-LAB-DISK*) ;; *) bad disk_read ;; esac
		echo "GUEST-WROTE $tok" | dd of=/dev/xvda bs=512 seek=1 conv=notrunc,fsync 2>/dev/null ||
			bad disk_write
		blockdev --flushbufs /dev/xvda
	fi
	if [ -n "$eth" ]; then
		ip link set lo up
		ip link set "$eth" up
		ip addr add "$ip" dev "$eth"
		# The vif joins Dom0's bridge from a hotplug script: allow it time.
		lab_wait 30 first_ping ping -c 1 -W 1 "$peer" || true
		rx=$(lab_received -W 2 "$peer")
		say "ping=$peer received=${rx:-0}/3"
		[ "${rx:-0}" -gt 0 ] || bad ping
		if [ -z "$bench" ]; then
			rx=$(lab_received -W 5 -s 30000 "$peer")
			say "ping_30000=$peer received=${rx:-0}/3"
		fi
		# The transfer blanket's run repeats, with the events and
		# notifications it cost.
		sends_probe || say "kprobe=none"
		ev0=$(netfront_events) sd0=$(xen_sends) ir0=$(lab_l0_irqs tcp_l0)
		out=$(lab-transfer "$peer" tcp "$eth" $bench) || bad transfer
		echo "$out" | while read -r l; do say "$l"; done
		say "tcp_events=$(($(netfront_events) - ev0))" \
			"tcp_sends=$(lab_delta "$sd0" "$(xen_sends)")" \
			"$(lab_since "$ir0" "$(lab_l0_irqs tcp_l0)")"
	fi
	baseline_disk_jobs
	say "xen_irqs=$(xen_irqs)"
	# Which CPUs took the front ends' interrupts.
	lab_irq_cpus '^(vif[0-9]+-q[0-9]+|blkif)'
	lab_kernel_clean baseline || bad kernel
	;;
nopv)
	[ -e /sys/hypervisor/type ] && bad hypervisor_type
	# Both front ends return -ENODEV when Linux is not a Xen guest.
	for m in xen-netfront xen-blkfront; do
		[ -d "/sys/module/$(echo $m | tr - _)" ] && bad "loaded_$m"
	done
	sleep 5	# a late xenbus probe would show up by now
	say "vif_netdevs=$(vif_netdevs | tr '\n' ' ')none"
	say "xvd_disks=$(xvd_disks | tr '\n' ' ')none"
	[ -n "$(vif_netdevs)" ] && bad vif_present
	[ -n "$(xvd_disks)" ] && bad xvd_present
	say "netdevs=$(ls /sys/class/net | tr '\n' ' ')"
	;;
forwarded)
	# Dom0 of an L1 Xen: the devices are L0's, seen through blanket only.
	[ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ] || bad hypervisor_type
	say "xen_caps=$(cat /sys/hypervisor/properties/capabilities 2>/dev/null)"
	;;
*)
	bad "mode_$mode"
	;;
esac

# Extras: modules in repeated passes, then the script.
kos=$(ls /extra/*.ko 2>/dev/null)
while [ -n "$kos" ]; do
	left=
	for k in $kos; do
		m=${k##*/}
		lab_insmod "${m%.ko}" 2>/dev/null && say "extra_insmod=$m" || left="$left $k"
	done
	if [ "$left" = " $(echo $kos)" ]; then
		for k in $left; do
			m=${k##*/}
			lab_insmod "${m%.ko}" >/tmp/insmod.err 2>&1
			say "extra_insmod_failed=${k##*/}($(tail -n 1 /tmp/insmod.err))"
		done
		bad extra_insmod
		break
	fi
	kos=$left
done
# Where the kernel and the modules sit, to name the code of a later crash
# (Xen's dump of a triple-faulted guest has only addresses).
say "text=$(grep -m 1 ' _text$' /proc/kallsyms | cut -d' ' -f1)"
grep -E '^(blanket|xen)' /proc/modules | while read -r name size _ _ _ addr; do
	say "module=$name $addr $size"
done
if [ -f /extra/run.sh ]; then
	# Line by line as it runs: a run that dies shows how far it got.
	{ (cd /extra && sh ./run.sh); echo $? >/tmp/extra.rc; } 2>&1 |
		while IFS= read -r l; do echo "LAB-EXTRA: $l"; done
	rc=$(cat /tmp/extra.rc)
	say "extra_rc=$rc"
	[ $rc = 0 ] || bad extra_script
fi

say "uptime=$(cut -d' ' -f1 /proc/uptime)"
if [ -z "$failed" ]; then
	echo "LAB-RESULT: PASS"
else
	echo "LAB-RESULT: FAIL$failed"
fi
echo LAB-DONE
sync
poweroff -f
