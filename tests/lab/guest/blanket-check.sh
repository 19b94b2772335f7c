#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs once blanket's modules are loaded, in the L1 guest booted "nopv" or
# in the PV Dom0 of the patched L1 Xen (lab.mode=forwarded): blanket_xenbus
# must have connected to L0 with the transport of that mode and enumerated
# the guest's vif and vbd from L0's xenstore; then, in this order:
#   net    blnet0 pings Dom0 (also 30000-byte echoes), moves 4 MiB of TCP
#          each way with matching digests, works as a bridge port, and
#          survives rmmod under an echo storm and a reload
#   queues with the guest's two CPUs, two queues that each carry packets
#          both ways; which CPUs took blnet0's interrupts (event_cpus)
#   blk    the disk reads the run's token and a written 1 MiB reads back, as
#          loaded and reloaded without indirect descriptors
#   fio    (fetched from Dom0) 16 MiB of random writes verified (crc32c)
#   discard  discarded blocks are given back by Dom0's disk file
#   restart  a verifying write job across blkback unbound and bound again,
#          and across a full backend close and reconnect: no verify error
#   L0 save  (direct mode) the same, and TCP rounds, across L0's xl save
#          and xl restore of the guest: it comes back as a new domain
#   vbd replug  unplug with writes in flight: the disk
#          goes, a disk comes back and reads the token
#   vif replug  blnet0 is made anew or reconnects, and pings again
#   channels  (direct mode) ethtool -L's queue count reconnects blnet0 with
#          it, in the guest and in L0's netback
#   reload all  the three modules out (blanket_net under an echo storm) and
#          in again; net and disk work again
#   L2       (forwarded mode) an L2 guest bridged on blnet0, its disk an
#            LVM volume on the bvd's udev name (l2.sh)
#   hostile  a malformed "sectors" from L0: the disk says so and fails its I/O
# and the kernel log stays free of BUG, WARNING, oops, leaks and hung tasks
# (checked after each disruptive step and at the end). Dom0 acts through its
# control CGI (dom0/ctl.sh). Prints short key=value lines; exits non-zero if
# anything failed.
. /lib/lab.sh
fail=0
# The last check done, for the stall watch, which ends with the file.
step=/tmp/lab-step
echo "the start" >$step
trap 'rm -f $step' EXIT
# blanket's counters and ports, for the checks and the stall watch.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
lab_stall_watch $step
# check NAME RC: the verdict of one of the checks tests/lab/checks lists.
check() {
	echo "check $1" >$step
	if [ "$2" = 0 ]; then
		echo "check=$1 ok"
	else
		echo "check=$1 failed"
		fail=1
	fi
}
devs=/sys/bus/blanket/devices
lab_args lab
transport=direct
[ "$mode" != forwarded ] || transport=forwarded

have_both() {
	[ -e $devs/vif-0 ] && ls $devs 2>/dev/null | grep -q '^vbd-'
}
lab_wait 60 "bus_devices" have_both
r=0

for d in $devs/*; do
	[ -e "$d" ] || continue
	echo "blanket_device=${d##*/} nodename=$(cat "$d/nodename")" \
		"otherend=$(cat "$d/otherend") otherend_id=$(cat "$d/otherend_id")" \
		"state=$(cat "$d/state")"
done
[ -e $devs/vif-0 ] || { echo "blanket: no vif-0 on the bus"; r=1; }
# Direct mode: this L0 (Xen 4.17) has per-vCPU upcall vectors, so the INTx
# fallback would mean the vector path broke.
if [ $transport = direct ]; then
	upcall=$(dmesg | sed -n "s/.*L0's upcall: //p" | tail -n 1)
	echo "blanket_upcall=$(echo "$upcall" | tr ' ' '_')"
	case $upcall in
	vector*) ;;
	*) echo "blanket: L0's upcall is not on a vector of ours"; r=1 ;;
	esac
fi
ls $devs 2>/dev/null | grep -q '^vbd-' || { echo "blanket: no vbd on the bus"; r=1; }
# The trust this run gave the front ends (run.sh holds an untrusted run to it).
echo "blanket_trust=blk:$(cat /sys/module/blanket_blk/parameters/trusted)" \
	"blk_persistent:$(cat /sys/module/blanket_blk/parameters/feature_persistent)" \
	"net:$(cat /sys/module/blanket_net/parameters/trusted)"
check bus $r

# pings TAG [ping options]: wait up to 30 s for a first reply from $peer,
# then report how many of 3 come back; fails if none.
pings() {
	tag=$1
	shift
	i=0
	while [ $i -lt 30 ] && ! ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
		i=$((i + 1))
	done
	rx=$(lab_received -W 2 "$@" "$peer")
	echo "$tag=$peer received=${rx:-0}/3"
	[ "${rx:-0}" -gt 0 ]
}

