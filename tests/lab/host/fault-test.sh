#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fault-test.sh: fault.py's classes, on made-up runs, and qemu.sh's probe
# for an interrupt L0 never takes (l0_owed), on QEMU's words. An L0 "Xen" of a
# few instructions (a VMRUN, a HLT and what follows each) stands in for the
# real one.
# Prints "PASS: <case>" or "FAIL: <case> (...)" for each case; exits
# non-zero if any failed.
set -uo pipefail

lab=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

printf '.text\n.globl _start\n_start:\n\tnop\n\tvmrun\n\tnop\n\tsti\n\thlt\n\tnop\n' |
	gcc -c -x assembler - -o "$tmp/l0-xen.o" || exit 1
vmrun_next=ffff82d040000004	# XEN_VIRT_START + the nop after the vmrun
hlt_next=ffff82d040000007	# and the nop after the hlt

# case NAME MODE WANT_FAULT WANT_RETRY: the run laid out in $tmp/run by the
# lines before it.
case_is() {
	local got

	got=$(python3 "$lab/fault.py" "$tmp/run" "$2" "$tmp/l0-xen.o" /nonexistent)
	if grep -qx "fault=$3" <<<"$got" && grep -qx "retry=$4" <<<"$got"; then
		echo "PASS: fault.py: $1"
	else
		echo "FAIL: fault.py: $1 (want fault=$3 retry=$4, got: $(tr '\n' ' ' <<<"$got"))"
		bad=1
	fi
	rm -rf "$tmp/run"
}
# lay_out STATUS CONSOLE SERIAL [WATCHDOG [L0_CPUS]]
lay_out() {
	mkdir -p "$tmp/run/share/out"
	echo "$1" >"$tmp/run/share/out/status"
	printf '%b' "$2" >"$tmp/run/share/out/l1-console.log"
	printf '%b' "$3" >"$tmp/run/serial.log"
	[ -z "${4:-}" ] || printf '%b\n' "$4" >"$tmp/run/watchdog"
	[ -z "${5:-}" ] || printf '%b' "$5" >"$tmp/run/watchdog-l0-cpus.txt"
}
cpu() {	# RIP RFL HLT: one CPU of QEMU's "info registers -a"
	echo "CPU#0\nRAX=0000000000000000 RBX=0000000000000000\nRIP=$1 RFL=$2 [-----P-] CPL=0 II=0 A20=1 SMM=0 HLT=$3\n"
}
mute="silent for 182s, QEMU at 0% of a CPU over the last minute\ndom0 did not answer the dump request"
triple() {	# RIP: Xen's dump of a triple-faulted guest
	echo "(XEN) d1v0 Triple fault - invoking HVM shutdown action 1\n(XEN) *** Dumping Dom1 vcpu#0 state: ***\n(XEN) ----[ Xen-4.17.7  x86_64  debug=n  Not tainted ]----\n(XEN) CPU:    0\n(XEN) RIP:    0010:[<$1>]\n"
}
loaded='LAB: mode=nopv\nLAB: extra_insmod=blanket_xenbus.ko\nLAB: module=blanket_xenbus 0xffffffffc0001000 40960\n'

lay_out "FAIL guest vanished before LAB-DONE" "(XEN) Panic on CPU 0:\n(XEN) IO-APIC + timer doesn't work!  Boot with apic_verbosity=debug and send a report\n" ""
case_is "the L1 Xen's boot-time timer check is the emulator's" forwarded emulator-timer yes

lay_out "FAIL guest vanished before LAB-DONE" "${loaded}(XEN) Panic on CPU 0:\n(XEN) IO-APIC + timer doesn't work!\n" ""
case_is "that panic once the Dom0 ran is not retried" forwarded kernel no

lay_out OK "LAB-RESULT: PASS\nLAB-DONE\n" ""
case_is "a run that reached its end has no fault" nopv none no

