// SPDX-License-Identifier: GPL-2.0
/*
 * Event channel demultiplexing against a fake L0 that sets bits in a
 * shared info page the way Xen's 2-level ABI does.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/kernel_stat.h>
#include <linux/seq_file.h>
#include <asm/sync_bitops.h>

#include "blanket_xenbus/evtchn.h"
#include "fake_l0.h"

#define PORTS 256

struct evtchn_fixture {
	struct shared_info *s;
	struct blanket_evtchn ev;
	int unmask_calls;
	int calls[PORTS];
	bool work;		/* what the handlers report */
	/* L0's side of the vCPUs: where each port is bound, who each CPU is. */
	u32 port_vcpu[PORTS];
	u32 cpu_vcpu[2];
	int bind_vcpu_calls;
};

/* EVTCHNOP_unmask, counted. */
static int fake_unmask(void *ctx, evtchn_port_t port)
{
	struct evtchn_fixture *fx = ctx;

	fx->unmask_calls++;
	fake_evtchn_unmask(fx->s, port, fx->port_vcpu[port]);
	return 0;
}

/* EVTCHNOP_bind_vcpu, counted. */
static int fake_bind_vcpu(void *ctx, evtchn_port_t port, u32 vcpu)
{
	struct evtchn_fixture *fx = ctx;

	fx->bind_vcpu_calls++;
	fx->port_vcpu[port] = vcpu;
	return 0;
}

static int fake_vcpu_id(void *ctx, unsigned int cpu, u32 *vcpu)
{
	struct evtchn_fixture *fx = ctx;

	if (cpu >= ARRAY_SIZE(fx->cpu_vcpu))
		return -ENOENT;
	*vcpu = fx->cpu_vcpu[cpu];
	return 0;
}

/* L0 raising @port on the vCPU it is bound to. */
static void fx_raise(struct evtchn_fixture *fx, evtchn_port_t port)
{
	fake_evtchn_raise(fx->s, port, fx->port_vcpu[port]);
}

static bool count_handler(evtchn_port_t port, void *data)
{
	struct evtchn_fixture *fx = data;

	if (port < ARRAY_SIZE(fx->calls))
		fx->calls[port]++;
	return fx->work;
}

/* The backend answers while the port is masked for its handler. */
static bool raise_again_handler(evtchn_port_t port, void *data)
{
	struct evtchn_fixture *fx = data;

	if (fx->calls[port]++ == 0)
		fx_raise(fx, port);
	return true;
}

static int evtchn_test_init(struct kunit *test)
{
	struct evtchn_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->s = kunit_kzalloc(test, sizeof(*fx->s), GFP_KERNEL);
	if (!fx->s)
		return -ENOMEM;
	/* Xen starts every port masked. */
	memset(fx->s->evtchn_mask, 0xff, sizeof(fx->s->evtchn_mask));
	fx->work = true;
	fx->cpu_vcpu[1] = 1;
	test->priv = fx;
	if (blanket_evtchn_init(&fx->ev, fx->s, fake_unmask, fx))
		return -ENOMEM;
	fx->ev.bind_vcpu = fake_bind_vcpu;
	fx->ev.vcpu_id = fake_vcpu_id;
	/* Both CPUs' upcalls are live, as once the transport bound them. */
	if (blanket_evtchn_add_cpu(&fx->ev, 0) || blanket_evtchn_add_cpu(&fx->ev, 1))
		return -ENODEV;
	return 0;
}

static void evtchn_test_exit(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	unsigned long port;
	void *p;

	xa_for_each(&fx->ev.ports, port, p)
		blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

static void evtchn_deliver_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 1, 3, 63, 64, 65, 130, 255 };
	struct evtchn_fixture *fx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ports); i++)
		KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, ports[i],
							  "test", count_handler, fx), 0);
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		fx_raise(fx, ports[i]);
	fake_evtchn_upcall(&fx->ev, 0);

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		KUNIT_EXPECT_EQ(test, fx->calls[ports[i]], 1);
		/* Handled, cleared and open for the next event. */
		KUNIT_EXPECT_FALSE(test, sync_test_bit(ports[i], fx->s->evtchn_pending));
		KUNIT_EXPECT_FALSE(test, sync_test_bit(ports[i], fx->s->evtchn_mask));
	}
	KUNIT_EXPECT_EQ(test, fx->calls[2], 0);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_pending_sel, 0UL);
}