# --- blnet0's queues, and the CPUs L0's events reach --------------------------------
# blanket_net connects with a queue per CPU of the L1 guest (in forwarded
# mode the L1 Xen's Dom0; BLANKET_LAB_L1_VCPUS), up to L0's two. Flows
# spread over the queues by
# their hash (into the guest netback's pick; out of it the socket's, or the
# sending CPU's queue if XPS maps one): 16 fetches from Dom0's httpd, each a
# connection of its own, from either CPU in turn, on top of the TCP rounds
# before, leave each queue with packets both ways (all of them on one queue
# by chance: one in 2^15 each way). lab-ethstats reads the per-queue
# counters (ethtool -S).
net_queues() {
	local r=0 cpus q i tx rx per=

	cpus=$(nproc)
	q=$(lab-channels blnet0 | sed -n 's/^combined=\([0-9]*\) .*/\1/p')
	for i in $(seq 16); do
		timeout 30 taskset -c $((i % cpus)) wget -q -O /dev/null "http://$peer:8080/fio.sha256" ||
			r=1
	done
	lab-ethstats blnet0 >/tmp/ethstats || r=1
	for i in $(seq 0 $((${q:-1} - 1))); do
		tx=$(sed -n "s/^q${i}_tx_packets=//p" /tmp/ethstats)
		rx=$(sed -n "s/^q${i}_rx_packets=//p" /tmp/ethstats)
		per="$per q$i=tx:${tx:-none},rx:${rx:-none}"
		[ "${tx:-0}" -gt 0 ] && [ "${rx:-0}" -gt 0 ] || r=1
	done
	echo "blanket_queues=${q:-none} cpus=$cpus$per"
	[ "${q:-0}" = "$cpus" ] || r=1
	return $r
}
# event_cpus: the interrupts each CPU took of every blanket IRQ so far;
# once the modules say they deliver L0's events to more than one CPU (their
# stats' upcall_cpus, the CPUs whose vCPU L0 or the L1 Xen sends events to),
# blnet0's queues' IRQs must have been taken on every CPU. Before that the
# check is skipped, saying why.
event_cpus() {
	local n cpus got

	lab_irq_cpus "$lab_blanket_irqs"
	n=$(lab_blanket_stat upcall_cpus)
	cpus=$(nproc)
	if [ "$n" -lt 2 ]; then
		echo "check=event_cpus skipped (upcall_cpus=$n: L0's events reach one CPU)"
		return
	fi
	# Each CPU's interrupts of blnet0's IRQs, summed; a CPU without any fails.
	got=$(awk 'NR == 1 { n = NF } NR > 1 && $NF ~ /^blnet0-/ {
			for (i = 2; i <= n + 1; i++) c[i - 2] += $i; seen = 1 }
		END { if (seen) for (i = 0; i < n; i++) printf "%s%d", i ? "," : "", c[i] }' \
		/proc/interrupts)
	echo "blanket_event_cpus=${got:-none} upcall_cpus=$n cpus=$cpus"
	case ,$got, in
	,, | *,0,*) check event_cpus 1 ;;
	*) check event_cpus 0 ;;
	esac
}

# --- blanket_net ---------------------------------------------------------------
# The vif's interface, up and talking to L0's Dom0.
i=0
while [ $i -lt 60 ] && [ ! -e /sys/class/net/blnet0 ]; do
	sleep 1
	i=$((i + 1))
done
if [ -e /sys/class/net/blnet0 ]; then
	ip link set lo up
	ip link set blnet0 up
	# The carrier reads only once the link is up; it follows netback's state.
	i=0
	while [ $i -lt 30 ] && [ "$(cat /sys/class/net/blnet0/carrier 2>/dev/null)" != 1 ]; do
		sleep 1
		i=$((i + 1))
	done
	echo "blanket_net=blnet0 mac=$(cat /sys/class/net/blnet0/address)" \
		"port=$(cat /sys/class/net/blnet0/phys_port_name 2>/dev/null)" \
		"carrier=$(cat /sys/class/net/blnet0/carrier 2>/dev/null)"
	ip addr add "$ip" dev blnet0
	pings blanket_ping
	check net_ping $?
	# Large echoes: fragmented both ways, checksummed by ICMP end to end.
	pings blanket_ping_30000 -W 5 -s 30000
	check net_ping_large $?
	# TCP both ways, checked end to end (the same transfer as the baseline's),
	# with the L0 events, notifications and hypercalls it cost.
	lab_blanket_tcp blanket_tcp
	check net_tcp $?
	grep -E 'blnet0' /proc/net/dev
	net_queues; check net_queues $?
	event_cpus
	# An L2 stand-in: a bridge with blnet0 as its port and a MAC of its own,
	# as Dom0's bridge for L2 vifs is: its frames leave with a source MAC
	# that is not blnet0's, and the replies must come back in to it.
	bip=$(echo "$ip" | sed 's/\.[0-9]*\//.3\//')
	if brctl addbr br0 && echo 0 >/sys/class/net/br0/bridge/forward_delay; then
		ip addr flush dev blnet0
		ip link set br0 address 02:00:0b:1a:00:03
		brctl addif br0 blnet0
		ip link set br0 up
		ip addr add "$bip" dev br0
		echo "blanket_bridge from=$bip mac=02:00:0b:1a:00:03" \
			"blnet0_promisc=$(($(cat /sys/class/net/blnet0/flags) >> 8 & 1))"
		pings blanket_bridge_ping
		check net_bridge_port $?
		ip link set br0 down
		brctl delbr br0
	else
		echo "blanket: cannot make bridge br0"
		check net_bridge_port 1
	fi
	# Unload under traffic, load again: netback must be closed cleanly and
	# reconnect to the new driver (an echo storm runs throughout).
	ping -A -q -w 15 "$peer" >/dev/null 2>&1 &
	sleep 2
	r=0
	rmmod blanket_net && echo "blanket_rmmod_under_traffic=ok" ||
		{ echo "blanket: rmmod blanket_net failed"; r=1; }
	wait
	lab_insmod blanket_net || { echo "blanket: reload failed"; r=1; }
	lab_net_up "$ip"
	pings blanket_reload_ping || { echo "blanket: no ping after reloading blanket_net"; r=1; }
	check net_rmmod_under_traffic $r
