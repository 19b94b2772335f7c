# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced from /lib/lab.sh (busybox sh) by the L1 guest's scripts (guest/)
# and the L2 guest's init (l2/init.sh): the kernel arguments, bounded waits,
# Dom0's control CGI (dom0/ctl.sh), fio fetched from Dom0, and the fio jobs
# both runs share (write + verify, benchmarks, discard), each reported as
# one short key=value line through lab_say (the caller may redefine it).
# Dom0 is $peer, which lab_args sets. Functions keep their variables local
# (busybox ash has "local"); results they hand back are named ctl_* and
# fio_*. The console is slow: print little.

lab_say() { echo "$*"; }

# lab_args PREFIX: the PREFIX.* words of the kernel command line as mode,
# ip (this guest's address/len), peer (its Dom0's bridge address), bench
# (the benchmark's rounds each way, empty outside it) and stall (seconds of
# silence before the first line, for the watchdog's test). The L1 guest's
# words are lab.* (run.sh's guest_args), the L2 guest's l2.* (guest/l2.sh's
# l2.cfg); each guest has its own default address.
# shellcheck disable=SC2034  # for the caller
lab_args() {
	local a p=$1

	mode=baseline peer=10.99.0.1 bench='' stall='' hold=''
	case $p in
	l2) ip=10.99.0.5/24 ;;
	*) ip=10.99.0.2/24 ;;
	esac
	for a in $(cat /proc/cmdline); do
		case $a in
		"$p".mode=*) mode=${a#*=} ;;
		"$p".ip=*) ip=${a#*=} ;;
		"$p".peer=*) peer=${a#*=} ;;
		"$p".bench=*) bench=${a#*=} ;;
		"$p".stall=*) stall=${a#*=} ;;
		"$p".hold=*) hold=${a#*=} ;;
		esac
	done
}

# lab_insmod MODULE [PARAM=VALUE...]: /extra/MODULE.ko, with the
# parameters this run gives it (/extra/modparams, "MODULE PARAM=VALUE..."
# lines that blanket-direct.sh writes) and PARAMs.
lab_insmod() {
	local m=$1

	shift
	# shellcheck disable=SC2046 # one word a parameter
	insmod "/extra/$m.ko" $(sed -n "s/^$m //p" /extra/modparams 2>/dev/null) "$@"
}

# lab_received [PING OPTION...] HOST: how many of 3 echoes come back.
lab_received() {
	ping -c 3 "$@" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p'
}

# lab_wait SECONDS WHAT COMMAND...: 0 once COMMAND succeeds; otherwise
# says which wait ran out and returns 1.
lab_wait() {
	local t=$1 what=$2

	shift 2
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		if [ $t -le 0 ]; then
			lab_say "timed_out=$what"
			return 1
		fi
		sleep 1
	done
}

# lab_net_up ADDR: blanket's blnet0, once it exists (after a load, a
# reload or a replug): up, addressed ADDR, with carrier.
lab_net_up() {
	lab_wait 60 "blnet0" test -e /sys/class/net/blnet0 || return 1
	ip link set blnet0 up
	ip addr add "$1" dev blnet0 2>/dev/null
	lab_wait 30 "blnet0_carrier" grep -qx 1 /sys/class/net/blnet0/carrier
}

# lab_get URL-PATH: Dom0's httpd, to stdout; no answer within 30 s fails
# (busybox wget's own -T crashes in this build).
lab_get() { timeout 30 wget -q -O - "http://$peer:8080/$1" 2>/dev/null; }

# --- Dom0's control CGI ---------------------------------------------------------
# lab_ctl OP[=ARG]: Dom0's one-line answer, empty if none.
lab_ctl() { lab_get "cgi-bin/ctl?$1" | head -n 1; }