static void evtchn_masked_edge_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 5, "test", count_handler, fx), 0);
	/* Raised while masked: no upcall, but not lost either. */
	sync_set_bit(5, fx->s->evtchn_mask);
	fx_raise(fx, 5);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	blanket_evtchn_unbind(&fx->ev, 5);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 5, "test", count_handler, fx), 0);
	KUNIT_EXPECT_EQ(test, fx->unmask_calls, 1);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 1);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[5], 1);
}

static void evtchn_raised_during_handler_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 11, "test", raise_again_handler, fx), 0);
	fx_raise(fx, 11);
	fake_evtchn_upcall(&fx->ev, 0);
	/* Not lost: the unmask had L0 raise it again, within the same upcall. */
	KUNIT_EXPECT_EQ(test, fx->calls[11], 2);
	KUNIT_EXPECT_EQ(test, fx->unmask_calls, 1);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(11, fx->s->evtchn_mask));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(11, fx->s->evtchn_pending));
}

static void evtchn_unbound_port_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct blanket_evtchn_stats stats;

	/* A hostile L0 unmasks nothing for us: fake an unmasked stray port. */
	sync_clear_bit(9, fx->s->evtchn_mask);
	fx_raise(fx, 9);
	fake_evtchn_upcall(&fx->ev, 0);
	blanket_evtchn_get_stats(&fx->ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.unbound, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.events, 0ULL);
	/* It stays masked, so it cannot fire again. */
	KUNIT_EXPECT_TRUE(test, sync_test_bit(9, fx->s->evtchn_mask));
	fx_raise(fx, 9);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
}

static void evtchn_bind_errors_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, EVTCHN_2L_NR_CHANNELS,
						  "test", count_handler, fx), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, "test", NULL, fx), -EINVAL);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, "test", count_handler, fx), 0);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, "test", count_handler, fx), -EBUSY);
}

static void evtchn_unbind_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 7, "test", count_handler, fx), 0);
	blanket_evtchn_unbind(&fx->ev, 7);
	KUNIT_EXPECT_TRUE(test, sync_test_bit(7, fx->s->evtchn_mask));
	fx_raise(fx, 7);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[7], 0);
}

static void evtchn_account_test(struct kunit *test)
{
	struct blanket_evtchn_port p = {};
	unsigned int i, delay;

	for (i = 1; i < BLANKET_EVTCHN_SPURIOUS_MAX; i++)
		KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 0U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 1U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 2U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 4U);
	for (i = 0; i < 20; i++)
		delay = blanket_evtchn_account(&p, false);
	KUNIT_EXPECT_EQ(test, delay, (unsigned int)BLANKET_EVTCHN_BACKOFF_MAX_MS);
	/* Work resets it all. */
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, true), 0U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 0U);
}

/* L0 floods a port with events that carry no work. */
static void evtchn_spurious_flood_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct blanket_evtchn_stats stats;
	int i, calls;

	fx->work = false;
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 20, "test", count_handler, fx), 0);
	for (i = 0; i < 1000; i++) {
		fx_raise(fx, 20);
		fake_evtchn_upcall(&fx->ev, 0);
	}
	/*
	 * From the 8th empty event on the port reopens after 1, 2, 4 ... ms:
	 * however long the loop took, only a handful of the 1000 got through.
	 */
	calls = fx->calls[20];
	KUNIT_EXPECT_GE(test, calls, BLANKET_EVTCHN_SPURIOUS_MAX);
	KUNIT_EXPECT_LT(test, calls, BLANKET_EVTCHN_SPURIOUS_MAX + 12);
	blanket_evtchn_get_stats(&fx->ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.throttled, (u64)(calls - BLANKET_EVTCHN_SPURIOUS_MAX + 1));

	/* After the back-off the port opens, and the lost edge is raised again. */
	for (i = 0; i < 150 && sync_test_bit(20, fx->s->evtchn_mask); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(20, fx->s->evtchn_mask));
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 1);
	fx->work = true;
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[20], calls + 1);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(20, fx->s->evtchn_mask));
}

