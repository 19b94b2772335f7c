/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blanket's L1 hypercall: how the hardware domain (a PV Dom0) of a patched
 * L1 Xen, which itself runs as an HVM guest of L0 Xen, reaches L0.
 *
 * Both sides use this file by value: the Dom0 modules include it from
 * include/blanket/, the L1 Xen patch carries a byte-identical copy
 * (xen/build.sh compares them). It needs u16, u32 and u64, which both
 * Linux and Xen 4.17 define, and nothing else. Every structure has
 * fixed-size fields and explicit, zeroed padding: 64-bit Dom0 and 64-bit
 * Xen see one layout. 32-bit PV Dom0 is not supported. The design around
 * it is docs/designs/blanket-l1-op.pandoc, which the L1 Xen series adds.
 *
 *   long HYPERVISOR_blanket_l1_op(unsigned int op, void *arg)
 *
 * @op is one of the sub-ops below, @arg the structure that sub-op names.
 * Fields marked IN are read by L1 Xen; fields marked OUT are written back
 * when the sub-op succeeds. Padding is IN and must be zero, or OUT and
 * returned as zero.
 *
 * Return values of every sub-op:
 *   0            success
 *   -EPERM       the caller is not the hardware domain, or XSM refused it
 *   -EOPNOTSUPP  @op is none of the sub-ops below
 *   -ENODEV      every sub-op but QUERY, when L1 Xen has no usable L0
 *                (QUERY says so)
 *   -EFAULT      @arg could not be read or written
 *   -EINVAL      nonzero IN padding
 * and those each sub-op lists. Where L1 Xen makes a hypercall to L0 for
 * the caller, L0's error is returned as it is.
 *
 * Events: Dom0 owns ("claims") the L0 ports it allocated through
 * EVTCHN_ALLOC_UNBOUND and L0's xenstore port once XENSTORE handed it out;
 * every evtchn op refuses other ports with -EPERM, so ports L1 Xen uses
 * itself are out of reach. L1 Xen keeps claimed ports unmasked at L0
 * while Dom0 has them unmasked. When L0 raises one, L1 Xen's upcall
 * handler marks it in Dom0's relay page (RELAY) for the Dom0 vCPU the port
 * is bound to (EVTCHN_BIND_VCPU; vCPU 0 until then) and raises the
 * per-vCPU VIRQ BLANKET_L1_VIRQ on that vCPU.
 */
#ifndef _BLANKET_L1_ABI_H
#define _BLANKET_L1_ABI_H

/* Free in Xen 4.17 and in current Xen (39 to 42 are taken). */
#define BLANKET_L1_HYPERCALL		43
/*
 * VIRQ_ARCH_1: x86 uses only VIRQ_ARCH_0 (VIRQ_MCA). Per-vCPU: Dom0 binds
 * it on every vCPU it binds ports to (version 2: global, on vCPU 0 only).
 */
#define BLANKET_L1_VIRQ			17

/*
 * 2: Dom0 unmasks only with EVTCHN_UNMASK; L0's xenstore port stays open.
 * 3: EVTCHN_BIND_VCPU; BLANKET_L1_VIRQ is per-vCPU.
 * 4: the relay page shows the ports L1 Xen holds masked at L0; Dom0
 *    unmasks the others by clearing their mask bit itself.
 * 5: SUSPEND.
 * 6: REATTACH.
 */
#define BLANKET_L1_ABI_VERSION		6

/*
 * BLANKET_L1_QUERY: the ABI version and whether L0 is usable.
 *
 * Answers whether or not L0 is usable, so that Dom0 can tell "no L0" from
 * "no blanket". Without BLANKET_L1_F_L0 the L0 fields are zero and every
 * other sub-op returns -ENODEV.
 *
 * @abi_version: Dom0 passes the newest version it speaks, L1 Xen answers
 * the one both speak, the lower of that and its own. Dom0 before version
 * 3 passes 0 (read as 2) and L1 Xen before version 3 ignores it, so each
 * side meets an older one at that one's version.
 *
 * Further return values: -EIO if L0's GNTTABOP_query_size status is not
 * GNTST_okay.
 */
#define BLANKET_L1_QUERY		0

/* Feature bits of blanket_l1_query.features. */
#define BLANKET_L1_F_L0			0x1U	/* L0 Xen usable */

struct blanket_l1_query {
	u32 abi_version;	/* IN: Dom0's, OUT: the one both speak */
	u32 features;		/* OUT: BLANKET_L1_F_* */
	u32 l0_version;		/* OUT: L0's XENVER_version, major << 16 | minor */
	u32 gnttab_frames;	/* OUT: L0 grant frames L1's domain has now */
	u32 gnttab_max_frames;	/* OUT: and may have at most */
	u32 pad;
};

