#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dom0's PID 1 (after the initramfs), read from the host share at /lab that
# run.sh fills for each run:
#   /lab/params                 shell variables (timeouts, addresses, and
#                               for the benchmark's run bench_cycles, the
#                               indices of the cycles this boot runs)
#   /lab/l1.cfg                 the L1 guest's xl config (the benchmark's
#                               run: its Xen guest; l1-nopv.cfg its other)
#   /lab/l1/{vmlinuz,initrd.img,disk.img}
#   /lab/fio                    static fio, served to the guest
#   /lab/dom0/ctl.sh            the guest's control CGI (cgi-bin/ctl)
# It starts the Xen toolstack the way Debian's /etc/init.d/xen does, makes
# bridge xenbr0, creates the L1 guest, waits for its "LAB-DONE" console line,
# and leaves in /lab/out: dom0.log, l1-console.log, result.txt (the guest's
# LAB lines plus Dom0's own; the benchmark's run adds each guest's as it
# finishes, so that a machine that dies keeps them), status ("OK" or "FAIL
# <why>"), Xen's and the device model's logs. Then it powers the machine
# off, which ends QEMU.
# Progress goes to Xen's console as "LAB-DOM0: " lines for run.sh to follow.
set -uo pipefail
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin

share=/lab
o=$share/out
work=/var/lib/lab	# tmpfs: the guest's files, its disk and console log
xen_dir=/usr/lib/xen-4.17/bin
. "$share/params"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
# devtmpfs lacks the links udev would make; the hotplug scripts' lock
# (locking.sh) stats /dev/stdin and loops until it can.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p "$work" "$o" /run/xen /run/xenstored /run/lock /var/log/xen
mount -t tmpfs tmpfs "$work"
hostname lab-dom0

t0=$(cut -d. -f1 /proc/uptime)
say() {
	echo "LAB-DOM0: $*" >/dev/console
	echo "$(($(cut -d. -f1 /proc/uptime) - t0))s $*" >>"$o/dom0.log"
}

# console_copy: the guests' consoles so far, for run.sh to follow (while
# L0 migrates the guest, the old domain's goes on in l1-console.old).
console_copy() {
	cat "$work/l1-consoles.log" "$work/l1-console.old" "$work/l1-console.log" \
		>"$o/l1-console.log" 2>/dev/null
}

collect() {
	console_copy
	mkdir -p "$o/xen-logs"
	cp -r /var/log/xen/. "$o/xen-logs/" 2>/dev/null
	timeout 30 xl dmesg >"$o/xen-dmesg.txt" 2>&1
	dmesg >"$o/dom0-dmesg.txt" 2>&1
	# The guest runs this same kernel unless run with another
	# (BLANKET_LAB_L1_KERNEL): its code addresses and release, for
	# fault.py to name the code of a guest crash.
	awk '$2 ~ /^[tT]$/' /proc/kallsyms | gzip >"$o/kallsyms.gz"
	uname -r >"$o/kallsyms.release"
	brctl showmacs xenbr0 >"$o/xenbr0-macs.txt" 2>&1
}

finish() {	# status...
	echo "$*" >"$o/status"
	say "status: $*"
	collect
	sync
	busybox poweroff -f
}
fail() { finish "FAIL $*"; }

# lab_lines: the result lines of the guest consoles on stdin.
lab_lines() { tr -d '\r' | grep -E '^LAB(-EXTRA|-RESULT)?:'; }

# result_add: stdin joins result.txt in one step, a new file renamed over
# it: a machine that stops leaves result.txt as it was before or after,
# never with half of what was added.
result_add() {
	{ cat "$o/result.txt" 2>/dev/null; cat; } >"$o/result.new" &&
		mv "$o/result.new" "$o/result.txt" && sync
}

wait_for() {	# seconds, what, command...: 0 once the command succeeds
	local t=$1 what=$2

	shift 2
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		[ $t -le 0 ] && { say "timed out waiting for $what"; return 1; }
		sleep 1
	done
}

# --- the toolstack ----------------------------------------------------------
say "up; starting the toolstack"
# Netback offers as many queues as Dom0 has vCPUs (one) unless told: two,
# so that a front end's queue count can change (blanket-check.sh's
# net_channels). The front ends' own cap, the guest's one vCPU, keeps them
# at one queue unless they are told otherwise.
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback \
	 xen-blkback bridge loop tun; do
	opts=
	[ "$m" = xen-netback ] && opts=max_queues=2
	modprobe "$m" $opts || fail "modprobe $m"
done
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
grep -q control_d /proc/xen/capabilities || fail "not a control domain"

XENSTORED_ROOTDIR=/run/xenstored "$xen_dir/oxenstored" --pid-file /run/xen/xenstored.pid \
	>"$o/xenstored.out" 2>&1 || fail "oxenstored did not start"