else
	echo "blanket: no blnet0"
	check net_ping 1
fi

# --- blanket_blk ---------------------------------------------------------------
# The vbd's disk reads the run's token that Dom0 put at sector 0, and what
# we write after it reads back; once as loaded, once reloaded with indirect
# descriptors off (a reload of its own, too). Sets $disk, $vbd, $token.
blk_check() {	# tag
	disk=
	lab_wait 60 "$1_disk" lab_rw_bvd
	disk=$(lab_rw_bvd)
	if [ -z "$disk" ]; then
		echo "blanket: no bvd disk ($1)"
		return 1
	fi
	vbd=$(cat /sys/block/$disk/blanket_vbd 2>/dev/null)
	tok=$(dd if=/dev/$disk bs=512 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')
	echo "$1=$disk vbd=$vbd sectors=$(cat /sys/block/$disk/size) sector0=$tok"
	case $tok in BLANKET-LAB-DISK*) ;; *) echo "blanket: $disk does not read the token"; return 1 ;; esac
	if [ -n "${token:-}" ] && [ "$tok" != "$token" ]; then
		echo "blanket: $disk reads another token than before ($1)"
		return 1
	fi
	token=$tok
	dd if=/dev/urandom of=/tmp/blk.in bs=4096 count=256 2>/dev/null
	dd if=/tmp/blk.in of=/dev/$disk bs=4096 seek=1 conv=fsync 2>&1 | grep -v records
	# Read it back from the disk, not from the page cache.
	blockdev --flushbufs /dev/$disk
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/$disk of=/tmp/blk.out bs=4096 skip=1 count=256 2>&1 | grep -v records
	if [ "$(sha256sum </tmp/blk.in)" != "$(sha256sum </tmp/blk.out)" ]; then
		echo "blanket: 1 MiB written to $disk does not read back ($1)"
		return 1
	fi
	echo "${1}_verify=1MiB ok"
}
blk_check blanket_blk
check blk_read_write $?
rmmod blanket_blk && lab_insmod blanket_blk max_indirect_segments=0 &&
	blk_check blanket_blk_direct
check blk_no_indirect $?
# The rest with the defaults again.
rmmod blanket_blk && lab_insmod blanket_blk && blk_check blanket_blk_again
check blk_reload $?

# --- fio: verify, discard ------------------------------------------------------------
# Each check below prints its result lines; a failure names itself.
failed() { echo "check_failed=$1"; check "$1" 1; }
have_fio=
if [ -e /sys/class/net/blnet0 ] && lab_get_fio; then
	have_fio=1
else
	failed fio
fi
# Connects of the disk so far: blanket_blk logs one line each time.
connects() { dmesg | grep -c "$disk: [0-9]* sectors of"; }

if [ -n "$have_fio" ] && [ -n "$disk" ]; then
	lab_kernel_clean blanket_before_fio >/dev/null
	lab_fio_verify blanket_fio_verify /dev/$disk; check fio_verify $?
	lab_discard blanket_discard /dev/$disk; check discard $?
	lab_kernel_clean blanket_fio; check fio_kernel_log $?
fi

# --- backend restarts under a verifying write job ------------------------------
# restart_under_io TAG OP RECONNECTS: a verifying random-write job
# (verify_backlog: reads and writes in flight together), rate-limited so
# that it lasts some 30 s under TCG, while Dom0 runs OP on the vbd; the job
# must end with no error, must still have been running when OP was done,
# and the disk must have connected RECONNECTS more times (a rebound blkback
# takes the rings where they are: 0; a restart: 1).
restart_under_io() {
	local c0 r=0 spanned=yes n

	c0=$(connects)
	lab_fio_start "$1" --name="$1" $(lab_fio_dev /dev/$disk) --iodepth=8 \
		--rw=randwrite --bs=4k --offset=2M --size=8M --verify=crc32c \
		--verify_backlog=128 --rate_iops=150
	sleep 3	# the job is under way
	if lab_ctl_start "$2=$vbd"; then
		lab_ctl_done 240 || r=1
	else
		r=1
	fi
	[ -s "/tmp/fio.$1.rc" ] && spanned=no
	lab_fio_wait "$1" 300 || r=1
	[ "$fio_verr" = 0 ] || r=1
	[ $spanned = yes ] || r=1
	n=$(($(connects) - c0))
	[ "$n" = "$3" ] || r=1
	echo "$1=$([ $r = 0 ] && echo ok || echo failed) rc=$fio_rc err=$fio_err" \
		"verify_errors=$fio_verr write_kib=$fio_wkib spanned=$spanned" \
		"reconnects=$n"
	[ $r = 0 ] || lab_fio_errors "$1"
	lab_kernel_clean "$1" || r=1
	return $r
}
if [ -n "$have_fio" ] && [ -n "$disk" ]; then
	restart_under_io blanket_rebind vbd-rebind 0; check vbd_rebind $?
	restart_under_io blanket_restart vbd-restart 1; check vbd_restart $?
fi