# lab_l0_irqs PREFIX: "PREFIX_irqs=ALL PREFIX_irqs_tx=TX PREFIX_irqs_rx=RX",
# the vif's notifications that reached L0's netback so far, counted by Dom0
# as netback's interrupts (TX and RX: of split channels): the same count for
# either front end. Empty values if Dom0 did not answer. lab_since gives
# what came between two of them.
lab_l0_irqs() {
	local p=$1

	# shellcheck disable=SC2046 # three counts or none
	set -- $(lab_ctl vif-irqs |
		sed -n 's/^vif_irqs=\([0-9]*\) tx=\([0-9]*\) rx=\([0-9]*\)$/\1 \2 \3/p')
	echo "${p}_irqs=${1:-} ${p}_irqs_tx=${2:-} ${p}_irqs_rx=${3:-}"
}

# lab_blanket_stat PATTERN: the sum of the L0 connection's debugfs
# counters whose names match PATTERN (a * matches anything).
lab_blanket_stat() {
	grep -q ' /sys/kernel/debug ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	cat /sys/kernel/debug/blanket/*/stats 2>/dev/null |
		awk -v k="$1" 'BEGIN { gsub(/\*/, ".*", k) } $1 ~ "^" k "$" { n += $2 } END { print n + 0 }'
}

# lab_stall_watch STAMP: in the background until STAMP is gone. Once STAMP
# (a file the caller writes at each step, naming it) is 120 s old while
# the CPUs sat idle for the last 15 s, say once what tells a device that
# stopped hearing L0 from a stuck guest: each process's state and wait
# channel, blanket's counters and ports (masked, pending, held) and the
# kernel's last lines. A guest whose clock stopped says nothing, which
# tells as much. Lines start "stall:", and the console is slow: a dozen or
# two. The watch is no child of the caller, whose "wait" must not wait
# for it.
lab_stall_watch() {
	local stamp=$1

	( (
		said='' idle0='' busy0=''
		while sleep 15 && [ -e "$stamp" ]; do
			# The CPUs' idle and busy ticks since the last round.
			set -- $(awk '$1 == "cpu" { print $5 + $6, $2 + $3 + $4 + $7 + $8; exit }' /proc/stat)
			idle=$(($1 - ${idle0:-$1})) busy=$(($2 - ${busy0:-$2}))
			idle0=$1 busy0=$2
			age=$(($(date +%s) - $(date -r "$stamp" +%s 2>/dev/null || date +%s)))
			if [ "$age" -lt 120 ]; then
				said=''
				continue
			fi
			[ -z "$said" ] && [ $((idle + busy)) -gt 0 ] &&
				[ $((idle * 10)) -ge $(((idle + busy) * 9)) ] || continue
			said=1
			echo "stall: ${age}s since $(cat "$stamp"), CPUs idle"
			for p in /proc/[0-9]*; do
				# Kernel threads have no command line.
				[ -n "$(head -c 1 "$p/cmdline")" ] || continue
				echo "stall: pid ${p#/proc/} $(cat "$p/comm") $(cut -d' ' -f3 "$p/stat") wchan $(cat "$p/wchan")"
			done 2>/dev/null
			echo "stall: $(grep -E '^(upcalls|events|events_spurious|events_throttled|hypercalls_evtchn_send|xs_timeouts|xs_broken) ' \
				/sys/kernel/debug/blanket/*/stats 2>/dev/null | tr '\n' ' ')"
			sed 's/^/stall: port /' /sys/kernel/debug/blanket/*/ports 2>/dev/null
			for d in /sys/kernel/debug/blanket/devices/*; do
				[ -e "$d" ] || continue
				echo "stall: ${d##*/} $(tr '\n' ' ' <"$d")"
			done 2>/dev/null
			dmesg | tail -n 5 | sed 's/^/stall: /'
		done
	) & )
}

# lab_blanket_tcp TAG [ROUNDS]: the lab's TCP transfer through blnet0
# (lab-transfer's TAG), then the L0 events, hypercalls and notifications
# it cost (TAG_events=...).
lab_blanket_tcp() {
	local t=$1 ev0 hc0 sd0 ir0 r=0

	shift
	ev0=$(lab_blanket_stat events) hc0=$(lab_blanket_stat 'hypercalls_*')
	sd0=$(lab_blanket_stat hypercalls_evtchn_send) ir0=$(lab_l0_irqs "${t}_l0")
	lab-transfer "$peer" "$t" blnet0 "$@" || r=1
	echo "${t}_events=$(($(lab_blanket_stat events) - ev0))" \
		"${t}_hypercalls=$(($(lab_blanket_stat 'hypercalls_*') - hc0))" \
		"${t}_sends=$(($(lab_blanket_stat hypercalls_evtchn_send) - sd0))" \
		"$(lab_since "$ir0" "$(lab_l0_irqs "${t}_l0")")"
	return $r
}

