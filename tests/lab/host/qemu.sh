# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154  # sourced: globals shared with run.sh
#
# Sourced by run.sh: L0's machine in QEMU and its supervision. qemu_run
# boots Xen (L0) with Dom0's kernel and initramfs, Dom0's root image and
# the run's share, follows Dom0's and the guest's progress lines, stops a
# guest that went silent (the watchdog) or the whole run at its timeout,
# and kills QEMU whatever happens. Reads $run, $share, $out, $timeout_s;
# sets $timed_out, $qrc (QEMU's exit status), $total (seconds) and
# $seen_at (when Dom0 said "toolstack up", "guest created", "guest done").

# L0 gets one CPU, so QEMU runs one vCPU thread: with two, QEMU's nested
# SVM ended a third to a half of the guests inside its emulation of VMRUN
# (docs/testing.md). One CPU also makes the guest and Dom0 take turns: a
# driver's every cycle shows in its times.
smp=${BLANKET_LAB_SMP:-1}
# The watchdog's limits: a guest that prints nothing while QEMU idles, or
# nothing for far longer than any phase of a run takes, is dumped and
# stopped within minutes rather than at the timeout. fault.py then tells
# whether any of blanket's code had run (only then may it be ours).
silent_idle_s=${BLANKET_LAB_SILENT_IDLE:-180}
silent_busy_s=${BLANKET_LAB_SILENT_BUSY:-900}

qpid=
qemu_kill() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		sleep 2
		kill -9 "$qpid" 2>/dev/null || true
	fi
}

elapsed() { echo $(($(date +%s) - start)); }
declare -A seen_at=()
mark() { [ -n "${seen_at[$1]:-}" ] || seen_at[$1]=$(elapsed); }
# whole_lines FILE: only whole lines: the files grow while they are read
# (read skips a last line that has no newline yet).
whole_lines() {
	local l

	[ -f "$1" ] || return 0
	while IFS= read -r l; do printf '%s\n' "$l"; done <"$1"
}
# show_new SHOWN PREFIX: the lines of stdin past the first SHOWN, with
# PREFIX; sets $shown.
show_new() {
	local n=0 l

	while IFS= read -r l; do
		[ -n "$l" ] || continue
		n=$((n + 1))
		[ $n -gt "$1" ] && echo "lab: +$(elapsed)s $2$l" >&2
	done
	shown=$n
}
# follow: Dom0's "LAB-DOM0:" lines on Xen's serial console and the guest's
# "LAB" lines in the console copy Dom0 keeps in the share, once each.
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

# monitor: QEMU's monitor runs the commands of stdin; prints its answers.
monitor() { timeout 20 socat -t 5 - "UNIX-CONNECT:$run/monitor.sock" 2>&1; }
# lapics: each L0 CPU's local APIC, from QEMU's monitor.
lapics() {
	local i

	for ((i = 0; i < smp; i++)); do printf 'cpu %d\ninfo lapic\n' "$i"; done | monitor
}
# l0_owed: from lapics' answer on stdin, each L0 CPU whose local APIC timer
# has expired with its vector still requested (IRR) and nothing in service,
# as "cpu:vector:initial_count" words. L0's Xen takes such an interrupt
# within microseconds whenever it runs, and no guest can hold it off: SVM's
# interrupt intercept ends a guest's run whatever the guest's own IF. So the
# same words for a minute (a timer re-armed would change its initial count)
# mean the CPU no longer sees the interrupt: seen with an L1 guest's vCPU
# spinning on a lock, interrupts off, while the lock's holder waited for L0
# to schedule it, and with L0's CPU halted, interrupts on.
l0_owed() {
	tr -d '\r' | awk '
		/^dumping local APIC state for CPU/ { cpu = $NF }
		/^LVTT/ { vec = $NF; sub(/\)$/, "", vec) }
		/^Timer/ { cur = $NF; init = $0; sub(/.*initial_count = /, "", init); sub(/ .*/, "", init) }
		/^ISR/ { isr = $2 }
		/^IRR/ {
			for (f = 2; f <= NF; f++)
				if ($f == vec && cur == 0 && isr == "(none)")
					printf "%s:%s:%s ", cpu, vec, init
		}'
}

output_size() { cat "$run/serial.log" "$share/out/l1-console.log" 2>/dev/null | wc -c || true; }
qemu_ticks() { awk '{ print $14 + $15 }' "/proc/$qpid/stat" 2>/dev/null || echo 0; }
# watchdog_dump WHY: L0's CPUs from QEMU's monitor, the guest's vCPUs from
# Dom0 (dom0/init.sh answers share/dump-request), then QEMU is stopped.
watchdog_dump() {
	echo "$1" >"$run/watchdog"
	log "watchdog: $1: dumping the machine's state"
	echo "info registers -a" | monitor >"$run/watchdog-l0-cpus.txt" || true
	# Each CPU's local APIC (its timer, pending and in-service vectors) and
	# the PIC and IO-APIC: where a wake-up that never came stopped
	# (emulator-halted).
	{ lapics; echo "info pic" | monitor; } >"$run/watchdog-l0-apic.txt" || true
	touch "$share/dump-request"
	for _ in $(seq 30); do
		[ -e "$share/out/dump/done" ] && break
		sleep 3
	done
	[ -e "$share/out/dump/done" ] || echo "dom0 did not answer the dump request" >>"$run/watchdog"
}

