// SPDX-License-Identifier: GPL-2.0
/*
 * L0 event channel demultiplexing, 2-level ABI.
 *
 * Every port is handled "late EOI" style: masked and cleared before its
 * handler runs and unmasked after, so a port's handler never runs twice
 * at once. A port whose events keep finding no work is unmasked later and
 * later still: L0 may raise events as fast as it likes, but it cannot
 * make us spend more than a bounded share of a CPU on them.
 *
 * Each port is a Linux IRQ (hwirq = port) so that /proc/interrupts and
 * smp_affinity work for it; L0 marks a port's events on the vCPU it is
 * bound to, and the upcall taken there dispatches that vCPU's ports only.
 */

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/sync_bitops.h>

#include <blanket/compat.h>
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
	/* A locked operation: the tests below read after it. */
	sync_clear_bit(port, s->evtchn_mask);
	/*
	 * An edge that came while the port was masked is lost, and a held
	 * port's events wait further down: have them raised again.
	 * EVTCHNOP_unmask does that only for a port it finds masked, so mask
	 * it again first.
	 */
	if (sync_test_bit(port, s->evtchn_pending) ||
	    (ev->held && sync_test_bit(port, ev->held))) {
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

/* The handler's side of an event: it runs in the upcall, under the IRQ. */
static irqreturn_t blanket_evtchn_interrupt(int irq, void *data)
{
	struct blanket_evtchn_port *p = data;

	p->work = p->handler(p->port, p->data);
	return IRQ_HANDLED;
}

static void blanket_evtchn_dispatch(struct blanket_evtchn *ev,
				    evtchn_port_t port, u32 vcpu)
{
	struct shared_info *s = ev->shared;
	struct blanket_evtchn_port *p;
	unsigned int delay;

	p = xa_load(&ev->ports, port);
	/* Its word may be selected here for a port of another vCPU. */
	if (p && READ_ONCE(p->vcpu) != vcpu)
		return;
	/*
	 * Masked before cleared: an edge during the handler waits for us.
	 * Masked already: by whoever moves or handles it, who unmasks it.
	 */
	if (sync_test_and_set_bit(port, s->evtchn_mask))
		return;
	sync_clear_bit(port, s->evtchn_pending);

	if (!p) {
		/* Not ours (any more): it stays masked. */
		atomic64_inc(&ev->unbound);
		return;
	}
	atomic64_inc(&ev->events);
	/* A handler the IRQ core did not run (disabled) did no work. */
	p->work = false;
	generic_handle_domain_irq(ev->domain, port);
	delay = blanket_evtchn_account(p, p->work);
	if (!p->work)
		atomic64_inc(&ev->spurious);
	if (!delay) {
		blanket_evtchn_unmask_now(ev, port);
		return;
	}
	atomic64_inc(&ev->throttled);
	schedule_delayed_work(&p->unmask_work, msecs_to_jiffies(delay));
}

/*
 * L0 raised the upcall of @vcpu, the vCPU of the CPU this runs on.
 * Interrupt context; upcalls of different vCPUs run at once.
 */
void blanket_evtchn_upcall(struct blanket_evtchn *ev, u32 vcpu)
{
	struct shared_info *s = ev->shared;
	struct vcpu_info *v;
	int loops = 0;

	if (WARN_ON_ONCE(vcpu >= MAX_VIRT_CPUS))
		return;
	v = &s->vcpu_info[vcpu];
	atomic64_inc(&ev->upcalls);
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
				blanket_evtchn_dispatch(ev, word * BLANKET_EVTCHN_WORD_BITS + bit,
							vcpu);
			}
		}
	} while (READ_ONCE(v->evtchn_upcall_pending) &&
		 ++loops < BLANKET_EVTCHN_UPCALL_LOOPS);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_upcall);

/* The vCPU L0 marks @cpu's events for, if its upcall is live. */
static int blanket_evtchn_vcpu(struct blanket_evtchn *ev, unsigned int cpu,
			       u32 *vcpu)
{
	void *entry = xa_load(&ev->upcall_cpus, cpu);

	if (!entry)
		return -ENOENT;
	*vcpu = xa_to_value(entry);
	return 0;
}

/*
 * Have L0 mark @port's events on @cpu's vCPU, or on CPU 0's if @cpu has
 * none that events can go to; returns the CPU it went to. Masked
 * meanwhile, so that neither vCPU handles an event the other is
 * handling; the unmask raises again on the new vCPU an edge that came
 * on the old one.
 */
