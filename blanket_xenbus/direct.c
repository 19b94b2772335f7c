// SPDX-License-Identifier: GPL-2.0
/*
 * The direct transport: Linux runs at ring 0 in an HVM guest of L0 and
 * was booted with "nopv", so the kernel itself leaves L0 alone. We find
 * L0 through CPUID, have it write its hypercall stubs into a page of our
 * own text, and take its upcall on a vector of each CPU, or failing that
 * on the platform PCI device's interrupt.
 */

#include <linux/cpuhotplug.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/pci.h>
#include <linux/stop_machine.h>
#include <linux/vmalloc.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>
#include <xen/interface/sched.h>
#include <xen/interface/version.h>
#include <xen/xen.h>

#include <blanket/compat.h>

#include "l0.h"
#include "transport.h"
#include "xen_cpuid.h"

extern char blanket_hypercall_page[];

/* HVM_PARAM_CALLBACK_IRQ: bits 63:56 say how bits 55:0 name the line. */
#define BLANKET_CALLBACK_VIA_TYPE_SHIFT 56

/*
 * Call stub @op of the page with up to three arguments, in Xen's x86-64
 * register convention. Xen may clobber every argument register.
 */
#define BLANKET_HCALL(op, a1, a2, a3) ({				\
	register unsigned long __a1 asm("rdi") = (unsigned long)(a1);	\
	register unsigned long __a2 asm("rsi") = (unsigned long)(a2);	\
	register unsigned long __a3 asm("rdx") = (unsigned long)(a3);	\
	long __ret;							\
									\
	asm volatile("call blanket_hypercall_page + %c[offset]"	\
		     : "=a" (__ret), "+r" (__a1), "+r" (__a2), "+r" (__a3), \
		       ASM_CALL_CONSTRAINT				\
		     : [offset] "i" ((op) * 32)				\
		     : "memory", "r10", "r8");				\
	(int)__ret;							\
})

static int blanket_direct_version(struct blanket_l0 *l0, u32 *version)
{
	int ret = BLANKET_HCALL(__HYPERVISOR_xen_version, XENVER_version, 0, 0);

	if (ret < 0)
		return ret;
	*version = ret;
	return 0;
}

static int blanket_direct_get_param(struct blanket_l0 *l0, u32 index, u64 *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	int ret = BLANKET_HCALL(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0);

	if (!ret)
		*value = p.value;
	return ret;
}

static int blanket_direct_set_param(struct blanket_l0 *l0, u32 index, u64 value)
{
	struct xen_hvm_param p = {
		.domid = DOMID_SELF, .index = index, .value = value,
	};

	return BLANKET_HCALL(__HYPERVISOR_hvm_op, HVMOP_set_param, &p, 0);
}

static int blanket_direct_add_to_physmap(struct blanket_l0 *l0,
					 unsigned int space, unsigned long idx,
					 xen_pfn_t gfn)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gfn,
	};

	return BLANKET_HCALL(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			     &xatp, 0);
}