static int port_irq(struct kunit *test, evtchn_port_t port)
{
	struct evtchn_fixture *fx = test->priv;
	int irq = blanket_evtchn_irq(&fx->ev, port);

	KUNIT_ASSERT_GT(test, irq, 0);
	return irq;
}

/* What smp_affinity and irqbalance do: @port's IRQ to CPU 0. */
static void port_to_cpu0(struct kunit *test, evtchn_port_t port)
{
	KUNIT_ASSERT_EQ(test, irq_set_affinity(port_irq(test, port), cpumask_of(0)), 0);
}

/*
 * What the IRQ's affinity does for a CPU that may not be online here;
 * @port's events go to CPU @to then.
 */
static void port_move(struct kunit *test, evtchn_port_t port, unsigned int cpu,
		      int to)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_move(&fx->ev, port, cpu), to);
}

/* The CPU the IRQ core says @port's events go to. */
static unsigned int port_cpu(struct kunit *test, evtchn_port_t port)
{
	struct irq_data *d = irq_get_irq_data(port_irq(test, port));

	return cpumask_first(irq_data_get_effective_affinity_mask(d));
}

static void bind_ports(struct kunit *test, const evtchn_port_t *ports,
		       unsigned int n)
{
	struct evtchn_fixture *fx = test->priv;
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, ports[i], "test",
							  count_handler, fx), 0);
}

/* An upcall on vCPU 1 delivers the ports bound there, and only those. */
static void evtchn_vcpu_deliver_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 3, 4, 70 };
	struct evtchn_fixture *fx = test->priv;

	bind_ports(test, ports, ARRAY_SIZE(ports));
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 0);
	port_move(test, 4, 1, 1);
	port_move(test, 70, 1, 1);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 2);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 1U);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[70], 1U);
	KUNIT_EXPECT_EQ(test, port_cpu(test, 3), 0U);

	fx_raise(fx, 3);
	fx_raise(fx, 4);
	fx_raise(fx, 70);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[1].evtchn_upcall_pending, 1);
	fake_evtchn_upcall(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
	KUNIT_EXPECT_EQ(test, fx->calls[70], 1);
	KUNIT_EXPECT_EQ(test, fx->calls[3], 0);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[1].evtchn_pending_sel, 0UL);
	KUNIT_EXPECT_TRUE(test, sync_test_bit(3, fx->s->evtchn_pending));
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[3], 1);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
	KUNIT_EXPECT_EQ(test, fx->calls[70], 1);
}

/* A word selected on vCPU 0 may hold a port of vCPU 1's: not for vCPU 0. */
static void evtchn_other_vcpu_port_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 3, 4 };
	struct evtchn_fixture *fx = test->priv;

	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 1);
	fx_raise(fx, 4);
	fx_raise(fx, 3);
	/* Both in word 0, selected on both vCPUs. */
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_pending_sel, 1UL);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[1].evtchn_pending_sel, 1UL);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[3], 1);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 0);
	/* Left as it was for vCPU 1. */
	KUNIT_EXPECT_TRUE(test, sync_test_bit(4, fx->s->evtchn_pending));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(4, fx->s->evtchn_mask));
	fake_evtchn_upcall(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
}

/* An event that came on the old vCPU is raised again on the new one. */
static void evtchn_rebind_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 4 };
	struct evtchn_fixture *fx = test->priv;

	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 1);
	fx_raise(fx, 4);
	port_to_cpu0(test, 4);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 0U);
	KUNIT_EXPECT_EQ(test, port_cpu(test, 4), 0U);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 1);
	fake_evtchn_upcall(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 0);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(4, fx->s->evtchn_mask));
	/* Where it is already: L0 is not asked again. */
	port_to_cpu0(test, 4);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 2);
}