# lab_blanket_counts: what lab_blk_bench counts of blanket_blk: the L0
# connection's events, notifications, hypercalls and grant table
# operations, which an idle blnet0 shares.
lab_blanket_counts() {
	echo "events=$(lab_blanket_stat events)" \
		"sends=$(lab_blanket_stat hypercalls_evtchn_send)" \
		"hypercalls=$(lab_blanket_stat 'hypercalls_*')" \
		"grant_ops=$(lab_blanket_stat hypercalls_grant_table_op)"
}

# lab_irq_events REGEX: interrupts so far on the IRQs whose name (the last
# field of /proc/interrupts) matches REGEX.
lab_irq_events() {
	awk -v re="$1" '$NF ~ re { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i }
		END { print n + 0 }' /proc/interrupts
}

# lab_irq_cpus REGEX: for each IRQ in /proc/interrupts whose name (the
# last field) matches REGEX, "irq_cpus=NAME irq=N per_cpu=C0,C1,...": the
# interrupts each CPU took of it so far (results.py keeps them per guest).
# The names of blanket's IRQs: L0's upcall, blnet0's queues, the vbds' rings
# (named by their device, vbd-51712-q0: the disk has no name yet).
lab_blanket_irqs='^(blanket|blnet[0-9]|vbd-[0-9])'
lab_irq_cpus() {
	awk -v re="$1" 'NR == 1 { n = NF } NR > 1 && $NF ~ re {
			c = $2
			for (i = 3; i <= n + 1; i++) c = c "," $i
			printf "irq_cpus=%s irq=%s per_cpu=%s\n", $NF, substr($1, 1, length($1) - 1), c
		}' /proc/interrupts | while read -r l; do lab_say "$l"; done
}

# lab_delta BEFORE AFTER: AFTER - BEFORE; empty unless both are counts.
lab_delta() {
	case $1 in '' | *[!0-9]*) return ;; esac
	case $2 in '' | *[!0-9]*) return ;; esac
	echo $(($2 - $1))
}

# lab_ctl_start OP[=ARG]: starts one of Dom0's slow actions (it begins about
# 2 s later, once the reply is out); sets ctl_n to its number.
lab_ctl_start() {
	local r

	ctl_op=${1%%=*}
	r=$(lab_ctl "$1")
	case $r in
	"started "*) ctl_n=${r#started } ctl_n=${ctl_n%% *} ;;
	*) lab_say "ctl_$ctl_op=not_started ${r:-no answer}"; return 1 ;;
	esac
}

# ctl_finished: action ctl_n is over; its status line in ctl_r.
ctl_finished() {
	ctl_r=$(lab_ctl "status=$ctl_n")
	case $ctl_r in
	"$ctl_n $ctl_op ok"* | "$ctl_n $ctl_op failed"*) return 0 ;;
	esac
	return 1
}

# lab_ctl_done SECONDS: waits for action ctl_n, says its outcome
# ("ctl_<op>=ok|failed <detail>"); 0 if it went as intended. The network may
# be away meanwhile (a replugged vif): no answer counts as not done yet.
lab_ctl_done() {
	local r

	if ! lab_wait "$1" "ctl_$ctl_op" ctl_finished; then
		lab_say "ctl_$ctl_op=timed_out last=${ctl_r:-none}"
		return 1
	fi
	r=${ctl_r#"$ctl_n $ctl_op "}
	lab_say "ctl_$ctl_op=$r"
	case $r in ok*) return 0 ;; esac
	return 1
}

# lab_alloc_kib: KiB of Dom0's disk.img that are allocated (empty if unknown).
lab_alloc_kib() { lab_ctl alloc | sed -n 's/^alloc_kib=\([0-9]*\)$/\1/p'; }