static int blanket_direct_grant_table_op(struct blanket_l0 *l0,
					 unsigned int cmd, void *uop,
					 unsigned int count)
{
	return BLANKET_HCALL(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static int blanket_direct_event_channel_op(struct blanket_l0 *l0, int cmd,
					   void *arg)
{
	return BLANKET_HCALL(__HYPERVISOR_event_channel_op, cmd, arg, 0);
}

/* L0 places its shared info at the first page of the platform BAR. */
static int blanket_direct_place_shared(struct blanket_l0 *l0)
{
	atomic64_inc(&l0->hcalls[BLANKET_HC_PHYSMAP]);
	return blanket_direct_add_to_physmap(l0, XENMAPSPACE_shared_info, 0,
					     blanket_l0_bar_gfn(l0, 0));
}

static struct shared_info *blanket_direct_map_shared(struct blanket_l0 *l0)
{
	struct shared_info *shared;
	int err;

	err = blanket_direct_place_shared(l0);
	if (err)
		return ERR_PTR(err);
	shared = memremap(PFN_PHYS(blanket_l0_bar_gfn(l0, 0)), PAGE_SIZE,
			  MEMREMAP_WB);
	return shared ?: ERR_PTR(-ENOMEM);
}

static void blanket_direct_unmap_shared(struct blanket_l0 *l0)
{
	memunmap(l0->shared);
}

/* The INTx line is shared: only an upcall pending for us is ours. */
static irqreturn_t blanket_direct_intx_interrupt(int irq, void *data)
{
	struct blanket_l0 *l0 = data;

	if (!READ_ONCE(l0->shared->vcpu_info[0].evtchn_upcall_pending))
		return IRQ_NONE;
	blanket_l0_upcall(l0);
	return IRQ_HANDLED;
}

static irqreturn_t blanket_direct_vector_interrupt(int irq, void *data)
{
	blanket_l0_upcall(data);
	return IRQ_HANDLED;
}

/*
 * The preferred upcall: on each CPU a vector of our own, which L0 raises
 * in that vCPU's local APIC as an edge for the events bound to it
 * (HVMOP_set_evtchn_upcall_vector, Xen 4.6 and later). One EOI
 * acknowledges it, where the platform device's INTx costs a
 * level-triggered IO-APIC round trip per upcall, and can reach vCPU 0
 * only.
 */
struct blanket_direct_cpu {
	unsigned int irq;	/* of its upcall vector; 0 if none */
	u32 vcpu;		/* L0's id of it */
};

static DEFINE_PER_CPU(struct blanket_direct_cpu, blanket_direct_cpus);
/* One L0: where its CPUID leaves are, and the cpuhp state of its vectors. */
static u32 blanket_direct_cpuid_base;
static struct blanket_l0 *blanket_direct_l0;
static int blanket_direct_cpuhp;

/* A CPU's vector stays on that CPU (hwirq = the CPU). */
static int blanket_direct_vector_set_affinity(struct irq_data *d,
					      const struct cpumask *mask,
					      bool force)
{
	unsigned int cpu = irqd_to_hwirq(d);

	if (!cpumask_test_cpu(cpu, mask))
		return -EINVAL;
	return irq_chip_set_affinity_parent(d, cpumask_of(cpu), force);
}

static struct irq_chip blanket_direct_vector_chip = {
	.name = "blanket-l0",
	.irq_ack = irq_chip_ack_parent,
	.irq_set_affinity = blanket_direct_vector_set_affinity,
};

static int blanket_direct_vector_alloc(struct irq_domain *domain,
				       unsigned int virq, unsigned int nr,
				       void *arg)
{
	struct irq_alloc_info *info = arg;
	int err = irq_domain_alloc_irqs_parent(domain, virq, nr, arg);

	if (err)
		return err;
	irq_domain_set_hwirq_and_chip(domain, virq, cpumask_first(info->mask),
				      &blanket_direct_vector_chip, NULL);
	__irq_set_handler(virq, handle_edge_irq, 0, "edge");
	return 0;
}

static const struct irq_domain_ops blanket_direct_vector_ops = {
	.alloc = blanket_direct_vector_alloc,
	.free = irq_domain_free_irqs_common,
};

static void blanket_direct_vector_free(struct blanket_direct_cpu *c)
{
	free_irq(c->irq, blanket_direct_l0);
	irq_dispose_mapping(c->irq);
	c->irq = 0;
}

/* Tell L0 the vector of @c's upcall. */
static int blanket_direct_vector_set(struct blanket_l0 *l0,
				     struct blanket_direct_cpu *c)
{
	struct xen_hvm_evtchn_upcall_vector op = {
		.vcpu = c->vcpu,
		.vector = irqd_cfg(irq_get_irq_data(c->irq))->vector,
	};

	atomic64_inc(&l0->hcalls[BLANKET_HC_PARAM]);
	return BLANKET_HCALL(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector,
			     &op, 0);
}

/* A vector on @cpu for L0's upcall of @vcpu. */
static int blanket_direct_vector_bind(struct blanket_l0 *l0, unsigned int cpu,
				      u32 vcpu)
{
	struct blanket_direct_cpu *c = per_cpu_ptr(&blanket_direct_cpus, cpu);
	struct irq_alloc_info info = { .mask = cpumask_of(cpu) };
	int irq, err;

	irq = irq_domain_alloc_irqs(l0->upcall_domain, 1, cpu_to_node(cpu), &info);
	if (irq < 0)
		return irq;
	c->irq = irq;
	err = request_irq(irq, blanket_direct_vector_interrupt, IRQF_NOBALANCING,
			  "blanket-l0", l0);
	if (err) {
		irq_dispose_mapping(irq);
		c->irq = 0;
		return err;
	}
	c->vcpu = vcpu;
	/* A CPU back online gets a new vector: L0 takes the latest. */
	err = blanket_direct_vector_set(l0, c);
	if (err) {
		blanket_direct_vector_free(c);
		return err;
	}
	dev_info(l0->dev, "L0's upcall: vector %#x on CPU %u (vCPU %u)\n",
		 irqd_cfg(irq_get_irq_data(irq))->vector, cpu, vcpu);
	return 0;
}

static void blanket_native_cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx,
				 u32 *edx)
{
	cpuid(leaf, eax, ebx, ecx, edx);
}

/*
 * On @cpu as it comes online. A CPU that L0 cannot reach, or whose vCPU
 * has no vcpu_info in shared info, leaves its events to CPU 0; CPU 0
 * failing is no vector upcall at all.
 */
static int blanket_direct_cpu_online(unsigned int cpu)
{
	struct blanket_direct_cpu *c = per_cpu_ptr(&blanket_direct_cpus, cpu);
	struct blanket_l0 *l0 = blanket_direct_l0;
	u32 vcpu;
	int err;

	err = blanket_xen_cpuid_vcpu_id(blanket_native_cpuid,
					blanket_direct_cpuid_base, &vcpu);
	if (err && !cpu) {
		vcpu = 0;
		err = 0;
	}
	if (err)
		return 0;
	err = blanket_direct_vector_bind(l0, cpu, vcpu);
	if (!err) {
		err = blanket_evtchn_add_cpu(&l0->ev, cpu);
		/* L0 keeps the vector, but no port of ours is bound there. */
		if (err)
			blanket_direct_vector_free(c);
	}
	if (err) {
		dev_info(l0->dev, "no upcall on CPU %u (L0's vCPU %u): %d; its events go to CPU 0\n",
			 cpu, vcpu, err);
		return cpu ? 0 : err;
	}
	return 0;
}

/*
 * On @cpu as it goes offline: its ports move to CPU 0 before its vector
 * goes. Xen cannot take the vector back, but no port is bound there.
 */
static int blanket_direct_cpu_offline(unsigned int cpu)
{
	struct blanket_direct_cpu *c = per_cpu_ptr(&blanket_direct_cpus, cpu);

	if (!c->irq)
		return 0;
	blanket_evtchn_leave_cpu(&blanket_direct_l0->ev, cpu);
	blanket_direct_vector_free(c);
	return 0;
}

static void blanket_direct_domain_free(struct blanket_l0 *l0)
{
	struct fwnode_handle *fwnode = l0->upcall_domain->fwnode;

	irq_domain_remove(l0->upcall_domain);
	irq_domain_free_fwnode(fwnode);
	l0->upcall_domain = NULL;
}

static int blanket_direct_vectors_bind(struct blanket_l0 *l0)
{
	struct fwnode_handle *fwnode;
	int ret;

	fwnode = irq_domain_alloc_named_fwnode("blanket-l0-upcall");
	if (!fwnode)
		return -ENOMEM;
	l0->upcall_domain = irq_domain_create_hierarchy(x86_vector_domain, 0,
							nr_cpu_ids, fwnode,
							&blanket_direct_vector_ops,
							l0);
	if (!l0->upcall_domain) {
		irq_domain_free_fwnode(fwnode);
		return -ENOMEM;
	}
	blanket_direct_l0 = l0;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "blanket/direct:online",
				blanket_direct_cpu_online,
				blanket_direct_cpu_offline);
	if (ret < 0) {
		blanket_direct_domain_free(l0);
		return ret;
	}
	blanket_direct_cpuhp = ret;
	return 0;
}

