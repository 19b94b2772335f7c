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
 * Xen see one layout. 32-bit PV Dom0 is not supported.
 *
 *   long HYPERVISOR_blanket_l1_op(unsigned int op, void *arg)
 *
 * Only the hardware domain may call it (and an XSM check may refuse it
 * too); any other caller gets -EPERM, an unknown @op -EOPNOTSUPP,
 * nonzero padding -EINVAL. Every op but QUERY fails with -ENODEV when
 * L1 Xen has no usable L0 (QUERY says so).
 *
 * Events: Dom0 owns ("claims") the L0 ports it allocated through
 * EVTCHN_ALLOC_UNBOUND and L0's xenstore port once XENSTORE handed it out;
 * every evtchn op refuses other ports with -EPERM, so ports L1 Xen uses
 * itself are out of reach. L1 Xen keeps claimed ports unmasked at L0
 * while Dom0 has them unmasked. When L0 raises one, L1 Xen's upcall
 * handler marks it in Dom0's relay page (RELAY) and raises the global
 * VIRQ BLANKET_L1_VIRQ on Dom0.
 */
#ifndef _BLANKET_L1_ABI_H
#define _BLANKET_L1_ABI_H

/* Free in Xen 4.17 and in current Xen (39 to 42 are taken). */
#define BLANKET_L1_HYPERCALL		43
/* VIRQ_ARCH_1: x86 uses only VIRQ_ARCH_0 (VIRQ_MCA). Global. */
#define BLANKET_L1_VIRQ			17

/* 2: Dom0 unmasks only with EVTCHN_UNMASK; L0's xenstore port stays open. */
#define BLANKET_L1_ABI_VERSION		2

/* Feature bits of blanket_l1_query.features. */
#define BLANKET_L1_F_L0			0x1U	/* L0 Xen usable */

/*
 * Sub-ops; the argument each takes, and which of its fields are IN
 * (read by L1 Xen) and OUT (written back on success).
 */
#define BLANKET_L1_QUERY		0	/* blanket_l1_query: OUT */
#define BLANKET_L1_XENSTORE		1	/* blanket_l1_xenstore: OUT */
#define BLANKET_L1_GNTTAB_MAP		2	/* blanket_l1_gnttab_map: IN */
#define BLANKET_L1_RELAY		3	/* blanket_l1_relay: IN */
#define BLANKET_L1_EVTCHN_ALLOC_UNBOUND	4	/* blanket_l1_evtchn */
#define BLANKET_L1_EVTCHN_SEND		5	/* blanket_l1_evtchn */
#define BLANKET_L1_EVTCHN_UNMASK	6	/* blanket_l1_evtchn */
#define BLANKET_L1_EVTCHN_CLOSE		7	/* blanket_l1_evtchn */
#define BLANKET_L1_EVTCHN_STATUS	8	/* blanket_l1_evtchn */

struct blanket_l1_query {
	u32 abi_version;	/* OUT: BLANKET_L1_ABI_VERSION */
	u32 features;		/* OUT: BLANKET_L1_F_* */
	u32 l0_version;		/* OUT: L0's XENVER_version, major << 16 | minor */
	u32 gnttab_frames;	/* OUT: L0 grant frames L1's domain has now */
	u32 gnttab_max_frames;	/* OUT: and may have at most */
	u32 pad;
};

/* L0's xenstore ring and port; the port becomes Dom0's. */
struct blanket_l1_xenstore {
	u64 mfn;		/* OUT: an L1 machine frame (L0 guest frame) */
	u32 port;		/* OUT: L0 event channel */
	u32 pad;
};

/*
 * Place L0 grant-table frame @idx at L1 machine frame @mfn, which must lie
 * inside the BAR of L0's platform PCI device (5853:0001) as L1 Xen found
 * it at boot: frames there are never L1 Xen's own.
 */
struct blanket_l1_gnttab_map {
	u64 mfn;		/* IN */
	u32 idx;		/* IN */
	u32 pad;
};

/*
 * The relay page: a page of Dom0's RAM (@mfn its machine frame) laid out as
 * a struct shared_info, 2-level event ABI. For a claimed port L1 Xen sets
 * evtchn_pending; if the port was not pending and is not masked there, it
 * sets the port's word in vcpu_info[0].evtchn_pending_sel and
 * vcpu_info[0].evtchn_upcall_pending and raises BLANKET_L1_VIRQ. No other
 * byte of the page is read or written. @mfn BLANKET_L1_RELAY_NONE
 * unregisters the page.
 *
 * Masking: Dom0 masks a port by setting its bit in evtchn_mask. An event
 * on a port masked there, or with no page registered, also masks the port
 * at L0, so that L0's further events stay at L0. Dom0 therefore never
 * clears a mask bit itself: it unmasks with EVTCHN_UNMASK, which clears
 * the bit, unmasks the port at L0 again and marks the event L1 Xen held
 * pending (perhaps spuriously), then raises the port as EVTCHNOP_unmask
 * does if it is pending.
 */
#define BLANKET_L1_RELAY_NONE		(~0ULL)

struct blanket_l1_relay {
	u64 mfn;		/* IN */
};

/*
 * One argument for the event channel sub-ops, all on L1's own domain at L0:
 *   ALLOC_UNBOUND	IN remote_dom, OUT port (now claimed); -EIO if L0
 *			answers with a port in use
 *   SEND		IN port
 *   UNMASK		IN port: EVTCHNOP_unmask on the relay page's bits, and
 *			at L0 (see the relay page)
 *   CLOSE		IN port (no longer claimed); L0's xenstore port is
 *			refused with -EPERM: it could never be bound again
 *   STATUS		IN port, OUT status (EVTCHNSTAT_*), remote_dom and
 *			remote_port (interdomain; remote_dom for unbound)
 */
struct blanket_l1_evtchn {
	u32 port;
	u32 status;
	u32 remote_port;
	u16 remote_dom;
	u16 pad;
};

#endif /* _BLANKET_L1_ABI_H */