# lab_rw_bvd: blanket_blk's writable disk (the vbd of the run's token);
# fails if there is none.
lab_rw_bvd() {
	local b

	for b in /sys/block/bvd*; do
		[ "$(cat "$b/ro" 2>/dev/null)" = 0 ] && { echo "${b##*/}"; return 0; }
	done
	return 1
}

# --- fio ---------------------------------------------------------------------------
# lab_get_fio: /tmp/fio from Dom0, checked against the digest it serves.
lab_get_fio() {
	local want got

	lab_get fio >/tmp/fio
	want=$(lab_get fio.sha256)
	got=$(sha256sum /tmp/fio | cut -d' ' -f1)
	chmod +x /tmp/fio
	if [ -z "$want" ] || [ "$got" != "$want" ] || ! /tmp/fio --version >/dev/null 2>&1; then
		lab_say "fio=failed bytes=$(wc -c </tmp/fio) digest_match=no"
		return 1
	fi
	lab_say "fio=$(/tmp/fio --version) bytes=$(wc -c </tmp/fio)"
}

# lab_fio_start TAG FIO-ARGS...: one fio job in the background, terse
# output in /tmp/fio.TAG.{out,err}, exit status in /tmp/fio.TAG.rc.
lab_fio_start() {
	local tag=$1

	shift
	rm -f "/tmp/fio.$tag.rc"
	(/tmp/fio --output-format=terse "$@" >"/tmp/fio.$tag.out" 2>"/tmp/fio.$tag.err"
	 echo $? >"/tmp/fio.$tag.rc") &
}

# lab_fio_wait TAG SECONDS: waits for job TAG; sets fio_rc (or "timeout":
# a job stuck in the kernel cannot be reaped, so it is left alone), fio_err
# (fio's first error), fio_verr (verify complaints), KiB read, read IOPS
# and KiB/s, KiB written, write IOPS and KiB/s (fio_rkib, fio_riops,
# fio_rbw, fio_wkib, fio_wiops, fio_wbw).
lab_fio_wait() {
	fio_rc=timeout fio_err='' fio_verr='' fio_rkib='' fio_riops='' fio_rbw='' fio_wkib=''
	fio_wiops='' fio_wbw=''
	lab_wait "$2" "fio_$1" test -s "/tmp/fio.$1.rc" || return 1
	fio_rc=$(cat "/tmp/fio.$1.rc")
	# Terse v3: 5 error; 6-8 read KiB, KiB/s, IOPS; 47-49 the same written.
	set -- "$1" $(awk -F';' '$1 == 3 { print $5, $6, $7, $8, $47, $48, $49; exit }' \
		"/tmp/fio.$1.out")
	fio_err=${2:-none} fio_rkib=${3:-0} fio_rbw=${4:-0} fio_riops=${5:-0} fio_wkib=${6:-0}
	fio_wbw=${7:-0} fio_wiops=${8:-0}
	fio_verr=$(grep -ci 'verify' "/tmp/fio.$1.err")
	[ "$fio_rc" = 0 ] && [ "$fio_err" = 0 ]
}

# lab_fio TAG SECONDS FIO-ARGS...: one job in the foreground.
lab_fio() {
	local tag=$1 secs=$2

	shift 2
	lab_fio_start "$tag" "$@"
	lab_fio_wait "$tag" "$secs"
}

# fio's complaints, a few lines for the log.
lab_fio_errors() {
	head -n 4 "/tmp/fio.$1.err" 2>/dev/null | while read -r l; do lab_say "$1_fio: $l"; done
}

# Every job is direct I/O on the whole device, away from sectors 0-1 (the
# run's token and the baseline's write-back) and from the 1 MiB after them
# that the token checks write; the verify region is 2-18 MiB, the discard
# region 20-28 MiB of the 32 MiB disk. Forwarded mode's L2 guest gets an
# LV from 1 MiB on (l2.sh), after the checks that use these regions.
lab_fio_dev() { echo "--filename=$1 --direct=1 --ioengine=libaio --verify_state_save=0"; }