/* A CPU going offline hands its ports to CPU 0. */
static void evtchn_leave_cpu_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 4, 5 };
	struct evtchn_fixture *fx = test->priv;

	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 1);
	blanket_evtchn_leave_cpu(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 0U);
	KUNIT_EXPECT_EQ(test, port_cpu(test, 4), 0U);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[5], 0U);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 2);
	fx_raise(fx, 4);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
}

/* Shared info has no vcpu_info for vCPU 32 on: its CPU's ports stay on CPU 0. */
static void evtchn_vcpu_beyond_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 4 };
	struct evtchn_fixture *fx = test->priv;

	blanket_evtchn_leave_cpu(&fx->ev, 1);
	fx->cpu_vcpu[1] = MAX_VIRT_CPUS;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), -ERANGE);
	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 0);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 0U);
	fx_raise(fx, 4);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[4], 1);
}

static unsigned int upcall_cpus(struct blanket_evtchn *ev)
{
	struct blanket_evtchn_stats stats;

	blanket_evtchn_get_stats(ev, &stats);
	return stats.upcall_cpus;
}

/*
 * upcall_cpus counts the CPUs whose upcall is live and whose vCPU events
 * can be marked for; only those take ports.
 */
static void evtchn_upcall_cpus_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 4 };
	struct evtchn_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 2U);
	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 1);

	/* CPU 1 goes offline: its port goes to CPU 0 and stays there. */
	blanket_evtchn_leave_cpu(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 1U);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 0U);
	port_move(test, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 2);

	/* Back online, twice counted once. */
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), 0);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), 0);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 2U);
	port_move(test, 4, 1, 1);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 1U);

	/* Online again as a vCPU that shared info has no vcpu_info for. */
	blanket_evtchn_leave_cpu(&fx->ev, 1);
	fx->cpu_vcpu[1] = MAX_VIRT_CPUS;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 1U);

	/* Without L0's vCPU ids, CPU 0 alone. */
	fx->ev.vcpu_id = NULL;
	fx->cpu_vcpu[1] = 1;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 0), 0);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 1U);
	blanket_evtchn_leave_cpu(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 0U);
}

/* A CPU whose upcall was never bound takes no port, though L0 knows it. */
static void evtchn_no_upcall_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 4 };
	struct evtchn_fixture *fx = test->priv;

	blanket_evtchn_leave_cpu(&fx->ev, 1);
	bind_ports(test, ports, ARRAY_SIZE(ports));
	port_move(test, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, fx->bind_vcpu_calls, 0);
	KUNIT_EXPECT_EQ(test, fx->port_vcpu[4], 0U);
}

/* Each port is an IRQ of its own, under the name it was bound with. */
static void evtchn_irq_name_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct irq_desc *desc;
	char name[16] = "blnet0-q1-rx";

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 6, name, count_handler, fx), 0);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 7, "other", count_handler, fx), 0);
	KUNIT_EXPECT_NE(test, port_irq(test, 6), port_irq(test, 7));
	strscpy(name, "gone", sizeof(name));
	desc = irq_data_to_desc(irq_get_irq_data(port_irq(test, 6)));
	KUNIT_ASSERT_NOT_NULL(test, desc->action);
	KUNIT_EXPECT_STREQ(test, desc->action->name, "blnet0-q1-rx");
	KUNIT_EXPECT_EQ(test, blanket_evtchn_irq(&fx->ev, 8), -ENOENT);
	/* Its events count as the IRQ's. */
	fx_raise(fx, 6);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->calls[6], 1);
	KUNIT_EXPECT_EQ(test, irq_desc_kstat_cpu(desc, 0), 1U);
	blanket_evtchn_unbind(&fx->ev, 6);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_irq(&fx->ev, 6), -ENOENT);
}

static int fail_vcpu_id(void *ctx, unsigned int cpu, u32 *vcpu)
{
	return -ENOMEM;
}

struct single_upcall {
	struct blanket_evtchn *ev;
	int calls;
	bool cpu0_live;		/* when bind was called */
	int ret;
};

static int single_upcall_bind(void *arg)
{
	struct single_upcall *u = arg;

	u->calls++;
	u->cpu0_live = xa_load(&u->ev->upcall_cpus, 0);
	return u->ret;
}

