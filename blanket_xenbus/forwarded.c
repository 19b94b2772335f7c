// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarded transport: Linux is a PV Dom0 of an L1 Xen that runs as
 * an HVM guest of L0 and carries blanket's patch (xen/). Every L0
 * operation is a blanket_l1_op sub-op; L0's events arrive in a relay
 * page of our own, laid out as shared info, announced by a VIRQ on the
 * vCPU they are marked for (ABI version 3; before it, on vCPU 0 only).
 */

#include <linux/cpuhotplug.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/percpu.h>
#include <linux/stop_machine.h>
#include <linux/syscore_ops.h>
#include <xen/events.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <asm/xen/hypercall.h>

#include <blanket/l1_abi.h>
#include "l0.h"
#include "l1.h"
#include "transport.h"

/*
 * blanket_l1_op, through the kernel's own hypercall macro, which names a
 * call by __HYPERVISOR_<name>. The mechanism behind it changed inside a
 * stable series (hypercall_page, then the xen_hypercall static call after
 * XSA-466, in 6.1.y too: Debian 12's 6.1.0-56 has it), so
 * LINUX_VERSION_CODE cannot choose; the kernel's macro always can.
 */
#define __HYPERVISOR_blanket_l1_op BLANKET_L1_HYPERCALL

static long blanket_fwd_hypercall(void *ctx, unsigned int op, void *arg)
{
	return _hypercall2(long, blanket_l1_op, op, arg);
}

/* Its ABI version is set once, by blanket_forwarded_init(). */
static struct blanket_l1 blanket_fwd_l1 = {
	.call = blanket_fwd_hypercall,
};

/*
 * One L0. Its VIRQ: per CPU, bound by a CPU hotplug state on each online
 * one (version 3), or once on CPU 0.
 */
static struct blanket_l0 *blanket_fwd_l0;
static DEFINE_PER_CPU(int, blanket_fwd_irq);
static enum cpuhp_state blanket_fwd_cpuhp;

static int blanket_fwd_version(struct blanket_l0 *l0, u32 *version)
{
	return blanket_l1_version(&blanket_fwd_l1, version);
}

static int blanket_fwd_get_param(struct blanket_l0 *l0, u32 index, u64 *value)
{
	return blanket_l1_get_param(&blanket_fwd_l1, index, value);
}

static int blanket_fwd_add_to_physmap(struct blanket_l0 *l0, unsigned int space,
				      unsigned long idx, xen_pfn_t gfn)
{
	return blanket_l1_add_to_physmap(&blanket_fwd_l1, space, idx, gfn);
}

static int blanket_fwd_grant_table_op(struct blanket_l0 *l0, unsigned int cmd,
				      void *uop, unsigned int count)
{
	return blanket_l1_grant_table_op(&blanket_fwd_l1, cmd, uop, count);
}

static int blanket_fwd_event_channel_op(struct blanket_l0 *l0, int cmd,
					void *arg)
{
	return blanket_l1_event_channel_op(&blanket_fwd_l1, cmd, arg);
}

static int blanket_fwd_vcpu_id(struct blanket_l0 *l0, unsigned int cpu,
			       u32 *vcpu)
{
	return blanket_l1_vcpu_id(&blanket_fwd_l1, xen_vcpu_nr(cpu), vcpu);
}

static struct shared_info *blanket_fwd_map_shared(struct blanket_l0 *l0)
{
	struct shared_info *relay = (void *)get_zeroed_page(GFP_KERNEL);

	if (!relay)
		return ERR_PTR(-ENOMEM);
	blanket_l1_relay_init(relay);
	return relay;
}

/* Unregistered first: L1 Xen must not write to a page we free. */
static void blanket_fwd_unmap_shared(struct blanket_l0 *l0)
{
	int err = blanket_l1_put_relay(&blanket_fwd_l1, l0->shared);

	if (err)
		dev_err(l0->dev, "L1 Xen keeps the relay page (%d): leaking it\n",
			err);
}