# --- L0 saves the machine and restores it, or migrates it --------------------------
# Dom0's xl save asks blanket through control/shutdown; blanket closes its
# devices and has L0 save the machine, which xl restore brings back as a
# new domain. Then (direct mode) the same for xl migrate to L0's own host:
# the same request, the machine's state streamed while it runs, and a new
# domain while the old one still exists; and an xl save that does not ask
# (Dom0 clears the machine's HVM callback first), which blanket must
# notice by itself, by its sentinel port. Across each, verifying write
# jobs (as restart_under_io's, slower), back to back until the save is
# over and one of them in flight when the machine suspends, must end with
# no error and one reconnect of the disk, and TCP rounds from Dom0's
# tcp-peer.py, back to back too, must all come whole, each on a new
# connection if the save cut its first (the link goes down a moment);
# blnet0 pings after, and no grant waits for L0 to let go of it. In
# forwarded mode the L1 Xen makes the suspend call (its blanket patch),
# and an L2 guest runs across the save (below, with l2.sh). The
# jobs' region starts past the L2 guest's LV.
# save_round: one round whole; what failed, if not, in /tmp/l0-save.why.
save_round() {
	if ! lab-tcp-client "$peer" 8081 >/tmp/l0-save.bin 2>/tmp/l0-save.err; then
		echo "$(tail -n 1 /tmp/l0-save.err)" >>/tmp/l0-save.why
		return 1
	fi
	[ "$(sha256sum </tmp/l0-save.bin | cut -d' ' -f1)" = "$want" ] && return 0
	echo "digest mismatch, $(wc -c </tmp/l0-save.bin) bytes" >>/tmp/l0-save.why
	return 1
}
# save_tcp: those rounds; their count, the rounds cut and those that
# failed on a new connection too in /tmp/l0-save-tcp.
save_tcp() {
	local n=0 again=0 bad=0

	want=$(lab_get down.sha256)
	while [ ! -e /tmp/l0-saved ]; do
		n=$((n + 1))
		save_round && continue
		again=$((again + 1))
		# A round that began as the link went down fails to connect; the
		# new one waits for Dom0 to answer, as blanket reconnects.
		lab_wait 30 l0_save_link ping -c 1 -W 1 "$peer"
		save_round || bad=$((bad + 1))
	done
	echo "rounds=$n again=$again bad=$bad" >/tmp/l0-save-tcp
}
# save_io KEY: verifying write jobs, back to back until the save is over
# (a live migration runs the machine a while before it asks it to
# suspend). Each job's kernel-log lines before and after it and its
# outcome go to /tmp/l0-save-io, for the check to find the job the
# suspend came in.
save_io() {
	local n=0 d

	: >/tmp/l0-save-io
	while [ $n = 0 ] || [ ! -e /tmp/l0-saved ]; do
		n=$((n + 1))
		d=$(dmesg | wc -l)
		lab_fio "$1_$n" 600 --name="$1_$n" $(lab_fio_dev /dev/$disk) --iodepth=8 \
			--rw=randwrite --bs=4k --offset=8M --size=8M --verify=crc32c \
			--verify_backlog=128 --rate_iops=100
		echo "$n $d $(dmesg | wc -l) $fio_rc ${fio_err:-none} ${fio_verr:-0} ${fio_wkib:-0}" \
			>>/tmp/l0-save-io
		[ "$fio_rc" != timeout ] || break
	done
	touch /tmp/l0-save-io.done
}
# mono_s: CLOCK_MONOTONIC in whole seconds (0 if /proc/timer_list has not).
mono_s() {
	sed -n 's/^now at \([0-9]*\)[0-9]\{9\} nsecs$/\1/p' /proc/timer_list | head -n 1 | grep . ||
		echo 0
}
# l0_save OP NAME: that, with ctl OP: l0-save, l0-save-unasked, or
# l0-migrate (xl migrate to L0's own host, the same request to the
# machine); reported as blanket_NAME. Only what the kernel says from now
# on counts.
l0_save() {
	local op=$1 name=$2 key=blanket_$2 r=0 c0 d0 spanned=no n tcp in0 pending
	local at jobs=0 rc=0 err=0 verr=0 wkib=0 j a b jrc jerr jverr jwkib
	# What blanket says when the save begins, and once it is over.
	local begun="L0 asks the machine to suspend" over="restored by L0, in a new domain"

	[ "$op" != l0-save-unasked ] || {
		begun="L0 restored the machine without asking it"
		over="restored by L0 unasked, in a new domain"
	}
	c0=$(connects)
	d0=$(dmesg | wc -l)
	in0=$(lab_blanket_stat grants_in_use)
	rm -f /tmp/l0-saved /tmp/l0-save-tcp /tmp/l0-save.why /tmp/l0-save-io.done
	save_tcp &
	save_io $key &
	sleep 3
	set -- $(mono_s) $(cut -d' ' -f1 /proc/uptime) $(date +%s)
	if lab_ctl_start "$op=$vbd"; then
		lab_ctl_done 1200 || r=1
	else
		r=1
	fi
	# How far this kernel's clocks went across it, in seconds: monotonic,
	# boot time (monotonic and time asleep) and real time. Dom0's log
	# says how long L0 took.
	echo "${key}_clock monotonic=+$(($(mono_s) - $1))" \
		"boottime=+$(awk -v a="$2" -v b="$(cut -d' ' -f1 /proc/uptime)" \
			'BEGIN { printf "%.0f", b - a }')" \
		"realtime=+$(($(date +%s) - $3))"
	touch /tmp/l0-saved
	lab_wait 700 ${name}_io test -e /tmp/l0-save-io.done || r=1
	# Every job whole; the suspend's line of the log within one of them.
	at=$(dmesg | grep -n "$begun" | tail -n 1 | cut -d: -f1)
	while read -r j a b jrc jerr jverr jwkib; do
		jobs=$j wkib=$((wkib + jwkib)) verr=$((verr + jverr))
		[ "$jrc" = 0 ] || rc=$jrc
		[ "$jerr" = 0 ] || err=$jerr
		[ "$jrc" = 0 ] && [ "$jerr" = 0 ] && [ "$jverr" = 0 ] || { r=1; lab_fio_errors ${key}_$j; }
		[ "${at:-0}" -gt "$a" ] && [ "${at:-0}" -le "$b" ] && spanned=yes
	done </tmp/l0-save-io
	[ $jobs -gt 0 ] || r=1
	[ $spanned = yes ] || r=1
	n=$(($(connects) - c0))
	[ "$n" = 1 ] || r=1
	lab_wait 300 ${name}_tcp test -s /tmp/l0-save-tcp || r=1
	tcp=$(cat /tmp/l0-save-tcp 2>/dev/null)
	case $tcp in rounds=[1-9]*" bad=0") ;; *) r=1 ;; esac
	dmesg | tail -n +$((d0 + 1)) | grep -q "$over" || r=1
	pings ${key}_ping || r=1
	pending=$(lab_blanket_stat grants_deferred)/$(lab_blanket_stat grants_leaked)
	[ "$pending" = 0/0 ] || r=1
	echo "$key=$([ $r = 0 ] && echo ok || echo failed) rc=$rc err=$err" \
		"verify_errors=$verr write_kib=$wkib jobs=$jobs spanned=$spanned reconnects=$n" \
		"tcp_${tcp:-none} grants_in_use=$in0/$(lab_blanket_stat grants_in_use)" \
		"deferred/leaked=$pending"
	dmesg | tail -n +$((d0 + 1)) |
		grep -E "L0 asks the machine to suspend|restored by L0|L0 cancelled its save|without asking" |
		sed "s/^/${key}_log /"
	sed "s/^/${key}_log tcp round: /" /tmp/l0-save.why 2>/dev/null
	if [ "$op" = l0-save-unasked ]; then
		lab_kernel_clean $key "" "$over" || r=1
	else
		lab_kernel_clean $key || r=1
	fi
	return $r
}
if [ $transport = direct ] && [ -n "$have_fio" ] && [ -n "$disk" ]; then
	l0_save l0-save l0_save; check l0_save $?
	l0_save l0-migrate l0_migrate; check l0_migrate $?
	l0_save l0-save-unasked l0_save_unasked; check l0_save_unasked $?