/*
 * The fallback: the platform device's interrupt, a legacy IRQ by its GSI
 * number, anything else as the device's PCI INTx line.
 */
static u64 blanket_direct_callback_via(struct pci_dev *pdev)
{
	if (pdev->irq < 16)
		return pdev->irq;
	return ((u64)HVM_PARAM_CALLBACK_TYPE_PCI_INTX << BLANKET_CALLBACK_VIA_TYPE_SHIFT) |
	       ((u64)pci_domain_nr(pdev->bus) << 32) |
	       ((u64)pdev->bus->number << 16) |
	       ((u64)(pdev->devfn & 0xff) << 8) |
	       ((u64)(pdev->pin - 1) & 3);
}

static int blanket_direct_bind_intx(void *arg)
{
	struct blanket_l0 *l0 = arg;
	struct pci_dev *pdev = l0->pdev;
	int err;

	l0->upcall_irq = pdev->irq;
	err = request_irq(pdev->irq, blanket_direct_intx_interrupt, IRQF_SHARED,
			  "blanket-l0", l0);
	if (err)
		return err;
	err = blanket_direct_set_param(l0, HVM_PARAM_CALLBACK_IRQ,
				       blanket_direct_callback_via(pdev));
	if (err)
		free_irq(pdev->irq, l0);
	return err;
}