# l0_rescue: a quiet run's probe for an L0 that an interrupt no longer
# reaches (l0_owed). A halted CPU with interrupts on waiting so shows that
# QEMU loses the CPU's request for a vector its APIC holds, which no guest
# can cause. Once the same interrupt has waited a minute, L0 gets two more:
# a key press, whose keyboard interrupt makes QEMU look at the APIC again,
# and an NMI, which reaches the CPU by a path of its own (and which L0's Xen
# ignores: nmi=ignore). If the same interrupt still waits a minute later,
# the watchdog stops the run (fault.py: emulator-stuck) and l0_rescue
# fails. Sets $l0_rescues.
owed_was='' owed_since=0 rescued='' l0_rescues=()
l0_rescue() {
	local owed now

	owed=$(lapics | l0_owed)
	now=$(elapsed)
	if [ -z "$owed" ] || [ "$owed" != "$owed_was" ]; then
		owed_was=$owed owed_since=$now
		return 0
	fi
	[ $((now - owed_since)) -ge 60 ] || return 0
	if [ "$owed" = "$rescued" ]; then
		watchdog_dump "L0 stuck: its timer interrupt (cpu:vector:count $owed) waited $((now - owed_since))s after a key press and an NMI"
		return 1
	fi
	l0_rescues+=("at ${now}s: timer interrupt (cpu:vector:count $owed) waited $((now - owed_since))s")
	log "watchdog: L0 has not taken its timer interrupt for $((now - owed_since))s ($owed): a key press and an NMI"
	printf 'sendkey shift\nnmi\n' | monitor >/dev/null || true
	rescued=$owed owed_since=$now
}

# qemu_run: the whole run of L0's machine, until it powers off (Dom0 does
# that when it is done), the watchdog stops it, or the timeout.
qemu_run() {
	local xen_args dom0_args modules qemu hz size now busy silent
	local last_size=0 last_change=0 ticks=() probe_at=0

	xen_args="console=com1 com1=115200,8n1 dom0_mem=1536M,max:1536M dom0_max_vcpus=$smp nmi=ignore"
	dom0_args="console=hvc0 quiet"
	# QEMU's multiboot -initrd: "file args,file"; commas inside args are doubled.
	modules="$out/dom0/vmlinuz ${dom0_args//,/,,},$out/dom0/initrd.img"
	# 6 GiB: L0's migration of the L1 machine to its own host holds two
	# copies of it, 1.5 GiB each in forwarded mode, beside Dom0's 1.5 GiB.
	# shellcheck disable=SC2054  # commas inside QEMU's option values
	qemu=(qemu-system-x86_64 -accel tcg,thread=multi -smp "$smp"
	      -cpu qemu64,+svm,+npt -m 6144 -machine pc
	      -display none -monitor "unix:$run/monitor.sock,server=on,wait=off"
	      -serial "file:$run/serial.log"
	      -nic none -no-reboot
	      -kernel "$out/xen.elf" -append "$xen_args" -initrd "$modules"
	      -drive "file=${out//,/,,}/dom0/rootfs.ext4,format=raw,if=virtio,snapshot=on"
	      -virtfs "local,path=${share//,/,,},mount_tag=lab,security_model=none,id=lab")

	trap qemu_kill EXIT INT TERM
	log "run $name: QEMU (timeout ${timeout_s}s)"
	start=$(date +%s)
	printf '%q ' "${qemu[@]}" >"$run/qemu.cmd"
	"${qemu[@]}" >"$run/qemu.out" 2>&1 &
	qpid=$!

	hz=$(getconf CLK_TCK)
	timed_out=
	while kill -0 "$qpid" 2>/dev/null; do
		follow
		now=$(elapsed)
		if [ "$now" -ge "$timeout_s" ]; then
			timed_out=1
			break
		fi
		# Growth only: Dom0 rewrites its copy of the guest's console,
		# which can be read half written.
		size=$(output_size)
		[ "$size" -le "$last_size" ] || { last_size=$size last_change=$now; }
		ticks+=("$(qemu_ticks)")
		# QEMU's share of a CPU over the last 60 s (20 rounds of 3 s).
		[ ${#ticks[@]} -le 20 ] || ticks=("${ticks[@]:1}")
		busy=$(( (ticks[-1] - ticks[0]) * 100 / hz / (3 * (${#ticks[@]} - 1) + 1) ))
		silent=$((now - last_change))
		if [ "$silent" -lt 60 ]; then
			owed_was=
		elif [ "$now" -ge "$probe_at" ]; then
			probe_at=$((now + 15))
			l0_rescue || break
		fi
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
		qemu_kill
		wait "$qpid" 2>/dev/null || true
	else
		wait "$qpid" || qrc=$?
	fi
	total=$(elapsed)
	qpid=
}