fi

# --- vbd unplugged with I/O in flight, and plugged again -----------------------------
# The job's I/O fails (expected); what must not happen is a hang or a disk
# that stays.
# disk_replaced NAME SEQ: the disk NAME is gone, or is another one than
# the disk of sequence number SEQ.
disk_replaced() {
	[ "$(cat "/sys/block/$1/diskseq" 2>/dev/null)" != "$2" ]
}
vbd_replug() {
	local r=0 old=$disk seq

	seq=$(cat /sys/block/$disk/diskseq)
	lab_fio_start blanket_unplug_io --name=unplug $(lab_fio_dev /dev/$disk) --iodepth=8 \
		--rw=randwrite --bs=4k --offset=2M --size=16M --time_based --runtime=120
	sleep 3
	lab_ctl_start "vbd-replug=$vbd" || return 1
	# Its bus device may be back already: L0 plugs the same id again, and
	# its disk may have the old one's name.
	lab_wait 120 "${old}_gone" disk_replaced "$old" "$seq" || r=1
	lab_fio_wait blanket_unplug_io 60
	echo "blanket_unplug_io rc=$fio_rc err=$fio_err write_kib=$fio_wkib"
	[ "$fio_rc" = timeout ] && r=1
	lab_ctl_done 240 || r=1
	blk_check blanket_replugged || r=1
	echo "blanket_vbd_replug=$([ $r = 0 ] && echo ok || echo failed) was=$old now=${disk:-none}"
	lab_kernel_clean blanket_vbd_replug || r=1
	return $r
}
if [ -n "$have_fio" ] && [ -n "$disk" ]; then
	vbd_replug; check vbd_replug $?
fi

# --- vif unplugged and plugged again ---------------------------------------------------
# L0's unplug and replug may reach us apart (blnet0 goes, a new one comes)
# or at once (the vif's node is back before we look: the device stays and
# connects to the new backend); either way blnet0 must work again.
net_connects() { dmesg | grep -c 'blnet0: [0-9]* queue(s)'; }
vif_replug() {
	local r=0 c0 ifi0

	c0=$(net_connects)
	ifi0=$(cat /sys/class/net/blnet0/ifindex)
	replugged() {
		[ -e /sys/class/net/blnet0 ] &&
			{ [ "$(cat /sys/class/net/blnet0/ifindex)" != "$ifi0" ] ||
			  [ "$(net_connects)" -gt "$c0" ]; }
	}
	lab_ctl_start vif-replug || return 1
	lab_wait 120 "blnet0_replugged" replugged || r=1
	lab_net_up "$ip" || r=1
	lab_ctl_done 240 || r=1
	pings blanket_replug_ping || r=1
	echo "blanket_vif_replug=$([ $r = 0 ] && echo ok || echo failed)" \
		"ifindex=$ifi0/$(cat /sys/class/net/blnet0/ifindex 2>/dev/null)" \
		"connects=+$(($(net_connects) - c0))"
	lab_kernel_clean blanket_vif_replug || r=1
	return $r
}
if [ -e /sys/class/net/blnet0 ]; then
	# max_queues is read at each connect: the replug's takes this one, for
	# net_channels below (direct mode: see there).
	[ $transport = direct ] && echo 2 >/sys/module/blanket_net/parameters/max_queues
	vif_replug; check vif_replug $?