wait_for 60 xenstored xenstore-read -s / || fail "xenstored does not answer"
timeout 60 xen-init-dom0 >"$o/xen-init-dom0.log" 2>&1 || fail "xen-init-dom0"
timeout 60 xenconsoled --pid-file /run/xenconsoled.pid || fail "xenconsoled"
timeout 60 xl info >"$o/xl-info.txt" 2>&1 || fail "xl info"
say "toolstack up: $(grep -E '^(xen_version|virt_caps)' "$o/xl-info.txt" | tr -s ' ' | tr '\n' ' ')"

ip link set lo up
ip link add xenbr0 type bridge || fail "bridge xenbr0"
# A MAC of its own, as a cloud's bridge has its NIC's: else it takes its
# lowest port's, the vifs' fe:ff:ff:ff:ff:ff, which is also the MAC of
# every vif of an L1 Dom0 that hosts L2 guests. The L1 bridge then takes
# frames for L0's Dom0 as its own and never forwards them.
ip link set xenbr0 address 02:00:0b:1a:00:01
ip addr add "$dom0_ip" dev xenbr0
ip link set xenbr0 up

# For the guest's TCP rounds over the bridge: tcp-peer.py, which sends a
# file and answers with the digest of whatever it is sent (Python comes
# with xen-utils), and the file's digest on httpd. Also on httpd: fio (the
# guest's initramfs is too slow to carry it) and the control CGI, through
# which the guest has Dom0 unplug, restart or spoil its devices.
www=$work/www
mkdir -p "$www/cgi-bin"
cp "$share/fio" "$www/fio" || fail "no fio in the share"
sha256sum "$www/fio" | cut -d' ' -f1 >"$www/fio.sha256"
cat >"$www/cgi-bin/ctl" <<CGI
#!/bin/sh
export LAB_WORK=$work LAB_SHARE=$share LAB_LOG=$o/dom0.log LAB_T0=$t0
exec /bin/busybox sh $share/dom0/ctl.sh
CGI
chmod +x "$www/cgi-bin/ctl"
head -c 2097152 /dev/urandom | busybox od -A n -t x1 | tr -d ' \n' >"$www/down.bin"
sha256sum "$www/down.bin" | cut -d' ' -f1 >"$www/down.sha256"
python3 "$share/dom0/tcp-peer.py" "${dom0_ip%/*}" "$www/down.bin" 2>>"$o/tcp-peer.log" &
# Files of the run for the guest to fetch (forwarded mode: the L1 toolstack).
[ -d "$share/www" ] && cp -r "$share/www/." "$www/"
busybox httpd -p "${dom0_ip%/*}:8080" -h "$www" || fail "httpd"

# --- the L1 guest -----------------------------------------------------------
cp "$share/l1/vmlinuz" "$share/l1/initrd.img" "$work/"
cp --sparse=always "$share/l1/disk.img" "$work/"
# The comparison's emulated disk (host/l1.cfg.in): the same kind of file
# as the vbd's, sparse in this tmpfs, with a marker of its own at sector 0.
if grep -q '^device_model_args_hvm' "$share/l1.cfg"; then
	truncate -s "$(stat -c %s "$work/disk.img")" "$work/emul.img"
	echo "BLANKET-LAB-EMUL" | dd of="$work/emul.img" conv=notrunc status=none
fi
: >"$work/l1-consoles.log"	# the consoles of the guests that went before

# dump_state: the evidence run.sh's watchdog asks for (share/dump-request)
# when the guest went silent: the guest's vCPUs and what Xen says of them.
dump_state() {
	local d=$o/dump id

	rm -f "$share/dump-request"
	mkdir -p "$d"
	say "dumping the guest's state for the watchdog"
	timeout 30 xl list -v >"$d/xl-list.txt" 2>&1
	id=$(timeout 30 xl domid l1 2>/dev/null) &&
		timeout 30 xen-hvmctx "$id" >"$d/hvmctx.txt" 2>&1
	# q: domains and vCPUs; a: the timer queues, where a guest's lost
	# wake-up would show (its vCPU blocked, no timer of its pending); e:
	# the event channels, where a port of the guest's that L1 Xen holds
	# masked at L0 shows.
	timeout 30 xl debug-keys qae
	timeout 30 xl dmesg >"$d/xen-dmesg.txt" 2>&1
	console_copy
	touch "$d/done"
}