static void blanket_fwd_setup_unmask(struct blanket_l0 *l0)
{
	blanket_l1_setup_unmask(&blanket_fwd_l1, &l0->ev, l0->shared);
}

static irqreturn_t blanket_fwd_interrupt(int irq, void *data)
{
	blanket_l0_upcall(data);
	return IRQ_HANDLED;
}

/* Version 3: the VIRQ is per-vCPU; CPU hotplug binds it on @cpu. */
static int blanket_fwd_cpu_online(unsigned int cpu)
{
	int irq = bind_virq_to_irqhandler(BLANKET_L1_VIRQ, cpu,
					  blanket_fwd_interrupt,
					  IRQF_PERCPU | IRQF_NOBALANCING,
					  "blanket-l0", blanket_fwd_l0);

	if (irq < 0)
		return irq;
	per_cpu(blanket_fwd_irq, cpu) = irq;
	/* A vCPU the relay page has no vcpu_info for takes no port. */
	if (blanket_evtchn_add_cpu(&blanket_fwd_l0->ev, cpu))
		dev_info_once(blanket_fwd_l0->dev, "L1 Xen cannot relay to CPU %u: its events go to CPU 0\n",
			      cpu);
	return 0;
}

/*
 * The ports bound to @cpu's vCPU move to CPU 0 before its VIRQ goes;
 * their events marked for it meanwhile are raised again by the unmask
 * that follows each bind (BLANKET_L1_EVTCHN_BIND_VCPU).
 */
static int blanket_fwd_cpu_offline(unsigned int cpu)
{
	blanket_evtchn_leave_cpu(&blanket_fwd_l0->ev, cpu);
	unbind_from_irqhandler(per_cpu(blanket_fwd_irq, cpu), blanket_fwd_l0);
	return 0;
}

/*
 * Before version 3 a global VIRQ, kept on CPU 0: vCPU 0, whose vcpu_info
 * every event is marked in.
 */
static int blanket_fwd_bind_global_virq(void *arg)
{
	struct blanket_l0 *l0 = arg;
	int irq = bind_virq_to_irqhandler(BLANKET_L1_VIRQ, 0, blanket_fwd_interrupt,
					  IRQF_NOBALANCING, "blanket-l0", l0);

	if (irq < 0)
		return irq;
	per_cpu(blanket_fwd_irq, 0) = irq;
	return 0;
}

static int blanket_fwd_bind_upcall(struct blanket_l0 *l0)
{
	u64 mfn = virt_to_mfn(l0->shared);
	int err;

	err = blanket_l1_set_relay(&blanket_fwd_l1, mfn);
	if (err)
		return err;
	/* On failure unmap_shared unregisters the page. */
	blanket_fwd_l0 = l0;
	if (blanket_l1_per_vcpu(&blanket_fwd_l1)) {
		err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "blanket/l0:online",
					blanket_fwd_cpu_online,
					blanket_fwd_cpu_offline);
		if (err < 0)
			return err;
		blanket_fwd_cpuhp = err;
		return 0;
	}
	return blanket_evtchn_single_upcall(&l0->ev, blanket_fwd_bind_global_virq,
					    l0);
}

static void blanket_fwd_unbind_upcall(struct blanket_l0 *l0)
{
	if (blanket_fwd_cpuhp) {
		cpuhp_remove_state(blanket_fwd_cpuhp);
		blanket_fwd_cpuhp = 0;
	} else {
		blanket_evtchn_leave_cpu(&l0->ev, 0);
		unbind_from_irqhandler(per_cpu(blanket_fwd_irq, 0), l0);
	}
}

static bool blanket_fwd_can_suspend(struct blanket_l0 *l0)
{
	return blanket_l1_can_suspend(&blanket_fwd_l1);
}