fi

# --- the queue count: ethtool -L by a reconnect ----------------------------------
# L0's netback offers two queues (dom0/init.sh); max_queues=2, written at
# run time, let the replug connect with both. lab-channels (channels.c)
# plays ethtool -l and -L: to 1 and back to 2, each a new connect that must
# show the count asked for, carry echoes, and be what Dom0's netback made
# (dom0/ctl.sh vif-queues). Direct mode only: it is the same driver code
# over either transport, and forwarded mode's run is the longest already.
# The reload that follows gives blanket_net its defaults again.
net_channels() {
	local r=0 n c0 got l0

	reconnected() {
		[ "$(net_connects)" -gt "$c0" ] &&
			[ "$(lab-channels blnet0)" = "combined=$n max_combined=2" ] &&
			grep -qx 1 /sys/class/net/blnet0/carrier
	}
	# l0_serves N: Dom0's netback has N queues for blnet0, and the
	# frontend's count in L0's xenstore says N (absent for one).
	l0_serves() {
		[ "$l0" = "vif_queues=$1 irq_queues=$1 fe_num_queues=$([ "$1" = 1 ] && echo none || echo "$1")" ]
	}
	got=$(lab-channels blnet0)
	l0=$(lab_ctl vif-queues)
	echo "blanket_channels=${got:-none} l0: ${l0:-no answer}"
	[ "$got" = "combined=2 max_combined=2" ] && l0_serves 2 || r=1
	for n in 1 2; do
		c0=$(net_connects)
		lab-channels blnet0 $n || { r=1; continue; }
		lab_wait 60 "blnet0_channels_$n" reconnected || r=1
		pings "blanket_channels_${n}_ping" || r=1
		got=$(lab-channels blnet0)
		l0=$(lab_ctl vif-queues)
		echo "blanket_channels_$n=${got:-none} connects=+$(($(net_connects) - c0))" \
			"l0: ${l0:-no answer}"
		[ "$got" = "combined=$n max_combined=2" ] && l0_serves $n || r=1
	done
	echo 0 >/sys/module/blanket_net/parameters/max_queues
	lab_kernel_clean blanket_channels || r=1
	return $r
}
if [ $transport = direct ] && [ -e /sys/class/net/blnet0 ]; then
	net_channels; check net_channels $?
fi

# --- all three modules out and in again ------------------------------------------------
# A read job on the disk first (rmmod needs it closed, so it ends before),
# blanket_net goes under an echo storm; then all must work as before.
reload_all() {
	local r=0 storm m

	if [ -n "$have_fio" ] && [ -n "$disk" ]; then
		lab_fio blanket_reload_read 120 --name=read $(lab_fio_dev /dev/$disk) --iodepth=8 \
			--rw=randread --bs=4k --offset=2M --size=16M --time_based --runtime=5 || r=1
		echo "blanket_reload_read rc=$fio_rc iops=$fio_riops"
	fi
	rmmod blanket_blk || { echo "blanket: rmmod blanket_blk failed"; r=1; }
	ping -A -q -w 15 "$peer" >/dev/null 2>&1 &
	storm=$!
	sleep 2
	rmmod blanket_net || { echo "blanket: rmmod blanket_net under traffic failed"; r=1; }
	rmmod blanket_xenbus || { echo "blanket: rmmod blanket_xenbus failed"; r=1; }
	wait $storm
	[ -e /sys/kernel/debug/blanket ] && { echo "blanket: debugfs left behind"; r=1; }
	for m in blanket_xenbus blanket_net blanket_blk; do
		lab_insmod $m || { echo "blanket: insmod $m failed"; r=1; }
	done
	lab_net_up "$ip" || r=1
	pings blanket_reload_all_ping || r=1
	blk_check blanket_reload_all || r=1
	echo "blanket_reload_all=$([ $r = 0 ] && echo ok || echo failed)"
	lab_kernel_clean blanket_reload_all || r=1
	return $r
}
reload_all; check reload_all $?

# --- forwarded mode: an L2 guest on blnet0 and a carve of bvd0 ------------------
# It keeps blnet0 in its bridge: nothing after it may need blnet0 alone.
# While the L2 guest pings L0's Dom0 and reads its disk, L0 saves and
# restores the L1 machine (l0_save), migrates it to its own host
# (l0_migrate), and saves and restores it without asking it
# (l0_save_unasked); the L2 guest must go on after all three.
if [ $transport = forwarded ]; then
	rm -f /tmp/l2-holding /tmp/l2-release
	sh ./l2.sh "$peer" hold &
	l2=$!
	while [ ! -e /tmp/l2-holding ] && kill -0 $l2 2>/dev/null; do
		sleep 2
	done
	if [ -e /tmp/l2-holding ] && [ -n "$have_fio" ] && [ -n "$disk" ]; then
		l0_save l0-save l0_save; check l0_save $?
		l0_save l0-migrate l0_migrate; check l0_migrate $?
		touch /tmp/l2-unasked
		l0_save l0-save-unasked l0_save_unasked
		check l0_save_unasked $?
	fi
	touch /tmp/l2-release
	wait $l2
	check l2_guest $?