# run_guest CFG: the guest of /lab/CFG, from xl create until it is gone;
# its console is then l1-guest.log, and joins l1-consoles.log.
run_guest() {
	rm -f "$work/l1-console.log"	# a stale LAB-DONE would fool the wait
	cp "$share/$1" "$work/l1.cfg"

	say "xl create $1"
	timeout "$create_timeout" xl create "$work/l1.cfg" >"$o/xl-create.log" 2>&1 ||
		fail "xl create (rc $?): $(tail -n 3 "$o/xl-create.log" | tr '\n' ' ')"
	say "guest created; waiting for its report"
	# The comparison's e1000 (host/l1.cfg.in): its tap on the bridge.
	if grep -q '^device_model_args_hvm.*emu0' "$work/l1.cfg"; then
		wait_for 30 "the e1000's tap" ip link set emu0 up &&
			ip link set emu0 master xenbr0 || fail "no tap emu0 for the emulated e1000 on xenbr0"
		say "the emulated e1000's tap emu0 is on xenbr0"
	fi

	t=$guest_timeout l2_snaps=0
	while ! grep -q '^LAB-DONE' "$work/l1-console.log" 2>/dev/null; do
		# Between xl save and xl restore (ctl.sh l0-save) it has no domain.
		if [ ! -e "$work/l1-saving" ] && ! timeout 30 xl domid l1 >/dev/null 2>&1; then
			sleep 2	# its last words may still be on the way
			grep -q '^LAB-DONE' "$work/l1-console.log" 2>/dev/null && break
			fail "guest vanished before LAB-DONE"
		fi
		t=$((t - 5))
		[ $t -le 0 ] && { timeout 120 xl destroy l1; fail "no LAB-DONE from the guest after ${guest_timeout}s"; }
		sleep 5
		[ ! -e "$share/dump-request" ] || dump_state
		# For run.sh to follow the guest while it boots.
		console_copy
		# While an L2 guest of the L1 guest runs (l2.sh), how its frames fare
		# on this side: snapshots of xenbr0 for net-state.log.
		if [ $l2_snaps -lt 12 ] &&
		   grep -q 'LAB-PROGRESS: l2: l2 created' "$work/l1-console.log" 2>/dev/null; then
			l2_snaps=$((l2_snaps + 1))
			{
				echo "-- $(($(cut -d. -f1 /proc/uptime) - t0))s"
				brctl showmacs xenbr0
				for p in $(ls /sys/class/net/xenbr0/brif); do
					echo "$p rx_packets=$(cat /sys/class/net/$p/statistics/rx_packets)" \
						"tx_packets=$(cat /sys/class/net/$p/statistics/tx_packets)" \
						"tx_dropped=$(cat /sys/class/net/$p/statistics/tx_dropped)"
				done
				ip neigh show dev xenbr0
				ip link show xenbr0 | sed -n 's/.*link\/ether \([^ ]*\).*/xenbr0 mac \1/p'
				grep -E '^(Ip|Icmp):' /proc/net/snmp
			} >>"$o/net-state.log" 2>&1
		fi
	done
	say "guest done: $(grep '^LAB-RESULT' "$work/l1-console.log" | tr -d '\r')"

	# The guest powers itself off; make sure, so its vbd is released.
	wait_for 60 "the guest to go" sh -c '! xl domid l1' ||
		{ timeout 120 xl destroy l1; sleep 2; }
	mv "$work/l1-console.log" "$work/l1-guest.log"
	cat "$work/l1-guest.log" >>"$work/l1-consoles.log"
}

# The benchmark's run (bench_cycles in params) takes turns: the guest as a
# Xen guest and booted nopv, each cycle, in an order swapped every cycle
# (AB BA AB BA, by the cycle's index, so that a boot that runs the cycles
# another left keeps each one's order): with one order for all cycles the
# nopv guest always came later in the boot, and the later cycles' ratios
# drifted with it. Each finished guest's lines join result.txt at once,
# after a bench_guest line that names its cycle; a bench_cycle line
# follows the cycle's second guest: only such cycles are pooled
# (results.py), and run.sh judges every finished guest even if the
# machine dies later.
if [ -n "${bench_cycles:-}" ]; then
	for c in $bench_cycles; do
		order="l1.cfg l1-nopv.cfg"
		[ $((c % 2)) = 0 ] || order="l1-nopv.cfg l1.cfg"
		for cfg in $order; do
			run_guest "$cfg"
			{
				echo "DOM0: bench_guest=$cfg cycle=$c"
				lab_lines <"$work/l1-guest.log"
			} | result_add
		done
		echo "DOM0: bench_cycle=$c order=${order/ /,}" | result_add
		say "cycle $c done"
	done
else
	run_guest l1.cfg
fi

{
	[ -n "${bench_cycles:-}" ] || lab_lines <"$work/l1-consoles.log"
	echo "DOM0: disk_sector1=$(dd if="$work/disk.img" bs=512 skip=1 count=1 2>/dev/null |
		head -n 1 | tr -cd 'A-Za-z0-9 _.:-')"
	# What an L2 guest wrote to its disk, an LV l2.sh says starts at
	# offset_sectors of the vbd.
	l2_off=$(tr -d '\r' <"$work/l1-consoles.log" |
		sed -n 's/^LAB-EXTRA: l2_disk=.* offset_sectors=\([0-9][0-9]*\) .*/\1/p' | tail -n 1)
	[ -z "$l2_off" ] ||
		echo "DOM0: l2_disk_sector1=$(dd if="$work/disk.img" bs=512 skip=$((l2_off + 1)) count=1 \
			2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9 _.:-')"
} | result_add
finish OK
