#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fault.py RUN_DIR MODE L0_XEN L1_XEN_SYMS: why a lab run died, and whether
it may be run once more.

A run whose guest reached its end has no fault: its own checks decide. A run
that died is put in exactly one class, printed as key=value lines:

  fault=emulator-vmrun   the guest triple-faulted at the instruction that
                         follows a VMRUN in L0's Xen: QEMU ended it inside
                         its emulation of VMRUN, before the guest ran an
                         instruction of its own                 retry=yes
  fault=emulator-halted  run.sh's watchdog found the guest silent, and the
                         whole machine had stopped: QEMU's monitor shows
                         every L0 CPU halted, interrupts on, just past a HLT
                         of L0's Xen (its idle loop), and Dom0 did not answer
                         the dump request: no domain ran, Dom0's own timers
                         included, which no guest can prevent: QEMU lost
                         L0's wake-up                            retry=yes
  fault=emulator-stuck   run.sh's watchdog found L0's timer interrupt
                         waiting in its local APIC for minutes, through a
                         key press and an NMI: L0's Xen takes it at once
                         whenever it runs, and SVM ends a guest's run on
                         it whatever the guest does; QEMU lost it
                                                                 retry=yes
  fault=emulator-silent  run.sh's watchdog found the guest silent (and QEMU
                         idle, or silent far beyond any phase of the run)
                         before any of blanket's code had run in it: the L1
                         Xen's patch had not started and no blanket module
                         was loaded                              retry=yes
  fault=emulator-timer   the L1 Xen panicked in its boot-time check that
                         the emulated timer ticks through the IO-APIC
                         ("IO-APIC + timer doesn't work"): stock Xen code
                         timing QEMU's emulation, before its Dom0 exists
                                                                 retry=yes
  fault=emulator-irq     the guest's console has an oops whose trace shows
                         a maskable interrupt (asm_common_interrupt,
                         asm_sysvec_*) taken by a context that had
                         interrupts disabled (EFLAGS.IF clear), which no
                         x86 CPU does: seen as a second delivery at the
                         first instruction of an interrupt stub, before
                         its SWAPGS, whose %gs accesses then fault until
                         the entry stack's guard page           retry=yes
  fault=emulator-stood-still
                         the guest reached its end, failing no check but
                         its kernel log's, for nothing but its idle task's
                         soft lockups ("[swapper/N:0]"), in a run where
                         L0's own timer interrupt went untaken for a
                         minute (run.sh's l0_rescue): the whole machine
                         stood still, every domain in it        retry=yes
  fault=kernel           the guest's console has an oops, BUG, WARNING,
                         hung task or panic                      retry=no
  fault=triple-fault     any other triple fault (named)          retry=no
  fault=silent           the watchdog fired after blanket's code had run:
                         it may be ours                          retry=no
  fault=died             anything else: timeout, Dom0 failure    retry=no

Only the emulator classes are retried: a run once (lib.sh's lab_attempts),
the benchmark by booting again for the cycles it did not finish, after at
most two such faults (bench.sh). Everything printed is kept in the run's
summary.
"""
import gzip
import re
import subprocess
import sys

run, mode, l0_xen, l1_syms = sys.argv[1:5]
out = f"{run}/share/out"


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def name_at(syms, addr):
    """'symbol+offset' of the code at addr in a sorted symbol list, or None."""
    best = max(((a, n) for a, n in syms if a <= addr), default=None)
    return f"{best[1]}+{addr - best[0]:#x}" if best else None


def text_syms(path):
    """The text symbols of an ELF file, by nm."""
    try:
        nm = subprocess.run(["nm", path], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [(int(w[0], 16), w[2]) for w in (line.split() for line in nm.splitlines())
            if len(w) >= 3 and w[1] in "tTwW"]


# Xen's multiboot ELF (what QEMU boots as L0) is linked at the physical
# addresses its text is loaded at; x86-64 Xen runs it at XEN_VIRT_START plus
# those.
XEN_VIRT_START = 0xffff82d040000000


def after(path, mnemonic):
    """Addresses of the instructions that follow each MNEMONIC in L0's Xen."""
    try:
        dis = subprocess.run(["objdump", "-d", "-m", "i386:x86-64",
                              "--no-show-raw-insn", path],
                             capture_output=True, text=True).stdout
    except OSError:
        return set()
    addrs, take = set(), False
    for line in dis.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+(\S+)", line)
        if not m:
            continue
        if take:
            addrs.add(XEN_VIRT_START + int(m.group(1), 16))
        take = m.group(2) == mnemonic
    return addrs


def l0_halted(dump):
    """Whether QEMU's register dump shows every L0 CPU halted with
    interrupts enabled, just past a HLT of L0's Xen."""
    halts = after(l0_xen, "hlt")
    cpus = re.split(r"^CPU#\d+", dump, flags=re.M)[1:]
    for cpu in cpus:
        rip = re.search(r"RIP=([0-9a-f]+)", cpu)
        rfl = re.search(r"RFL=([0-9a-f]+)", cpu)
        if not (rip and rfl and "HLT=1" in cpu and int(rfl.group(1), 16) & 0x200
                and int(rip.group(1), 16) in halts):
            return False
    return bool(cpus)


def guest_site(rip, console):
    """Names a guest address from where the guest said its kernel and
    modules sit and from Dom0's symbols, if Dom0 runs the guest's kernel."""
    text, mods, release = None, [], None
    for line in console.splitlines():
        m = re.match(r"LAB: mode=\S+ kernel=(\S+)", line)
        if m:
            release = m.group(1)
        m = re.match(r"LAB: text=([0-9a-f]+)", line)
        if m:
            text = int(m.group(1), 16)
        m = re.match(r"LAB: module=(\S+) 0x([0-9a-f]+) (\d+)", line)
        if m:
            mods.append((m.group(1), int(m.group(2), 16), int(m.group(3))))
    for name, base, size in mods:
        if base <= rip < base + size:
            return f"{name}+{rip - base:#x}"
    syms = []
    try:
        if read(f"{out}/kallsyms.release").strip() == release:
            for line in gzip.open(f"{out}/kallsyms.gz", "rt"):
                a, _, n = line.split()[:3]
                syms.append((int(a, 16), n))
    except OSError:
        pass
    d0 = next((a for a, n in syms if n == "_text"), None)
    if text is None or d0 is None:
        return "(no symbols)"
    return name_at(syms, d0 + rip - text) or "?"


def site(rip, console):
    """Where an address of the dying guest lies: L0's VMRUN, the L1 Xen
    (forwarded mode: ours, with symbols), or the guest's kernel. An L1 Xen
    never runs VMRUN (L0 shows it no SVM), so the exact address that
    follows L0's is L0's even when the guest is an L1 Xen."""
    if rip in after(l0_xen, "vmrun"):
        return "l0-vmrun"
    if rip >> 32 == 0xffff82d0 and mode == "forwarded":
        return "l1-xen:" + (name_at(text_syms(l1_syms), rip) or "?")
    return guest_site(rip, console)


def say(fault, retry, why, **extra):
    print(f"fault={fault}")
    print(f"retry={'yes' if retry else 'no'}")
    print(f"why={why}")
    for k, v in extra.items():
        print(f"{k}={v}")
    sys.exit(0)


def stood_still(console, rescues):
    """Whether the guest failed only its kernel_log check, and only for its
    idle task's soft lockups (each with its trace), while L0 lost a timer
    interrupt. The guest lists what it complained of after "kernel
    complained:" (guest/blanket-check.sh)."""
    console = console.replace("\r", "")
    if not rescues or set(re.findall(r"check=(\S+) failed", console)) != {"kernel_log"}:
        return False
    m = re.search(r"kernel complained:\n((?:.*\n)*?).*check=kernel_log failed", console)
    lines = [x for x in m.group(1).splitlines() if x.strip()] if m else []
    lockups = [x for x in lines if re.search(
        r"watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! \[swapper/\d+:0\]$", x)]
    traces = [x for x in lines if x.endswith("] Call Trace:")]
    return bool(lockups) and len(traces) <= len(lockups) and \
        len(lockups) + len(traces) == len(lines)


status = read(f"{out}/status").strip()
if status == "OK":
    rescues = read(f"{run}/l0-rescues").split()
    if stood_still(read(f"{out}/l1-console.log"), rescues):
        say("emulator-stood-still", True,
            "the guest's only complaint, its idle task's soft lockup, came with "
            "L0's timer interrupt lost")
    say("none", False, "the guest reached its end")

# The console of the guest that died: in a run of several guests (the
# benchmark), the part after the last guest that finished.
console = read(f"{out}/l1-console.log").split("LAB-DONE")[-1]
serial = read(f"{run}/serial.log")
watchdog = read(f"{run}/watchdog").strip()

# Blanket's code has run once the L1 Xen's patch has spoken (forwarded
# mode) or a blanket module was loaded, or the benchmark's nopv guest
# began to load one (guest/bench.sh).
ours_ran = bool(re.search(r"blanket: (L0 platform device|no usable L0)|"
                          r"LAB: extra_insmod=blanket_|LAB-EXTRA: bench_insmod=blanket_",
                          console))

if "IO-APIC + timer doesn't work" in console and "LAB: mode=" not in console:
    say("emulator-timer", True, "the L1 Xen's boot-time timer check failed under emulation")

# An interrupt's frame in an oops trace: the entry, then the interrupted
# context's RIP line and, within three lines, its EFLAGS.
lines = console.splitlines()
for i, line in enumerate(lines):
    entry = re.search(r"\b(asm_common_interrupt|asm_sysvec_\w+)\+", line)
    rip = i + 1 < len(lines) and re.search(r"RIP: (\S+)", lines[i + 1])
    if not (entry and rip):
        continue
    for follow in lines[i + 2:i + 5]:
        flags = re.search(r"EFLAGS: ([0-9a-f]+)", follow)
        if not flags:
            continue
        if not int(flags.group(1), 16) & 0x200:
            say("emulator-irq", True,
                f"{entry.group(1)} taken at {rip.group(1)} with interrupts "
                f"disabled (EFLAGS {flags.group(1)})")
        break

complaint = re.search(r"(BUG:|WARNING:|Oops|Kernel panic|general protection|"
                      r"blocked for more than|Panic on CPU).*", console)
if complaint:
    say("kernel", False, complaint.group(0).strip()[:200])

m = re.search(r"Triple fault.*?\n(?:.*\n){0,6}?\(XEN\) RIP: *[0-9a-f]*:\[<([0-9a-f]+)>\]",
              serial)
if m:
    rip = int(m.group(1), 16)
    where = site(rip, console)
    tf = f"{rip:x} {where}"
    if where == "l0-vmrun":
        say("emulator-vmrun", True,
            "triple fault at L0 Xen's instruction after VMRUN", triple_fault_rip=tf)
    say("triple-fault", False, f"triple fault at {where}", triple_fault_rip=tf)

if watchdog:
    # The guest's vCPU as Dom0 dumped it (xen-hvmctx), named if it can be.
    dump = read(f"{out}/dump/hvmctx.txt")
    m = re.search(r"\brip\b\W+(?:0x)?([0-9a-f]{8,16})", dump, re.I)
    where = site(int(m.group(1), 16), console) if m else "(no dump)"
    if watchdog.startswith("L0 stuck"):
        say("emulator-stuck", True, watchdog.splitlines()[0], guest_rip=where)
    if "dom0 did not answer" in watchdog and l0_halted(read(f"{run}/watchdog-l0-cpus.txt")):
        say("emulator-halted", True,
            f"{watchdog.splitlines()[0]}; every L0 CPU halted in Xen's idle loop with "
            "interrupts on and Dom0 silent too", guest_rip=where)
    if not ours_ran:
        say("emulator-silent", True,
            f"{watchdog.splitlines()[0]}; no blanket code had run", guest_rip=where)
    say("silent", False, f"{watchdog.splitlines()[0]}; blanket's code had run",
        guest_rip=where)

say("died", False, status or "no status from Dom0")