int blanket_evtchn_move(struct blanket_evtchn *ev, evtchn_port_t port,
			unsigned int cpu)
{
	struct blanket_evtchn_port *p = xa_load(&ev->ports, port);
	bool masked;
	u32 vcpu;
	int err;

	if (!p)
		return -ENOENT;
	if (blanket_evtchn_vcpu(ev, cpu, &vcpu)) {
		cpu = 0;
		if (blanket_evtchn_vcpu(ev, 0, &vcpu))
			vcpu = 0;
	}
	if (vcpu != p->vcpu) {
		masked = sync_test_and_set_bit(port, ev->shared->evtchn_mask);
		err = ev->bind_vcpu(ev->ctx, port, vcpu);
		if (!err)
			WRITE_ONCE(p->vcpu, vcpu);
		if (!masked)
			blanket_evtchn_unmask_now(ev, port);
		if (err)
			return err;
	}
	p->cpu = cpu;
	return cpu;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_move);

/* Under the IRQ's lock: smp_affinity, irqbalance, a CPU going down. */
static int blanket_evtchn_set_affinity(struct irq_data *d,
				       const struct cpumask *dest, bool force)
{
	struct blanket_evtchn *ev = irq_data_get_irq_chip_data(d);
	unsigned int cpu = cpumask_first_and(dest, cpu_online_mask);
	int ret;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	ret = blanket_evtchn_move(ev, irqd_to_hwirq(d), cpu);
	if (ret < 0)
		return ret;
	irq_data_update_effective_affinity(d, cpumask_of(ret));
	return IRQ_SET_MASK_OK;
}

/* Masking and unmasking are the upcall's: the IRQ core leaves them. */
static struct irq_chip blanket_evtchn_chip = {
	.name = "blanket-l0",
	.irq_set_affinity = blanket_evtchn_set_affinity,
};

static int blanket_evtchn_map(struct irq_domain *d, unsigned int irq,
			      irq_hw_number_t port)
{
	irq_set_chip_and_handler_name(irq, &blanket_evtchn_chip,
				      handle_simple_irq, "event");
	irq_set_chip_data(irq, d->host_data);
	blanket_irq_move_in_process_context(irq);
	return 0;
}

static const struct irq_domain_ops blanket_evtchn_domain_ops = {
	.map = blanket_evtchn_map,
};

/*
 * Deliver events of @port to @handler from now on, through an IRQ named
 * @name; the port is unmasked.
 */
int blanket_evtchn_bind(struct blanket_evtchn *ev, evtchn_port_t port,
			const char *name, blanket_evtchn_handler_t handler,
			void *data)
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
	p->name = kstrdup_const(name, GFP_KERNEL);
	if (!p->name) {
		err = -ENOMEM;
		goto free;
	}

	mutex_lock(&ev->lock);
	/* L0 binds a new port to vCPU 0: so are we, until moved. */
	err = xa_insert(&ev->ports, port, p, GFP_KERNEL);
	if (err)
		goto unlock;
	p->irq = irq_create_mapping(ev->domain, port);
	if (!p->irq) {
		err = -ENOMEM;
		goto erase;
	}
	err = request_irq(p->irq, blanket_evtchn_interrupt, 0, p->name, p);
	if (err)
		goto dispose;
	mutex_unlock(&ev->lock);
	blanket_evtchn_unmask_now(ev, port);
	return 0;

dispose:
	irq_dispose_mapping(p->irq);
erase:
	xa_erase(&ev->ports, port);
unlock:
	mutex_unlock(&ev->lock);
	kfree_const(p->name);
free:
	kfree(p);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_bind);

/* After this returns the handler is not running and never runs again. */
void blanket_evtchn_unbind(struct blanket_evtchn *ev, evtchn_port_t port)
{
	struct blanket_evtchn_port *p;

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	sync_set_bit(port, ev->shared->evtchn_mask);
	mutex_lock(&ev->lock);
	p = xa_erase(&ev->ports, port);
	mutex_unlock(&ev->lock);
	if (!p)
		return;
	/* Wait out an upcall that found the port before the erase. */
	synchronize_rcu();
	cancel_delayed_work_sync(&p->unmask_work);
	sync_set_bit(port, ev->shared->evtchn_mask);
	irq_update_affinity_hint(p->irq, NULL);
	free_irq(p->irq, p);
	irq_dispose_mapping(p->irq);
	kfree_const(p->name);
	kfree(p);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_unbind);

/* The Linux IRQ of a bound @port, or -ENOENT. */
int blanket_evtchn_irq(struct blanket_evtchn *ev, evtchn_port_t port)
{
	unsigned int irq = irq_find_mapping(ev->domain, port);

	return irq ?: -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_irq);

/*
 * @cpu's upcall is live now: ports may go to it, if events can be marked
 * for its vCPU (-ENOENT or -ERANGE if not: it stays out).
 */