# lab_fio_verify TAG DEV: 16 MiB of random 4 KiB writes, every block read
# back and checked (crc32c, fio's header with offset and generation too).
lab_fio_verify() {
	local rc

	lab_fio "$1" 600 --name="$1" $(lab_fio_dev "$2") --iodepth=8 \
		--rw=randwrite --bs=4k --offset=2M --size=16M --verify=crc32c
	rc=$?
	[ "$fio_verr" = 0 ] || rc=1
	lab_say "$1=$([ $rc = 0 ] && echo ok || echo failed)" \
		"rc=$fio_rc err=$fio_err verify_errors=$fio_verr write_kib=$fio_wkib read_kib=$fio_rkib"
	[ $rc = 0 ] || { lab_fio_errors "$1"; return 1; }
}

# lab_since BEFORE AFTER: each NAME=COUNT of AFTER as NAME=what came since
# BEFORE's NAME=COUNT (empty unless both are counts).
lab_since() {
	local w

	for w in $2; do
		printf '%s=%s ' "${w%%=*}" "$(lab_delta "$(echo "$1" | tr ' ' '\n' |
			sed -n "s/^${w%%=*}=//p")" "${w#*=}")"
	done
}

# lab_vbd_irqs: blkback's interrupts in L0's Dom0 so far (dom0/ctl.sh
# vbd-irqs), the notifications that reached it; empty if Dom0 did not say.
lab_vbd_irqs() { lab_ctl vbd-irqs | sed -n 's/^vbd_irqs=\([0-9]*\)$/\1/p'; }

# lab_disk_kib DEV: KiB read and written on /dev/DEV so far (/proc/diskstats:
# fields 6 and 10 are sectors), what the jobs moved, their ramps included.
lab_disk_kib() {
	awk -v d="$1" '$3 == d { print int(($6 + $10) / 2) }' /proc/diskstats
}

# lab_blk_bench PREFIX DEV COUNTS-COMMAND: the block benchmark both drivers'
# guests of bench.sh run on their disk /dev/DEV: 4 KiB random reads and
# writes, 1 MiB sequential reads and writes, each at iodepth 1 and 32, each
# 2 s of ramp and 5 s measured, over the verify region (2-18 MiB, written
# once first, so that no job reads holes of Dom0's sparse file). A line
# each: PREFIX_JOB_qdN (JOB randread, randwrite, seqread or seqwrite) with
# iops and kib_s (of the job's direction), kib (all it moved, ramp
# included: /proc/diskstats), l0_irqs (blkback's interrupts) and what
# COUNTS-COMMAND counts ("NAME=COUNT..." of the front end's events, sends
# and more), all over the same span. Under TCG only the ratios to the
# other driver mean anything.
lab_blk_bench() {
	local p=$1 dev=$2 counts=$3 rc=0 job rw bs qd c0 i0 k0 iops kib_s

	lab_fio "${p}_fill" 300 --name=fill $(lab_fio_dev "/dev/$dev") --rw=write --bs=1M \
		--offset=2M --size=16M || { lab_say "${p}_fill=failed rc=$fio_rc err=$fio_err"; return 1; }
	for job in randread:4k randwrite:4k seqread:1M seqwrite:1M; do
		rw=${job%:*} bs=${job#*:}
		case $rw in seqread) rw=read ;; seqwrite) rw=write ;; esac
		for qd in 1 32; do
			# Dom0's count first and last: its question goes over the
			# network, whose front end shares the counts below.
			i0=$(lab_vbd_irqs) c0=$($counts) k0=$(lab_disk_kib "$dev")
			lab_fio "${p}_${job%:*}_qd$qd" 120 --name="$rw" $(lab_fio_dev "/dev/$dev") \
				--rw=$rw --bs=$bs --iodepth=$qd --offset=2M --size=16M \
				--time_based --ramp_time=2 --runtime=5 || rc=1
			k0=$(lab_delta "$k0" "$(lab_disk_kib "$dev")") c0=$(lab_since "$c0" "$($counts)")
			iops=$fio_riops kib_s=$fio_rbw
			case $rw in *write) iops=$fio_wiops kib_s=$fio_wbw ;; esac
			lab_say "${p}_${job%:*}_qd$qd iops=$iops kib_s=$kib_s kib=$k0" \
				"${c0}l0_irqs=$(lab_delta "$i0" "$(lab_vbd_irqs)") rc=$fio_rc"
		done
	done
	return $rc
}