/*
 * A single upcall's handler is put in place only once CPU 0 can take
 * ports: adding CPU 0 fails before the handler exists, and a handler that
 * fails leaves no live CPU behind.
 */
static void evtchn_single_upcall_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct single_upcall u = { .ev = &fx->ev };

	blanket_evtchn_leave_cpu(&fx->ev, 0);
	blanket_evtchn_leave_cpu(&fx->ev, 1);

	fx->ev.vcpu_id = fail_vcpu_id;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_single_upcall(&fx->ev, single_upcall_bind, &u),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, u.calls, 0);
	fx->ev.vcpu_id = fake_vcpu_id;

	u.ret = -EBUSY;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_single_upcall(&fx->ev, single_upcall_bind, &u),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, u.calls, 1);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 0U);

	u.ret = 0;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_single_upcall(&fx->ev, single_upcall_bind, &u), 0);
	KUNIT_EXPECT_TRUE(test, u.cpu0_live);
	KUNIT_EXPECT_EQ(test, upcall_cpus(&fx->ev), 1U);
}

/* The ports view of ports 5 and 70, 70 masked and pending. */
static void expect_ports_view(struct kunit *test, struct evtchn_fixture *fx,
			      const char *held5, const char *held70)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = PAGE_SIZE };
	char want[192];

	KUNIT_ASSERT_NOT_NULL(test, buf);
	blanket_evtchn_show_ports(&fx->ev, &m);
	snprintf(want, sizeof(want),
		 "5 q0 irq %d cpu 0 vcpu 0 masked 0 pending 0 held %s backoff_ms 0\n"
		 "70 q1 irq %d cpu 0 vcpu 0 masked 1 pending 1 held %s backoff_ms 0\n",
		 port_irq(test, 5), held5, port_irq(test, 70), held70);
	KUNIT_EXPECT_STREQ(test, buf, want);
}

/*
 * The ports view shows each bound port's bits as the page has them, and
 * the held bit only where the page's owner shows one.
 */
static void evtchn_show_ports_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	unsigned long held[BITS_TO_LONGS(PORTS)] = {};

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 5, "q0", count_handler, fx), 0);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 70, "q1", count_handler, fx), 0);
	/* 70 is masked, and raised meanwhile: pending, no upcall. */
	sync_set_bit(70, fx->s->evtchn_mask);
	fx_raise(fx, 70);
	expect_ports_view(test, fx, "-", "-");

	__set_bit(70, held);
	fx->ev.held = held;
	expect_ports_view(test, fx, "0", "1");
	fx->ev.held = NULL;
}

static struct kunit_case blanket_evtchn_cases[] = {
	KUNIT_CASE(evtchn_deliver_test),
	KUNIT_CASE(evtchn_masked_edge_test),
	KUNIT_CASE(evtchn_raised_during_handler_test),
	KUNIT_CASE(evtchn_unbound_port_test),
	KUNIT_CASE(evtchn_bind_errors_test),
	KUNIT_CASE(evtchn_unbind_test),
	KUNIT_CASE(evtchn_account_test),
	KUNIT_CASE(evtchn_spurious_flood_test),
	KUNIT_CASE(evtchn_vcpu_deliver_test),
	KUNIT_CASE(evtchn_other_vcpu_port_test),
	KUNIT_CASE(evtchn_rebind_test),
	KUNIT_CASE(evtchn_leave_cpu_test),
	KUNIT_CASE(evtchn_vcpu_beyond_test),
	KUNIT_CASE(evtchn_upcall_cpus_test),
	KUNIT_CASE(evtchn_no_upcall_test),
	KUNIT_CASE(evtchn_irq_name_test),
	KUNIT_CASE(evtchn_single_upcall_test),
	KUNIT_CASE(evtchn_show_ports_test),
	{}
};

static struct kunit_suite blanket_evtchn_suite = {
	.name = "blanket_evtchn",
	.init = evtchn_test_init,
	.exit = evtchn_test_exit,
	.test_cases = blanket_evtchn_cases,
};

kunit_test_suite(blanket_evtchn_suite);