/*
 * BLANKET_L1_XENSTORE: L0's xenstore ring and event channel.
 *
 * The port becomes Dom0's (claimed) for good: Dom0 may send on it, unmask
 * it and ask its status, but EVTCHN_CLOSE refuses it, since it could never
 * be bound again. Asked again (by a reloaded driver), L1 Xen claims the
 * port anew; a port it holds masked at L0 stays so until EVTCHN_UNMASK.
 *
 * Further return values: -ENOENT if L0 names no ring, no port, a port
 * beyond the 2-level event ABI or one L1 Xen uses itself.
 */
#define BLANKET_L1_XENSTORE		1

struct blanket_l1_xenstore {
	u64 mfn;		/* OUT: an L1 machine frame (L0 guest frame) */
	u32 port;		/* OUT: L0 event channel */
	u32 pad;
};

/*
 * BLANKET_L1_GNTTAB_MAP: place L0 grant-table frame @idx at L1 machine
 * frame @mfn (XENMEM_add_to_physmap, XENMAPSPACE_grant_table, at L0).
 *
 * @mfn must lie inside the BAR of L0's platform PCI device (5853:0001) as
 * L1 Xen found it at boot: frames there are never L1 Xen's own.
 *
 * Further return values: -EPERM if @mfn is outside that BAR.
 */
#define BLANKET_L1_GNTTAB_MAP		2

struct blanket_l1_gnttab_map {
	u64 mfn;		/* IN */
	u32 idx;		/* IN */
	u32 pad;
};

/*
 * BLANKET_L1_RELAY: register Dom0's relay page, or unregister it.
 *
 * The relay page: a page of Dom0's RAM (@mfn its machine frame) laid out as
 * a struct shared_info, 2-level event ABI. For a claimed port bound to Dom0
 * vCPU v (EVTCHN_BIND_VCPU, 0 by default) L1 Xen sets evtchn_pending; if
 * the port was not pending and is not masked there, it sets the port's
 * word in vcpu_info[v].evtchn_pending_sel and
 * vcpu_info[v].evtchn_upcall_pending and raises BLANKET_L1_VIRQ on vCPU v.
 * No other byte of the page is read or written, but for the held bitmap
 * below. @mfn BLANKET_L1_RELAY_NONE unregisters the page. A new page
 * replaces the old one, which L1 Xen no longer writes once the sub-op
 * returns.
 *
 * Masking: Dom0 masks a port by setting its bit in evtchn_mask. An event
 * on a port masked there, or with no page registered, also masks the port
 * at L0, so that L0's further events stay at L0: the port is held. Before
 * version 4 Dom0 therefore never clears a mask bit itself: it unmasks with
 * EVTCHN_UNMASK.
 *
 * Held bitmap (version 4): L1 Xen sets a held port's bit in the bitmap at
 * BLANKET_L1_RELAY_HELD_OFFSET (one bit per port, as evtchn_pending), from
 * when it holds the port (or registers the page) until it lets the port
 * go, and then clears it. Dom0 may unmask a port by clearing its mask bit
 * itself; after that (a full barrier), if the port is pending or its held
 * bit is set, Dom0 sets the mask bit again and unmasks with EVTCHN_UNMASK.
 * L1 Xen sets the held bit before it tests the mask bit again, and lets a
 * port go itself that Dom0 unmasked meanwhile: one of the two always sees
 * the other. Dom0 never writes the bitmap, which it zeroes before it
 * registers the page. A Dom0 of an earlier version never reads it: the
 * bitmap lies in the last bytes of the page, past struct shared_info.
 *
 * Further return values: -EINVAL if @mfn is not a page of Dom0's that can
 * be written; -ENOMEM if L1 Xen cannot map it.
 */
#define BLANKET_L1_RELAY		3

#define BLANKET_L1_RELAY_NONE		(~0ULL)
/* The last 512 bytes of the 4 KiB page: 4096 bits, the 2-level ports. */
#define BLANKET_L1_RELAY_HELD_OFFSET	3584

struct blanket_l1_relay {
	u64 mfn;		/* IN */
};

/*
 * BLANKET_L1_EVTCHN_ALLOC_UNBOUND: an unbound L0 event channel of L1's
 * domain, for @remote_dom to bind; the port is then claimed.
 *
 * Further return values: -ENOSPC if L0's port is beyond the 2-level event
 * ABI (L1 Xen closes it); -EIO if L0 answers with a port already in use.
 */
#define BLANKET_L1_EVTCHN_ALLOC_UNBOUND	4

/*
 * BLANKET_L1_EVTCHN_SEND: notify claimed port @port at L0.
 */
#define BLANKET_L1_EVTCHN_SEND		5

/*
 * BLANKET_L1_EVTCHN_UNMASK: EVTCHNOP_unmask for claimed port @port, on the
 * relay page's bits.
 *
 * Clears the port's mask bit in the relay page. If L1 Xen held the port
 * masked at L0, marks it pending there (the held event, perhaps a spurious
 * one) and unmasks it at L0. Then, like EVTCHNOP_unmask, raises the port
 * if it is pending (also when Dom0 had cleared the mask bit itself).
 */