# stood LINES FAILED [RESCUE]: a run that reached its end, the guest's
# final kernel log check failed for LINES, and the checks FAILED; its
# console's lines end in CR LF, as the serial console's do.
stood() {
	lay_out OK "$(printf '%b' "LAB-EXTRA: blanket: kernel complained:\n$1${2}LAB-RESULT: FAIL extra_script\nLAB-DONE\n" |
		sed 's/$/\r/')\n" ""
	[ -z "${3:-}" ] || echo "$3" >"$tmp/run/l0-rescues"
}
lockup='LAB-EXTRA: [  143.9] watchdog: BUG: soft lockup - CPU#0 stuck for 115s! [swapper/0:0]\nLAB-EXTRA: [  144.0] Call Trace:\n'
rescue='at 250s: timer interrupt (cpu:vector:count 0:250:3803447 ) waited 60s'
stood "$lockup" "LAB-EXTRA: check=kernel_log failed\n" "$rescue"
case_is "an idle soft lockup while L0 lost its timer is the emulator's" forwarded emulator-stood-still yes
stood "$lockup" "LAB-EXTRA: check=kernel_log failed\n"
case_is "not without a lost L0 timer" forwarded none no
stood "${lockup//swapper\/0:0/kworker\/0:1:23}" "LAB-EXTRA: check=kernel_log failed\n" "$rescue"
case_is "not for a task's soft lockup" forwarded none no
stood "${lockup}LAB-EXTRA: [  300.1] WARNING: CPU: 0 PID: 7 at x.c:1\n" "LAB-EXTRA: check=kernel_log failed\n" "$rescue"
case_is "not with another complaint" forwarded none no
stood "$lockup" "LAB-EXTRA: check=l0_save failed\nLAB-EXTRA: check=kernel_log failed\n" "$rescue"
case_is "not with another failed check" forwarded none no

# irq_frame EFLAGS: an oops trace in which an external interrupt was taken
# at an interrupt stub whose context had these flags.
irq_frame() {
	echo "[ 62.6] BUG: ENTRY_TRAMPOLINE stack guard page was hit\n[ 62.6]  common_interrupt+0xf/0xa0\n[ 62.6]  asm_common_interrupt+0x22/0x40\n[ 62.6] RIP: 0010:irq_entries_start+0x30/0x660\n[ 62.6] Code: 00 cc 6a 21\n[ 62.6] RSP: 0000:fffffe0000002fd8 EFLAGS: $1\n"
}
lay_out "FAIL guest vanished before LAB-DONE" "${loaded}$(irq_frame 00000046)" ""
case_is "an interrupt taken with interrupts disabled is the emulator's" nopv emulator-irq yes

lay_out "FAIL guest vanished before LAB-DONE" "${loaded}$(irq_frame 00000246)" ""
case_is "an oops under an interrupt taken with them enabled is ours" nopv kernel no

lay_out "FAIL guest vanished before LAB-DONE" "$loaded" "$(triple $vmrun_next)"
case_is "a triple fault after L0's VMRUN is the emulator's" nopv emulator-vmrun yes

lay_out "FAIL guest vanished before LAB-DONE" "$loaded" "$(triple ffffffffc0001234)"
case_is "a triple fault in a blanket module is not retried" nopv triple-fault no

lay_out "FAIL guest vanished before LAB-DONE" "$loaded" "$(triple ffff82d040000005)"
case_is "a triple fault elsewhere in L0's Xen is not retried" nopv triple-fault no

lay_out "FAIL guest vanished before LAB-DONE" "$loaded" "$(triple ffff82d040000005)"
case_is "a triple fault in the L1 Xen is not retried" forwarded triple-fault no

lay_out "FAIL guest vanished before LAB-DONE" "$loaded" "$(triple $vmrun_next)"
case_is "the L1 Xen stopped at L0's VMRUN is the emulator's" forwarded emulator-vmrun yes

lay_out "no status from Dom0" "LAB: mode=nopv\n" "" "silent for 200s, QEMU at 1%"
case_is "silent before any blanket code ran is the emulator's" nopv emulator-silent yes