static void blanket_direct_vectors_unbind(struct blanket_l0 *l0)
{
	cpuhp_remove_state(blanket_direct_cpuhp);
	blanket_direct_domain_free(l0);
}

/*
 * HVM_PARAM_CALLBACK_IRQ: the INTx line's, or with upcall vectors GSI 1,
 * which Xen never raises for a vCPU that has a vector. L0's toolstack takes
 * an HVM guest without a callback for one without PV drivers, and saves it
 * unasked, behind our back; with one it asks through control/shutdown.
 * Linux sets it so too.
 */
static u64 blanket_direct_callback(struct blanket_l0 *l0)
{
	return l0->upcall_domain ? 1 : blanket_direct_callback_via(l0->pdev);
}

static int blanket_direct_bind_upcall(struct blanket_l0 *l0)
{
	int err;

	err = blanket_direct_vectors_bind(l0);
	if (!err) {
		err = blanket_direct_set_param(l0, HVM_PARAM_CALLBACK_IRQ,
					       blanket_direct_callback(l0));
		if (err)
			blanket_direct_vectors_unbind(l0);
		return err;
	}
	dev_info(l0->dev, "L0's upcall: the platform device's interrupt (no upcall vector: %d)\n",
		 err);
	return blanket_evtchn_single_upcall(&l0->ev, blanket_direct_bind_intx, l0);
}

/*
 * Xen has no way to take an upcall vector back; by now every port of ours
 * is closed and masked, so L0 raises it no more.
 */
static void blanket_direct_unbind_upcall(struct blanket_l0 *l0)
{
	/* Nobody answers control/shutdown now: L0 may save us unasked. */
	blanket_direct_set_param(l0, HVM_PARAM_CALLBACK_IRQ, 0);
	if (l0->upcall_domain) {
		blanket_direct_vectors_unbind(l0);
		return;
	}
	blanket_evtchn_leave_cpu(&l0->ev, 0);
	free_irq(l0->upcall_irq, l0);
}

struct blanket_direct_suspend {
	struct blanket_l0 *l0;
	int hcall;	/* 0 restored, 1 cancelled, or L0's refusal */
	int err;	/* of setting shared info and the upcall again */
};

/*
 * Shared info and the upcall, as a restore leaves them: L0's new domain
 * has neither. After a cancelled save they are as they were, and setting
 * them again changes nothing.
 */
