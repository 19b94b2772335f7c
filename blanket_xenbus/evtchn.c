// SPDX-License-Identifier: GPL-2.0
/*
 * L0 event channel demultiplexing, 2-level ABI.
 *
 * Every port is handled "late EOI" style: masked and cleared before its
 * handler runs and unmasked after, so a port's handler never runs twice
 * at once. A port whose events keep finding no work is unmasked later and
 * later still: L0 may raise events as fast as it likes, but it cannot
 * make us spend more than a bounded share of a CPU on them.
 */

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <asm/sync_bitops.h>

#include <blanket/test_export.h>
#include "evtchn.h"

/* Rounds over the pending bitmap per upcall before L0 must raise again. */
#define BLANKET_EVTCHN_UPCALL_LOOPS 4

#define BLANKET_EVTCHN_WORD_BITS (sizeof(xen_ulong_t) * BITS_PER_BYTE)

static void blanket_evtchn_unmask_now(struct blanket_evtchn *ev,
				      evtchn_port_t port)
{
	struct shared_info *s = ev->shared;

	if (ev->unmask_by_owner) {
		ev->unmask(ev->ctx, port);
		return;
	}
	sync_clear_bit(port, s->evtchn_mask);
	/*
	 * An edge that came while the port was masked is lost: have L0 raise
	 * it again. EVTCHNOP_unmask does that only for a port it finds
	 * masked, so mask it again first.
	 */
	if (sync_test_bit(port, s->evtchn_pending)) {
		sync_set_bit(port, s->evtchn_mask);
		ev->unmask(ev->ctx, port);
	}
}

static void blanket_evtchn_unmask_work(struct work_struct *work)
{
	struct blanket_evtchn_port *p =
		container_of(to_delayed_work(work), struct blanket_evtchn_port,
			     unmask_work);

	blanket_evtchn_unmask_now(p->ev, p->port);
}

/*
 * Account one event of @p; returns after how many ms to unmask the port,
 * 0 for at once. Work resets the count; after BLANKET_EVTCHN_SPURIOUS_MAX
 * empty events in a row the delay starts at 1 ms and doubles with each
 * further one, up to BLANKET_EVTCHN_BACKOFF_MAX_MS.
 */
unsigned int blanket_evtchn_account(struct blanket_evtchn_port *p, bool work)
{
	if (work) {
		p->spurious = 0;
		p->backoff_ms = 0;
		return 0;
	}
	if (++p->spurious < BLANKET_EVTCHN_SPURIOUS_MAX)
		return 0;
	p->spurious = BLANKET_EVTCHN_SPURIOUS_MAX;
	p->backoff_ms = p->backoff_ms ?
		min(p->backoff_ms * 2, BLANKET_EVTCHN_BACKOFF_MAX_MS) : 1;
	return p->backoff_ms;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_account);

static void blanket_evtchn_dispatch(struct blanket_evtchn *ev,
				    evtchn_port_t port)
{
	struct shared_info *s = ev->shared;
	struct blanket_evtchn_port *p;
	unsigned int delay;
	bool work;

	/* Masked before cleared: an edge during the handler waits for us. */
	sync_set_bit(port, s->evtchn_mask);
	sync_clear_bit(port, s->evtchn_pending);

	p = xa_load(&ev->ports, port);
	if (!p) {
		/* Not ours (any more): it stays masked. */
		ev->stats.unbound++;
		return;
	}
	ev->stats.events++;
	work = p->handler(port, p->data);
	delay = blanket_evtchn_account(p, work);
	if (!work)
		ev->stats.spurious++;
	if (!delay) {
		blanket_evtchn_unmask_now(ev, port);
		return;
	}
	ev->stats.throttled++;
	schedule_delayed_work(&p->unmask_work, msecs_to_jiffies(delay));
}

/*
 * L0 raised the upcall. Interrupt context; never entered twice at once
 * (one interrupt line or VIRQ delivers it).
 */
void blanket_evtchn_upcall(struct blanket_evtchn *ev)
{
	struct shared_info *s = ev->shared;
	struct vcpu_info *v = &s->vcpu_info[0];
	int loops = 0;

	ev->stats.upcalls++;
	rcu_read_lock();
	do {
		xen_ulong_t sel;

		WRITE_ONCE(v->evtchn_upcall_pending, 0);
		/* xchg orders the clear above before the scan below. */
		sel = xchg(&v->evtchn_pending_sel, 0);
		while (sel) {
			unsigned int word = __ffs(sel);
			xen_ulong_t pending;

			sel &= sel - 1;
			pending = READ_ONCE(s->evtchn_pending[word]) &
				  ~READ_ONCE(s->evtchn_mask[word]);
			while (pending) {
				unsigned int bit = __ffs(pending);

				pending &= pending - 1;
				blanket_evtchn_dispatch(ev, word * BLANKET_EVTCHN_WORD_BITS + bit);
			}
		}
	} while (READ_ONCE(v->evtchn_upcall_pending) &&
		 ++loops < BLANKET_EVTCHN_UPCALL_LOOPS);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_upcall);

/* Deliver events of @port to @handler from now on; the port is unmasked. */
int blanket_evtchn_bind(struct blanket_evtchn *ev, evtchn_port_t port,
			blanket_evtchn_handler_t handler, void *data)
{
	struct blanket_evtchn_port *p;
	int err;

	if (port >= EVTCHN_2L_NR_CHANNELS || !handler)
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->port = port;
	p->handler = handler;
	p->data = data;
	p->ev = ev;
	INIT_DELAYED_WORK(&p->unmask_work, blanket_evtchn_unmask_work);

	err = xa_insert(&ev->ports, port, p, GFP_KERNEL);
	if (err) {
		kfree(p);
		return err;
	}
	blanket_evtchn_unmask_now(ev, port);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_bind);

/* After this returns the handler is not running and never runs again. */
void blanket_evtchn_unbind(struct blanket_evtchn *ev, evtchn_port_t port)
{
	struct blanket_evtchn_port *p;

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	sync_set_bit(port, ev->shared->evtchn_mask);
	p = xa_erase(&ev->ports, port);
	if (!p)
		return;
	/* Wait out an upcall that found the port before the erase. */
	synchronize_rcu();
	cancel_delayed_work_sync(&p->unmask_work);
	sync_set_bit(port, ev->shared->evtchn_mask);
	kfree(p);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_unbind);

void blanket_evtchn_get_stats(struct blanket_evtchn *ev,
			      struct blanket_evtchn_stats *stats)
{
	*stats = ev->stats;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_get_stats);

void blanket_evtchn_init(struct blanket_evtchn *ev, struct shared_info *shared,
			 int (*unmask)(void *ctx, evtchn_port_t port),
			 void *ctx)
{
	memset(ev, 0, sizeof(*ev));
	ev->shared = shared;
	ev->unmask = unmask;
	ev->ctx = ctx;
	xa_init(&ev->ports);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_init);

/* Every port must have been unbound by its owner. */
void blanket_evtchn_destroy(struct blanket_evtchn *ev)
{
	WARN_ON(!xa_empty(&ev->ports));
	xa_destroy(&ev->ports);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_destroy);