fi

# --- a hostile L0: devices of a backend played by Dom0 (hostile-be.sh) ------------
# Each line of hostile-cases is a fresh device whose backend offers one
# absurd value, or plays a scenario; the guest drives the handshake
# through Dom0's CGI and judges its driver by its kernel log: what it
# must accept connects, what it must refuse says why with an error and
# does not connect. Then the device is unplugged and must go, and the
# kernel log must stay clean. The cases with no scenario are played all
# at once, each scenario on its own: its acts must be over before its
# disk's first request times out, and another's waits would eat that
# time (a scenario's backend answers no request either). In direct mode
# only: what is judged is the drivers' reading of xenstore, the same code
# over either transport, and forwarded mode's run is the longest already.
hostile_mark=0
# hostile_is N: case N of hostile-cases, its device, and what its driver
# says when it connects.
hostile_is() {
	# shellcheck disable=SC2046 # the line's five fields
	set -- $(awk -v n="$1" '$1 == n' hostile-cases)
	hn=$1 htype=$2 hdev=$2-$((700 + $1)) hkey=$3 hvalue=$4 hexpect=$5
	haccept=' sectors of '
	[ "$htype" = vif ] && haccept=' queue(s), '
}
# hostile_all TEST: TEST holds for every case being played.
hostile_all() {
	local n

	for n in $hns; do
		hostile_is "$n"
		"$1" || return 1
	done
}
hostile_log() { dmesg -r | tail -n +$((hostile_mark + 1)); }
# hostile_said PATTERN: a line of the device's since the cases began.
hostile_said() { hostile_log | grep -q " $hdev: .*$1"; }
# Refused: an error of the device's other than a request's timeout, which
# is how an accepted disk meets a backend that answers nothing, and comes
# only if it takes the guest a while to judge and unplug all.
hostile_erred() { hostile_log | grep -E "^<[0-3]>.* $hdev: " | grep -qv ' went unanswered '; }
hostile_timed_out() { hostile_said ' went unanswered '; }
hostile_accepted() { hostile_said "$haccept"; }
hostile_accepts() { hostile_log | grep -c " $hdev: .*$haccept"; }
# Refused, or Initialised or Connected by the states Dom0 last gave.
hostile_ready() {
	hostile_erred && return 0
	case " $hfe " in *" $hn=3 "* | *" $hn=4 "*) return 0 ;; esac
	return 1
}
hostile_all_ready() {
	hfe=$(lab_ctl "hostile-fe=$hlist")
	hostile_all hostile_ready
}
hostile_settled() { hostile_erred || hostile_accepted; }
hostile_gone() {
	[ ! -e "$devs/$hdev" ] || return 1
	[ "$htype" = vif ] || ! grep -qx "${hdev#vbd-}" /sys/block/bvd*/blanket_vbd 2>/dev/null
}

# hostile_judge: the verdict on the case hostile_is set, its scenario
# played if it has one.
hostile_judge() {
	local r=0 verdict tag=blanket_hostile_$hn

	case $hkey in
	@silent)
		# Its I/O (the partition scan) meets a backend that never answers.
		hostile_accepted || r=1
		lab_wait 150 "${tag}_timeout" hostile_timed_out || r=1
		! hostile_erred || r=1
		;;
	@geometry | @state-gone)
		hostile_accepted || r=1
		if lab_ctl_start "hostile-scenario=$hn"; then
			lab_ctl_done 400 || r=1
		else
			r=1
		fi
		if [ "$hkey" = @geometry ]; then
			lab_wait 90 "${tag}_refused" hostile_erred || r=1
			[ "$(hostile_accepts)" = 1 ] || r=1
		else
			lab_wait 90 "${tag}_again" sh -c "[ \$(dmesg | grep -c ' $hdev: .*$haccept') -ge 2 ]" || r=1
		fi
		;;
	*)
		verdict=none
		hostile_accepted && verdict=accept
		hostile_erred && verdict=refuse
		hostile_accepted && hostile_erred && verdict=both
		case $hexpect in
		either) [ $verdict = accept ] || [ $verdict = refuse ] || r=1 ;;
		*) [ $verdict = "$hexpect" ] || r=1 ;;
		esac
		echo "$tag $htype $hkey=$hvalue expect=$hexpect got=$verdict"
		;;
	esac
	hostile_log | grep " $hdev: " | head -n 3 | sed "s/^/${tag}_log: /"
	echo "$tag=$([ $r = 0 ] && echo ok || echo failed)"
	return $r
}