static int blanket_direct_reattach(struct blanket_l0 *l0)
{
	unsigned int cpu;
	int err;

	err = blanket_direct_place_shared(l0) ?:
	      blanket_direct_set_param(l0, HVM_PARAM_CALLBACK_IRQ,
				       blanket_direct_callback(l0));
	if (err || !l0->upcall_domain)
		return err;
	for_each_online_cpu(cpu) {
		struct blanket_direct_cpu *c = per_cpu_ptr(&blanket_direct_cpus, cpu);

		if (c->irq) {
			err = blanket_direct_vector_set(l0, c);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * On one CPU, the others held by stop_machine with interrupts off, as
 * Linux's own HVM suspend: L0 saves the machine inside the call, which
 * returns 1 if it cancelled the save and 0 in the restored machine.
 * Nothing takes an upcall before shared info is back.
 */
static int blanket_direct_suspend_stopped(void *data)
{
	struct blanket_direct_suspend *s = data;
	struct sched_shutdown shutdown = { .reason = SHUTDOWN_suspend };

	s->hcall = BLANKET_HCALL(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
				 &shutdown, 0);
	if (s->hcall >= 0)
		s->err = blanket_direct_reattach(s->l0);
	return 0;
}

static int blanket_direct_suspend(struct blanket_l0 *l0)
{
	struct blanket_direct_suspend s = { .l0 = l0 };
	int err;

	err = stop_machine(blanket_direct_suspend_stopped, &s, cpumask_of(0));
	if (!err && s.hcall < 0)
		err = s.hcall;
	if (err) {
		dev_err(l0->dev, "the machine could not suspend: %d\n", err);
		return 1;
	}
	if (s.err) {
		dev_err(l0->dev, "L0's shared info or upcall could not be set again after its save: %d\n",
			s.err);
		return s.err;
	}
	return s.hcall ? 1 : 0;
}

static int blanket_direct_reattach_stopped(void *l0)
{
	return blanket_direct_reattach(l0);
}

/* As after the suspend call: no CPU takes an upcall before shared info is back. */
static int blanket_direct_reattach_unasked(struct blanket_l0 *l0)
{
	return stop_machine(blanket_direct_reattach_stopped, l0, cpumask_of(0));
}

/* With the INTx line, every event goes to vCPU 0. */
static int blanket_direct_vcpu_id(struct blanket_l0 *l0, unsigned int cpu,
				  u32 *vcpu)
{
	struct blanket_direct_cpu *c = per_cpu_ptr(&blanket_direct_cpus, cpu);

	if (!l0->upcall_domain) {
		*vcpu = 0;
		return cpu ? -ENOENT : 0;
	}
	if (!READ_ONCE(c->irq))
		return -ENOENT;
	*vcpu = c->vcpu;
	return 0;
}

/* In an HVM guest L0 knows our pages by their pfn. */
static xen_pfn_t blanket_direct_pfn_to_gfn(unsigned long pfn)
{
	return pfn;
}

const struct blanket_transport_ops blanket_direct_ops = {
	.name = "direct",
	.version = blanket_direct_version,
	.get_param = blanket_direct_get_param,
	.add_to_physmap = blanket_direct_add_to_physmap,
	.grant_table_op = blanket_direct_grant_table_op,
	.event_channel_op = blanket_direct_event_channel_op,
	.map_shared = blanket_direct_map_shared,
	.unmap_shared = blanket_direct_unmap_shared,
	.bind_upcall = blanket_direct_bind_upcall,
	.unbind_upcall = blanket_direct_unbind_upcall,
	.vcpu_id = blanket_direct_vcpu_id,
	.suspend = blanket_direct_suspend,
	.reattach = blanket_direct_reattach_unasked,
	.pfn_to_gfn = blanket_direct_pfn_to_gfn,
};

/*
 * Make L0's hypercalls callable, or say why not: the kernel already
 * drives L0 itself, or there is no Xen underneath.
 */
int blanket_direct_init(struct device *dev)
{
	struct blanket_xen_cpuid xen;
	struct page *page;
	u32 version;
	int err;

	if (xen_hvm_domain()) {
		dev_err(dev, "the kernel already drives Xen itself; boot it with \"nopv\" (formerly \"xen_nopv\") to let blanket use L0\n");
		return -EBUSY;
	}
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR) ||
	    blanket_xen_cpuid_find(blanket_native_cpuid, &xen)) {
		dev_err(dev, "no Xen hypervisor underneath\n");
		return -ENODEV;
	}

	page = vmalloc_to_page(blanket_hypercall_page);
	if (!page)
		return -ENOMEM;
	err = wrmsrq_safe(xen.hcall_msr, page_to_phys(page));
	if (err) {
		dev_err(dev, "L0 refused its hypercall page (MSR %#x)\n", xen.hcall_msr);
		return -ENODEV;
	}
	err = blanket_direct_version(NULL, &version);
	if (err || version != xen.version) {
		dev_err(dev, "L0's hypercall page does not answer (%d)\n", err);
		return -ENODEV;
	}
	blanket_direct_cpuid_base = xen.base;
	dev_info(dev, "L0 is Xen %u.%u, CPUID base %#x\n", version >> 16,
		 version & 0xffff, xen.base);
	return 0;
}