/*
 * As Linux's own suspend under Xen: on one CPU, the others held, with
 * interrupts off and time keeping stopped (syscore_suspend()). The TSC
 * runs on while L0 saves the machine and L1 Xen's time does not, so a
 * kernel timing itself on the TSC would find tens of seconds gone inside
 * one hypercall and report a stall of its own; stopped, it counts them
 * as sleep.
 */
static int blanket_fwd_suspend_stopped(void *data)
{
	int *ret = data;

	*ret = syscore_suspend();
	if (*ret)
		return 0;
	*ret = blanket_l1_suspend(&blanket_fwd_l1);
	syscore_resume();
	return 0;
}

/*
 * L1 Xen holds every CPU, Dom0's vCPUs and this one included, while L0
 * saves the machine, and sets up its own L0 state again before they go
 * on; the ports we had are forgotten on both sides.
 */
static int blanket_fwd_suspend(struct blanket_l0 *l0)
{
	int ret, err;

	err = stop_machine(blanket_fwd_suspend_stopped, &ret, cpumask_of(0));
	if (err)
		ret = err;
	if (ret == -EPROTO) {
		dev_err(l0->dev, "L1 Xen answered the suspend outside its ABI\n");
		return ret;
	}
	if (ret < 0) {
		dev_err(l0->dev, "the machine could not suspend: %d\n", ret);
		return 1;
	}
	return ret;
}

static bool blanket_fwd_can_reattach(struct blanket_l0 *l0)
{
	return blanket_l1_can_reattach(&blanket_fwd_l1);
}

/*
 * L1 Xen holds every CPU while it sets up again, as after a save it made.
 * Unlike there, our time keeping is not stopped: it is too late, our
 * clocks jumped by the save's length when the machine ran again.
 */
static int blanket_fwd_reattach(struct blanket_l0 *l0)
{
	int err = blanket_l1_reattach(&blanket_fwd_l1);

	if (err == -ESTALE)
		dev_err(l0->dev, "L1 Xen finds its own L0 state as it was: no restore\n");
	return err;
}

/* L1 machine frames are what L0 knows as our frames. */
static xen_pfn_t blanket_fwd_pfn_to_gfn(unsigned long pfn)
{
	return pfn_to_mfn(pfn);
}

const struct blanket_transport_ops blanket_forwarded_ops = {
	.name = "forwarded",
	.version = blanket_fwd_version,
	.get_param = blanket_fwd_get_param,
	.add_to_physmap = blanket_fwd_add_to_physmap,
	.grant_table_op = blanket_fwd_grant_table_op,
	.event_channel_op = blanket_fwd_event_channel_op,
	.vcpu_id = blanket_fwd_vcpu_id,
	.map_shared = blanket_fwd_map_shared,
	.unmap_shared = blanket_fwd_unmap_shared,
	.setup_unmask = blanket_fwd_setup_unmask,
	.bind_upcall = blanket_fwd_bind_upcall,
	.unbind_upcall = blanket_fwd_unbind_upcall,
	.can_suspend = blanket_fwd_can_suspend,
	.suspend = blanket_fwd_suspend,
	.can_reattach = blanket_fwd_can_reattach,
	.reattach = blanket_fwd_reattach,
	.pfn_to_gfn = blanket_fwd_pfn_to_gfn,
};

/* Does L1 Xen forward to L0 for us? Say why not if it does not. */
int blanket_forwarded_init(struct device *dev)
{
	struct blanket_l1_query q;
	const char *why;
	int err;

	err = blanket_l1_probe(&blanket_fwd_l1, &q, &why);
	if (err) {
		dev_err(dev, "%s\n", why);
		return err;
	}
	dev_info(dev, "L1 Xen forwards to L0, Xen %u.%u (blanket ABI %u, events on %s)\n",
		 q.l0_version >> 16, q.l0_version & 0xffff, q.abi_version,
		 blanket_l1_per_vcpu(&blanket_fwd_l1) ? "every vCPU" : "vCPU 0");
	return 0;
}