# hostile_play N...: cases played at once, from their devices' offer to
# their unplug.
hostile_play() {
	local r=0 got n todo= tag=blanket_hostile_$1

	hns=$* hlist=$(echo "$*" | tr ' ' ,)
	# The cases are a step of their own: their checks come only at the end.
	echo "hostile cases $hlist" >$step
	hostile_mark=$(dmesg | wc -l)
	if lab_ctl_start "hostile-create=$hlist" && lab_ctl_done 300; then
		lab_wait 90 "${tag}_ready" hostile_all_ready || r=1
		for n in $hns; do
			hostile_is "$n"
			hostile_erred || todo=$todo,$n
		done
		if [ -n "$todo" ]; then
			got=$(lab_ctl "hostile-connect=${todo#,}")
			case $got in ok*) ;; *) echo "${tag}_connect=${got:-no answer}"; r=1 ;; esac
		fi
		lab_wait 90 "${tag}_settled" hostile_all hostile_settled || r=1
		for n in $hns; do
			hostile_is "$n"
			hostile_judge || r=1
		done
	else
		r=1
	fi
	# What was made of them goes, even if not all was.
	if lab_ctl_start "hostile-unplug=$hlist"; then
		lab_ctl_done 300 || r=1
	else
		r=1
	fi
	lab_wait 60 "${tag}_gone" hostile_all hostile_gone || r=1
	lab_kernel_clean "$tag" || r=1
	echo "${tag}_played=$([ $r = 0 ] && echo ok || echo failed) cases $hlist"
	return $r
}

hostile_l0() {
	local r=0 n

	lab_get hostile-cases >/dev/null 2>&1	# Dom0 is there
	# shellcheck disable=SC2046 # the cases' numbers
	hostile_play $(awk '!/^#/ && NF == 5 && $3 !~ /^@/ { print $1 }' hostile-cases) || r=1
	for n in $(awk '!/^#/ && NF == 5 && $3 ~ /^@/ { print $1 }' hostile-cases); do
		hostile_play "$n" || r=1
	done
	return $r
}
[ $transport = direct ] && [ ! -s /extra/modparams ] && { hostile_l0; check hostile_l0 $?; }

# Junk in the guest's own device/ area: no device may come of it (one of
# a type no driver takes may sit on the bus unbound, as vkbd-0 does), and
# what there is must keep working.
hostile_junk() {
	local r=0 got d

	got=$(lab_ctl hostile-junk)
	echo "blanket_hostile_junk_ctl=$got"
	case $got in ok*) ;; *) r=1 ;; esac
	sleep 10
	for d in vbd-790 vbd-791 vbd-792 vif-793; do
		[ ! -e "$devs/$d" ] || { echo "blanket_hostile_junk: $d on the bus"; r=1; }
	done
	[ ! -e "$devs/lab-junk-1/driver" ] || { echo "blanket_hostile_junk: lab-junk-1 bound"; r=1; }
	pings blanket_hostile_junk_ping || r=1
	[ -z "$disk" ] || blk_check blanket_hostile_junk_blk || r=1
	got=$(lab_ctl hostile-unjunk)
	case $got in ok*) ;; *) r=1 ;; esac
	lab_kernel_clean blanket_hostile_junk || r=1
	echo "blanket_hostile_junk=$([ $r = 0 ] && echo ok || echo failed)"
	return $r
}
[ $transport = direct ] && [ ! -s /extra/modparams ] && { hostile_junk; check hostile_junk $?; }

# --- last: a hostile "sectors" from L0 --------------------------------------------------
# The disk must say what is wrong and fail its I/O from then on, and the
# kernel must not mind otherwise.
hostile() {
	local r=0

	echo "blanket_hostile_ctl=$(lab_ctl "hostile-sectors=$vbd")"
	lab_wait 30 "blanket_hostile_log" sh -c \
		"dmesg | grep 'vbd-$vbd' | grep 'sectors' | grep -q 'failing its I/O from now on'" || r=1
	dmesg | grep "vbd-$vbd" | grep 'sectors' | tail -n 2
	lab_fio blanket_hostile_read 60 --name=read $(lab_fio_dev /dev/$disk) \
		--rw=read --bs=4k --size=64k
	# EIO (5) is what a failed disk answers.
	[ "$fio_err" = 5 ] || r=1
	echo "blanket_hostile=$([ $r = 0 ] && echo ok || echo failed) read_rc=$fio_rc read_err=$fio_err"
	lab_kernel_clean blanket_hostile || r=1
	return $r
}
if [ -n "$have_fio" ] && [ -n "$disk" ]; then
	hostile; check hostile_sectors $?
fi

stats=$(cat /sys/kernel/debug/blanket/*/stats 2>/dev/null)
echo "$stats" | grep -E '^(transport|hypercalls_|upcalls|events|grant_frames|xs_requests|xs_errors|xs_broken)'
r=0
echo "$stats" | grep -qx "transport $transport" || { echo "blanket: not in $transport mode"; r=1; }
echo "$stats" | grep -q '^xs_broken 0' || { echo "blanket: xenstore connection not up"; r=1; }
echo "$stats" | grep -q '^grant_frames [1-9]' || { echo "blanket: no grant frame mapped"; r=1; }
check stats $r
dmesg | grep -i 'blanket' | tail -n 15
# What a check excused (lab_kernel_clean's BACK) is not counted again.
# busybox grep -f takes an empty file for one that matches every line.
echo "(nothing excused)" >>/tmp/dmesg.excused
if dmesg | grep -E "$lab_kernel_bad" | grep -vxFf /tmp/dmesg.excused >/tmp/bad.log; then
	echo "blanket: kernel complained:"
	cat /tmp/bad.log
	check kernel_log 1
else
	check kernel_log 0
fi
exit $fail