lay_out "no status from Dom0" "$loaded" "" "silent for 200s, QEMU at 1%"
case_is "silent once a blanket module was loaded is not retried" nopv silent no

lay_out "no status from Dom0" "$loaded" "" "$mute" "$(cpu $hlt_next 00000206 1)"
case_is "the whole machine halted, Dom0 silent too, is the emulator's" nopv emulator-halted yes

lay_out "no status from Dom0" "$loaded" "" "silent for 182s, QEMU at 0%" "$(cpu $hlt_next 00000206 1)"
case_is "halted L0 CPUs while Dom0 still answers is not retried" nopv silent no

lay_out "no status from Dom0" "$loaded" "" "$mute" "$(cpu $hlt_next 00000006 1)"
case_is "an L0 CPU halted with interrupts off is not retried" nopv silent no

lay_out "no status from Dom0" "$loaded" "" "$mute" "$(cpu ffff82d040000005 00000206 1)"
case_is "an L0 CPU halted elsewhere than after a HLT is not retried" nopv silent no

lay_out "no status from Dom0" "(XEN) blanket: L0 platform device 0000:00:02.0\n" "" "silent for 200s"
case_is "silent once the L1 Xen patch ran is not retried" forwarded silent no

lay_out "no status from Dom0" "${loaded}BUG: kernel NULL pointer dereference\n" "$(triple $vmrun_next)"
case_is "an oops before a VMRUN fault is not retried" nopv kernel no

lay_out "FAIL no LAB-DONE from the guest after 1500s" "LAB-RESULT: PASS\nLAB-DONE\nLAB: mode=nopv\n" ""
case_is "a benchmark guest that died after others passed" bench died no

lay_out "no status from Dom0" "LAB-DONE\nLAB: mode=nopv\nLAB-EXTRA: bench_insmod=blanket_xenbus\n" "" \
	"silent for 900s, QEMU at 68%"
case_is "a benchmark's nopv guest silent once it loads blanket is not retried" bench silent no

lay_out "no status from Dom0" "$loaded" "" \
	"L0 stuck: its timer interrupt (cpu:vector:count 0:250:183016 ) waited 61s after a key press and an NMI\ndom0 did not answer the dump request"
case_is "L0's timer interrupt untaken, an NMI too, is the emulator's" nopv emulator-stuck yes

# lapic ISR IRR CURRENT_COUNT: one L0 CPU's local APIC as QEMU's monitor
# shows it (its lines end in CR), the timer's vector 250.
lapic() {
	printf '%s\r\n' "dumping local APIC state for CPU 0 " "" \
		"LVTT	 0x000000fa active-hi edge                 one-shot     Fixed  (vec 250)" \
		"Timer	 DCR=0xb (divide by 1) initial_count = 183016 current_count = $3" \
		"ISR	 $1" "IRR	 $2 " "" "APR 0x00 TPR 0x10 DFR 0x0f LDR 0x01 PPR 0x10"
}
# owed_is NAME WANT: l0_owed's words for the APIC lines before it.
owed_is() {
	local got

	got=$(l0_owed)
	if [ "$got" = "$2" ]; then
		echo "PASS: qemu.sh: $1"
	else
		echo "FAIL: qemu.sh: $1 (want '$2', got '$got')"
		bad=1
	fi
}
# shellcheck source=tests/lab/host/qemu.sh
. "$lab/qemu.sh"
lapic "(none)" 250 0 | owed_is "an expired timer's vector requested, none in service, is owed" "0:250:183016 "
lapic "(none)" "48 250" 0 | owed_is "so it is among other requested vectors" "0:250:183016 "
lapic 250 250 0 | owed_is "not while a vector is in service" ""
lapic "(none)" 250 4096 | owed_is "not while the timer still counts" ""
lapic "(none)" 48 0 | owed_is "not for another vector" ""

exit $bad