# lab_discard TAG DEV: 8 MiB written, then discarded: Dom0's file must give
# at least 4 MiB of it back (blkback punches holes in the tmpfs file).
lab_discard() {
	local a0 a1 rc

	lab_fio "$1_fill" 300 --name=fill $(lab_fio_dev "$2") --rw=write --bs=1M \
		--offset=20M --size=8M || { lab_say "$1=failed fill rc=$fio_rc err=$fio_err"; return 1; }
	a0=$(lab_alloc_kib)
	blkdiscard -o $((20 << 20)) -l $((8 << 20)) "$2" 2>/tmp/discard.err
	rc=$?
	a1=$(lab_alloc_kib)
	if [ $rc = 0 ] && [ -n "$a0" ] && [ -n "$a1" ] && [ $((a0 - a1)) -ge 4096 ]; then
		lab_say "$1=ok alloc_kib=$a0 after=$a1"
		return 0
	fi
	lab_say "$1=failed rc=$rc alloc_kib=${a0:-?} after=${a1:-?} $(head -n 1 /tmp/discard.err)"
	return 1
}

# --- the kernel's log ----------------------------------------------------------------
# What in a kernel's log says it went wrong: a BUG, WARNING, oops, leak,
# hung task, or a trace.
lab_kernel_bad='BUG|WARNING|Oops|general protection|leaking|blocked for more than|Call Trace'
# lab_kernel_clean TAG [LINES]: nothing in dmesg since the previous call (or
# boot) says the kernel went wrong: a BUG, WARNING, oops, leak or hung task.
# Says "TAG_kernel=clean", or "complained" and the first lines, each with
# the two before it: a bare "Call Trace:" does not say what it traces; with
# LINES, the log from two lines before the first of them on, LINES at most:
# the whole trace, for host/verdict.sh to see whose code it went through.
# With BACK, a pattern: the kernel was paused without being told (a save
# L0 made without asking), and at the restore its clocks jumped by the
# pause, which RCU may report as a stall of its own. The stack dumps of
# such a report, begun before the line matching BACK, do not count (they
# join /tmp/dmesg.excused, for the run's last look at the log); the
# report's first line is said as "TAG_stall=LINE". Anything else does.
lab_kernel_clean() {
	dmesg >/tmp/dmesg.now
	tail -n +$((${lab_dmesg_seen:-0} + 1)) /tmp/dmesg.now >/tmp/dmesg.new
	lab_dmesg_seen=$(wc -l </tmp/dmesg.now)
	if [ -n "${3:-}" ]; then
		awk -v back="$3" -v stall=/tmp/dmesg.stall -v excused=/tmp/dmesg.excused '
			!over && /rcu: INFO: .*stall|rcu: .* kthread (timer wakeup didn.t happen|starved)/ {
				if (!stalled) print > stall
				stalled = 1
			}
			$0 ~ back { over = 1; stalled = 0 }
			stalled && /Call Trace:/ { print >> excused; next }
			{ print }' /tmp/dmesg.new >/tmp/dmesg.judged
		[ -s /tmp/dmesg.stall ] && lab_say "$1_stall=$(cat /tmp/dmesg.stall)"
		rm -f /tmp/dmesg.stall
		mv /tmp/dmesg.judged /tmp/dmesg.new
	fi
	if [ -n "${2:-}" ]; then
		awk -v re="$lab_kernel_bad" '{ l[NR] = $0 } !s && $0 ~ re { s = NR > 2 ? NR - 2 : 1 }
			END { if (s) for (i = s; i <= NR; i++) print l[i] }' /tmp/dmesg.new |
			head -n "$2" >/tmp/dmesg.bad
	else
		grep -B 2 -E "$lab_kernel_bad" /tmp/dmesg.new | grep -vx -- -- | head -n 9 >/tmp/dmesg.bad
	fi
	if [ -s /tmp/dmesg.bad ]; then
		lab_say "$1_kernel=complained"
		while read -r l; do lab_say "$1_kernel: $l"; done </tmp/dmesg.bad
		return 1
	fi
	lab_say "$1_kernel=clean"
}
