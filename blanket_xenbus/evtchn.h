/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event channels of L0, 2-level ABI: demultiplexing the pending bitmap of
 * L0's shared info page to per-port handlers, each port a Linux IRQ of
 * its own. No hypercall: unmasking a port that is still pending and
 * binding it to a vCPU go through the owner's callbacks.
 */
#ifndef _BLANKET_EVTCHN_H
#define _BLANKET_EVTCHN_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>

#include <blanket/xenbus.h>

struct seq_file;

/* Consecutive events with no work after which a port is throttled. */
#define BLANKET_EVTCHN_SPURIOUS_MAX	8
#define BLANKET_EVTCHN_BACKOFF_MAX_MS	1000

struct blanket_evtchn_stats {
	u64 upcalls;
	u64 events;
	u64 spurious;
	u64 throttled;		/* times a port's unmask was deferred */
	u64 unbound;		/* events on ports nobody bound */
	unsigned int upcall_cpus;	/* in blanket_evtchn.upcall_cpus */
};

struct blanket_evtchn_port {
	evtchn_port_t port;
	blanket_evtchn_handler_t handler;
	void *data;
	const char *name;		/* of its IRQ */
	unsigned int irq;
	u32 vcpu;			/* the vCPU L0 marks its events on */
	unsigned int cpu;		/* the CPU that vCPU is */
	bool work;			/* what the handler said of this event */
	unsigned int spurious;		/* consecutive events with no work */
	unsigned int backoff_ms;	/* current unmask delay, 0 if none */
	struct delayed_work unmask_work;
	struct blanket_evtchn *ev;
};

struct blanket_evtchn {
	struct shared_info *shared;
	int (*unmask)(void *ctx, evtchn_port_t port);	/* EVTCHNOP_unmask */
	/*
	 * Both or neither: EVTCHNOP_bind_vcpu, and the vCPU events for @cpu
	 * go to (an error if none can, so CPU 0 takes them). Neither: every
	 * port stays on vCPU 0.
	 */
	int (*bind_vcpu)(void *ctx, evtchn_port_t port, u32 vcpu);
	int (*vcpu_id)(void *ctx, unsigned int cpu, u32 *vcpu);
	void *ctx;
	/*
	 * Every unmask is @unmask's, which clears the mask bit itself: the
	 * page's owner may have masked the port further down too.
	 */
	bool unmask_by_owner;
	/*
	 * Else, if set: the ports the page's owner holds masked further down
	 * (forwarded: L1 Xen, at L0), which an unmask hands to @unmask even
	 * with nothing pending. The owner sets a port's bit before it tests
	 * the port's mask bit.
	 */
	const unsigned long *held;
	struct xarray ports;		/* port -> blanket_evtchn_port, RCU */
	struct mutex lock;		/* binding and unbinding */
	struct irq_domain *domain;	/* hwirq = port */
	/*
	 * The CPUs L0's events can be delivered to now, each with the vCPU
	 * L0 marks them for (cpu -> xa_mk_value(vcpu)): each has a live
	 * upcall (direct: an upcall vector L0 was given; forwarded: the
	 * relay VIRQ bound there; a single upcall, the INTx line or an L1
	 * Xen before ABI 3: CPU 0 alone) and a vCPU whose vcpu_info events
	 * can be marked in. Only these take ports; the transport's CPU
	 * hotplug callbacks keep it (blanket_evtchn_add_cpu/leave_cpu).
	 */
	struct xarray upcall_cpus;
	/* Upcalls run on several CPUs at once. */
	atomic64_t upcalls, events, spurious, throttled, unbound;
};

int blanket_evtchn_init(struct blanket_evtchn *ev, struct shared_info *shared,
			int (*unmask)(void *ctx, evtchn_port_t port),
			void *ctx);
void blanket_evtchn_destroy(struct blanket_evtchn *ev);
int blanket_evtchn_bind(struct blanket_evtchn *ev, evtchn_port_t port,
			const char *name, blanket_evtchn_handler_t handler,
			void *data);
void blanket_evtchn_unbind(struct blanket_evtchn *ev, evtchn_port_t port);
int blanket_evtchn_irq(struct blanket_evtchn *ev, evtchn_port_t port);
int blanket_evtchn_move(struct blanket_evtchn *ev, evtchn_port_t port,
			unsigned int cpu);
int blanket_evtchn_add_cpu(struct blanket_evtchn *ev, unsigned int cpu);
void blanket_evtchn_leave_cpu(struct blanket_evtchn *ev, unsigned int cpu);
int blanket_evtchn_single_upcall(struct blanket_evtchn *ev,
				 int (*bind)(void *arg), void *arg);
void blanket_evtchn_upcall(struct blanket_evtchn *ev, u32 vcpu);
unsigned int blanket_evtchn_account(struct blanket_evtchn_port *p, bool work);
void blanket_evtchn_show_ports(struct blanket_evtchn *ev, struct seq_file *m);
void blanket_evtchn_get_stats(struct blanket_evtchn *ev,
			      struct blanket_evtchn_stats *stats);

#endif /* _BLANKET_EVTCHN_H */