#define BLANKET_L1_EVTCHN_UNMASK	6

/*
 * BLANKET_L1_EVTCHN_CLOSE: close claimed port @port at L0; it is no longer
 * claimed (again claimed if L0 refuses).
 *
 * Further return values: -EPERM for L0's xenstore port.
 */
#define BLANKET_L1_EVTCHN_CLOSE		7

/*
 * BLANKET_L1_EVTCHN_STATUS: EVTCHNOP_status at L0 for claimed port @port.
 * @remote_dom is set for an unbound or interdomain port, @remote_port for
 * an interdomain one; both are zero otherwise.
 */
#define BLANKET_L1_EVTCHN_STATUS	8

/*
 * The argument of the EVTCHN sub-ops but BIND_VCPU, all on L1's own domain
 * at L0. Those but ALLOC_UNBOUND return -EPERM for a port Dom0 has not
 * claimed.
 */
struct blanket_l1_evtchn {
	u32 port;		/* IN (OUT for ALLOC_UNBOUND) */
	u32 status;		/* OUT (STATUS): EVTCHNSTAT_* */
	u32 remote_port;	/* OUT (STATUS) */
	u16 remote_dom;		/* IN (ALLOC_UNBOUND), OUT (STATUS) */
	u16 pad;
};

/*
 * BLANKET_L1_EVTCHN_BIND_VCPU: relay claimed port @port to Dom0 vCPU @vcpu
 * (version 3), as EVTCHNOP_bind_vcpu does for Dom0's own ports. Kept by L1
 * Xen, not passed to L0. A port is bound to vCPU 0 when it is claimed, and
 * Dom0 binds its ports back to vCPU 0 before it takes a vCPU offline.
 *
 * Like EVTCHNOP_bind_vcpu, it moves no event already marked: Dom0 masks
 * the port around the bind, and the UNMASK after it raises a pending port
 * on the new vCPU. Dom0 has BLANKET_L1_VIRQ bound on @vcpu first.
 *
 * Further return values: -EPERM for a port Dom0 has not claimed; -EINVAL
 * if @vcpu is not below XEN_LEGACY_MAX_VCPUS (the relay page has no
 * vcpu_info for it); -ENOENT if Dom0 has no vCPU @vcpu.
 */
#define BLANKET_L1_EVTCHN_BIND_VCPU	9

struct blanket_l1_evtchn_bind_vcpu {
	u32 port;		/* IN */
	u32 vcpu;		/* IN: Dom0's vCPU id */
};

/*
 * BLANKET_L1_SUSPEND: have L0 save the whole L1 machine (version 5).
 *
 * For L0's toolstack, which asked for it through control/shutdown in L0's
 * xenstore. L1 Xen holds every CPU in Xen with interrupts off, so that
 * no vCPU of any domain runs or is inside a hypercall, and makes
 * SCHEDOP_shutdown(SHUTDOWN_suspend) to L0 on vCPU 0. L0 saves the
 * machine inside that call. When the machine runs again, L1 Xen sets up
 * its own shared info, vcpu_info and upcall at L0 again before any CPU
 * goes on. @arg is unused.
 *
 * Restored, the machine is a new domain of L0: none of the ports Dom0
 * claimed exists there, none is claimed, held or bound to a vCPU any
 * more, and L1 Xen clears the relay page's held bitmap (the page stays
 * registered). No grant frame is placed in the BAR: Dom0 asks for
 * XENSTORE (L0 may have given the ring a new port) and GNTTAB_MAP again.
 * The numbers of the old ports must not be closed: they are the new
 * domain's.
 *
 * Returns 0 if L0 restored the machine, in a new domain, and 1 if L0
 * cancelled the save: the machine runs on in the same domain, everything
 * as it was. Further return values, when nothing changed: L0's error if
 * it refused the call; -EBUSY if the CPUs could not be held.
 */
#define BLANKET_L1_SUSPEND		10

/*
 * BLANKET_L1_REATTACH: L0 saved the machine without asking it (version 6).
 *
 * L0's toolstack may save a guest without asking, and restore it in a new
 * domain where none of L1 Xen's registrations at L0 exist: L1 Xen gets no
 * event from L0 any more. The hardware domain, which notices it by an L0
 * port of its own that is gone, asks L1 Xen to set up again. L1 Xen holds
 * every CPU as for SUSPEND and asks L0 to take vCPU 0's vcpu_info again,
 * which L0 refuses if it still has it; if L0 takes it, L1 Xen does what
 * SUSPEND does after the call, with the same outcome for Dom0's ports.
 * @arg is unused.
 *
 * Returns 0 if L0 had lost L1 Xen's registrations (a restore) and L1 Xen
 * set up again, 1 if L0 still had them (nothing changed), or -EBUSY if
 * the CPUs could not be held.
 */
#define BLANKET_L1_REATTACH		11

#endif /* _BLANKET_L1_ABI_H */