int blanket_evtchn_add_cpu(struct blanket_evtchn *ev, unsigned int cpu)
{
	u32 vcpu = 0;
	int err = 0;

	if (ev->vcpu_id)
		err = ev->vcpu_id(ev->ctx, cpu, &vcpu);
	else if (cpu)
		err = -ENOENT;
	/* Shared info has a vcpu_info for the first 32 vCPUs only. */
	if (!err && vcpu >= MAX_VIRT_CPUS)
		err = -ERANGE;
	if (err)
		return err;
	return xa_err(xa_store(&ev->upcall_cpus, cpu, xa_mk_value(vcpu),
			       GFP_KERNEL));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_add_cpu);

/*
 * A transport's single upcall, on CPU 0 (no per-CPU one): CPU 0 takes
 * ports once @bind has made the upcall live. CPU 0 is added first, so that
 * nothing can fail after @bind has put the upcall's handler in place, and
 * it leaves again if @bind fails.
 */
int blanket_evtchn_single_upcall(struct blanket_evtchn *ev,
				 int (*bind)(void *arg), void *arg)
{
	int err = blanket_evtchn_add_cpu(ev, 0);

	if (err)
		return err;
	err = bind(arg);
	if (err)
		blanket_evtchn_leave_cpu(ev, 0);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_single_upcall);

/* @cpu's upcall goes (it goes offline): its ports go to CPU 0 first. */
void blanket_evtchn_leave_cpu(struct blanket_evtchn *ev, unsigned int cpu)
{
	struct blanket_evtchn_port *p;
	unsigned long port;

	xa_erase(&ev->upcall_cpus, cpu);
	mutex_lock(&ev->lock);
	xa_for_each(&ev->ports, port, p)
		if (p->cpu == cpu)
			irq_set_affinity(p->irq, cpumask_of(0));
	mutex_unlock(&ev->lock);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_leave_cpu);

void blanket_evtchn_get_stats(struct blanket_evtchn *ev,
			      struct blanket_evtchn_stats *stats)
{
	unsigned long cpu;
	void *entry;

	stats->upcalls = atomic64_read(&ev->upcalls);
	stats->events = atomic64_read(&ev->events);
	stats->spurious = atomic64_read(&ev->spurious);
	stats->throttled = atomic64_read(&ev->throttled);
	stats->unbound = atomic64_read(&ev->unbound);
	stats->upcall_cpus = 0;
	xa_for_each(&ev->upcall_cpus, cpu, entry)
		stats->upcall_cpus++;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_get_stats);

/*
 * One line per bound port: where it goes and its bits, as the page shows
 * them. A port that stays masked, or pending and unhandled, is what a
 * device that has stopped hearing L0 looks like.
 */
void blanket_evtchn_show_ports(struct blanket_evtchn *ev, struct seq_file *m)
{
	struct shared_info *s = ev->shared;
	struct blanket_evtchn_port *p;
	unsigned long port;

	mutex_lock(&ev->lock);
	xa_for_each(&ev->ports, port, p)
		seq_printf(m, "%lu %s irq %u cpu %u vcpu %u masked %d pending %d held %s backoff_ms %u\n",
			   port, p->name, p->irq, p->cpu, READ_ONCE(p->vcpu),
			   sync_test_bit(port, s->evtchn_mask),
			   sync_test_bit(port, s->evtchn_pending),
			   !ev->held ? "-" : sync_test_bit(port, ev->held) ? "1" : "0",
			   READ_ONCE(p->backoff_ms));
	mutex_unlock(&ev->lock);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_show_ports);

int blanket_evtchn_init(struct blanket_evtchn *ev, struct shared_info *shared,
			int (*unmask)(void *ctx, evtchn_port_t port),
			void *ctx)
{
	struct fwnode_handle *fwnode;

	memset(ev, 0, sizeof(*ev));
	ev->shared = shared;
	ev->unmask = unmask;
	ev->ctx = ctx;
	xa_init(&ev->ports);
	xa_init(&ev->upcall_cpus);
	mutex_init(&ev->lock);
	fwnode = irq_domain_alloc_named_fwnode("blanket-l0-evtchn");
	if (!fwnode)
		return -ENOMEM;
	ev->domain = irq_domain_create_linear(fwnode, EVTCHN_2L_NR_CHANNELS,
					      &blanket_evtchn_domain_ops, ev);
	if (!ev->domain) {
		irq_domain_free_fwnode(fwnode);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_init);

/* Every port must have been unbound by its owner. */
void blanket_evtchn_destroy(struct blanket_evtchn *ev)
{
	struct fwnode_handle *fwnode = ev->domain->fwnode;

	WARN_ON(!xa_empty(&ev->ports));
	xa_destroy(&ev->ports);
	xa_destroy(&ev->upcall_cpus);
	irq_domain_remove(ev->domain);
	irq_domain_free_fwnode(fwnode);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_evtchn_destroy);
