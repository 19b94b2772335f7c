// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarded transport's marshalling and event relay, against a fake
 * L1 Xen that implements blanket_l1_op as include/blanket/l1_abi.h
 * describes it: claimed ports only, padding checked, claimed L0 events
 * marked in the registered relay page for the vCPU the port is bound to,
 * and a port Dom0 has masked there held masked at L0 until Dom0 unmasks
 * it, shown in the page's held bitmap. It runs one thing at a time, so
 * it never finds a port unmasked between holding it and testing again.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <asm/sync_bitops.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>

#include "blanket_xenbus/evtchn.h"
#include "blanket_xenbus/l1.h"
#include "fake_l0.h"

#define WORD_BITS	(sizeof(xen_ulong_t) * BITS_PER_BYTE)
#define BAR_START	0xf1000ULL
#define BAR_END		(BAR_START + 0x100)
#define RELAY_MFN	0x12345ULL
#define STORE_MFN	0xfeffcULL
#define STORE_PORT	2
#define BACKEND_DOMID	5
#define DOM0_VCPUS	4

struct fake_l1 {
	long force;			/* if nonzero, every call returns it */
	struct blanket_l1_query query;	/* what QUERY answers */
	u32 query_in;			/* the ABI version Dom0 passed */
	unsigned int calls;
	unsigned int last_op;
	struct blanket_l1_gnttab_map last_map;
	struct blanket_l1_evtchn last_ev;
	struct shared_info *page;	/* the relay page, once registered */
	struct shared_info *relay;
	DECLARE_BITMAP(claimed, EVTCHN_2L_NR_CHANNELS);
	evtchn_port_t next_port;
	unsigned int virqs;		/* BLANKET_L1_VIRQ raised on Dom0 */
	unsigned int virqs_on[DOM0_VCPUS];	/* on each of its vCPUs */
	u8 vcpu[EVTCHN_2L_NR_CHANNELS];	/* the vCPU a port is relayed to */
	long keep_relay;		/* if nonzero, RELAY_NONE returns it */
	long save_answer;		/* what SUSPEND and REATTACH answer */
	/* L0's side: ports L1 Xen holds masked there, events kept there. */
	DECLARE_BITMAP(l0_masked, EVTCHN_2L_NR_CHANNELS);
	DECLARE_BITMAP(l0_pending, EVTCHN_2L_NR_CHANNELS);
	unsigned int l1_upcalls;	/* L0 events that reached L1 Xen */
	unsigned int unmasks;		/* EVTCHN_UNMASK calls */
	unsigned int storm;		/* L0 events the handler's first run raises */
	u32 dom0_vcpu[2];		/* each CPU's, as xen_vcpu_nr() says */

	struct blanket_l1 l1;
	struct blanket_evtchn ev;
	unsigned int handled[64];
	bool raise_in_handler;
};

/* The held bitmap of the registered relay page. */
static unsigned long *fake_relay_held(struct fake_l1 *fx)
{
	return (void *)fx->relay + BLANKET_L1_RELAY_HELD_OFFSET;
}

/* L1 Xen's 2-level delivery on the relay page, to the port's vCPU. */
static void fake_relay_raise(struct fake_l1 *fx, evtchn_port_t port)
{
	struct vcpu_info *v = &fx->relay->vcpu_info[fx->vcpu[port]];

	if (sync_test_bit(port, fx->relay->evtchn_mask) ||
	    sync_test_and_set_bit(port / WORD_BITS, &v->evtchn_pending_sel))
		return;
	WRITE_ONCE(v->evtchn_upcall_pending, 1);
	fx->virqs++;
	fx->virqs_on[fx->vcpu[port]]++;
}

/*
 * L0 raised @port. Masked at L0, it stays there; otherwise L1 Xen's upcall
 * handler relays it, and holds the port masked at L0 while Dom0 has it
 * masked (or has no relay page).
 */
static void fake_l0_event(struct fake_l1 *fx, evtchn_port_t port)
{
	if (test_bit(port, fx->l0_masked)) {
		set_bit(port, fx->l0_pending);
		return;
	}
	fx->l1_upcalls++;
	if (!test_bit(port, fx->claimed))
		return;
	if (fx->relay && !sync_test_and_set_bit(port, fx->relay->evtchn_pending))
		fake_relay_raise(fx, port);
	if (!fx->relay || sync_test_bit(port, fx->relay->evtchn_mask)) {
		set_bit(port, fx->l0_masked);
		if (fx->relay)
			sync_set_bit(port, fake_relay_held(fx));
	}
}

/* A port L1 Xen holds at L0 no more: nor in the relay page. */
static void fake_drop_held(struct fake_l1 *fx, evtchn_port_t port)
{
	clear_bit(port, fx->l0_masked);
	if (fx->relay)
		sync_clear_bit(port, fake_relay_held(fx));
}

/*
 * A port L1 Xen claims for Dom0: relayed to vCPU 0, unmasked at L0 unless
 * held there.
 */
static void fake_claim(struct fake_l1 *fx, evtchn_port_t port)
{
	fx->vcpu[port] = 0;
	if (test_and_set_bit(port, fx->claimed) && test_bit(port, fx->l0_masked))
		return;
	fake_drop_held(fx, port);
	clear_bit(port, fx->l0_pending);
}

/* UNMASK: the relay page's bit, and at L0 a port held there. */
static void fake_unmask(struct fake_l1 *fx, evtchn_port_t port)
{
	bool held = false;

	fx->unmasks++;
	if (fx->relay) {
		held = test_bit(port, fx->l0_masked);
		if (held) {
			fake_drop_held(fx, port);
			sync_set_bit(port, fx->relay->evtchn_pending);
		}
		sync_clear_bit(port, fx->relay->evtchn_mask);
		if (sync_test_bit(port, fx->relay->evtchn_pending))
			fake_relay_raise(fx, port);
	}
	/* EVTCHNOP_unmask at L0 raises what came while it was masked. */
	if (held && test_and_clear_bit(port, fx->l0_pending))
		fake_l0_event(fx, port);
}

static long fake_evtchn(struct fake_l1 *fx, unsigned int op,
			struct blanket_l1_evtchn *e)
{
	if (e->pad)
		return -EINVAL;
	fx->last_ev = *e;
	if (op == BLANKET_L1_EVTCHN_ALLOC_UNBOUND) {
		e->port = fx->next_port++;
		fake_claim(fx, e->port);
		return 0;
	}
	if (e->port >= EVTCHN_2L_NR_CHANNELS || !test_bit(e->port, fx->claimed))
		return -EPERM;
	switch (op) {
	case BLANKET_L1_EVTCHN_SEND:
		return 0;
	case BLANKET_L1_EVTCHN_UNMASK:
		fake_unmask(fx, e->port);
		return 0;
	case BLANKET_L1_EVTCHN_CLOSE:
		/* L0's xenstore port could never be bound again. */
		if (e->port == STORE_PORT)
			return -EPERM;
		clear_bit(e->port, fx->claimed);
		fake_drop_held(fx, e->port);
		/* Masked at L0, as every port L1 Xen does not use. */
		set_bit(e->port, fx->l0_masked);
		return 0;
	case BLANKET_L1_EVTCHN_STATUS:
		e->status = EVTCHNSTAT_interdomain;
		e->remote_dom = BACKEND_DOMID;
		e->remote_port = 33;
		return 0;
	}
	return -EOPNOTSUPP;
}

static long fake_bind_vcpu(struct fake_l1 *fx,
			   const struct blanket_l1_evtchn_bind_vcpu *b)
{
	if (b->port >= EVTCHN_2L_NR_CHANNELS || !test_bit(b->port, fx->claimed))
		return -EPERM;
	if (b->vcpu >= MAX_VIRT_CPUS)
		return -EINVAL;
	if (b->vcpu >= DOM0_VCPUS)
		return -ENOENT;
	fx->vcpu[b->port] = b->vcpu;
	return 0;
}

static long fake_call(void *ctx, unsigned int op, void *arg)
{
	struct fake_l1 *fx = ctx;
	unsigned long port;

	fx->calls++;
	fx->last_op = op;
	if (fx->force)
		return fx->force;
	switch (op) {
	case BLANKET_L1_QUERY:
		fx->query_in = ((struct blanket_l1_query *)arg)->abi_version;
		*(struct blanket_l1_query *)arg = fx->query;
		return 0;
	case BLANKET_L1_XENSTORE: {
		struct blanket_l1_xenstore *xs = arg;

		xs->mfn = STORE_MFN;
		xs->port = STORE_PORT;
		fake_claim(fx, STORE_PORT);
		return 0;
	}
	case BLANKET_L1_GNTTAB_MAP:
		fx->last_map = *(struct blanket_l1_gnttab_map *)arg;
		if (fx->last_map.pad)
			return -EINVAL;
		if (fx->last_map.mfn < BAR_START || fx->last_map.mfn >= BAR_END)
			return -EPERM;
		return 0;
	case BLANKET_L1_RELAY: {
		u64 mfn = ((struct blanket_l1_relay *)arg)->mfn;

		if (mfn != BLANKET_L1_RELAY_NONE && mfn != RELAY_MFN)
			return -EINVAL;
		if (mfn == BLANKET_L1_RELAY_NONE && fx->keep_relay)
			return fx->keep_relay;
		fx->relay = mfn == RELAY_MFN ? fx->page : NULL;
		/* The ports held already, as the new page shows them. */
		if (fx->relay)
			for_each_set_bit(port, fx->l0_masked, EVTCHN_2L_NR_CHANNELS)
				if (test_bit(port, fx->claimed))
					sync_set_bit(port, fake_relay_held(fx));
		return 0;
	}
	case BLANKET_L1_EVTCHN_ALLOC_UNBOUND ... BLANKET_L1_EVTCHN_STATUS:
		return fake_evtchn(fx, op, arg);
	case BLANKET_L1_EVTCHN_BIND_VCPU:
		return fake_bind_vcpu(fx, arg);
	case BLANKET_L1_SUSPEND:
	case BLANKET_L1_REATTACH:
		return arg ? -EINVAL : fx->save_answer;
	}
	return -EOPNOTSUPP;
}

static int l1_test_init(struct kunit *test)
{
	struct fake_l1 *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	if (!fx->page)
		return -ENOMEM;
	fx->query = (struct blanket_l1_query) {
		.abi_version = BLANKET_L1_ABI_VERSION,
		.features = BLANKET_L1_F_L0,
		.l0_version = 4 << 16 | 17,
		.gnttab_frames = 1,
		.gnttab_max_frames = 64,
	};
	fx->next_port = 10;
	fx->l1.call = fake_call;
	fx->l1.ctx = fx;
	test->priv = fx;
	return 0;
}

static void l1_probe_test(struct kunit *test)
{
	static const struct {
		long force;
		u32 abi_version, features;
		int err;
		const char *why;
	} cases[] = {
		/* What an unpatched Xen answers to an unknown hypercall. */
		{ -38, 2, BLANKET_L1_F_L0, -ENODEV, "lacks the patch" },
		{ -EPERM, 2, BLANKET_L1_F_L0, -EPERM, "hardware domain" },
		{ -EFAULT, 2, BLANKET_L1_F_L0, -ENODEV, "lacks the patch" },
		{ 1, 2, BLANKET_L1_F_L0, -ENODEV, "lacks the patch" },
		/* ABI 1's Dom0 cleared relay mask bits itself. */
		{ 0, 1, BLANKET_L1_F_L0, -EPROTO, "ABI version" },
		/* Above the version we passed. */
		{ 0, BLANKET_L1_ABI_VERSION + 1, BLANKET_L1_F_L0, -EPROTO,
		  "ABI version" },
		{ 0, 2, 0, -ENODEV, "cannot reach L0" },
	};
	struct fake_l1 *fx = test->priv;
	struct blanket_l1_query q;
	const char *why;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fx->force = cases[i].force;
		fx->query.abi_version = cases[i].abi_version;
		fx->query.features = cases[i].features;
		why = NULL;
		err = blanket_l1_probe(&fx->l1, &q, &why);
		KUNIT_EXPECT_EQ_MSG(test, err, cases[i].err, "case %u", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "case %u", i);
		if (why)
			KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, cases[i].why),
						  "case %u: %s", i, why);
	}

	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, 0U);

	fx->force = 0;
	fx->query.abi_version = BLANKET_L1_ABI_VERSION;
	fx->query.features = BLANKET_L1_F_L0;
	KUNIT_EXPECT_EQ(test, blanket_l1_probe(&fx->l1, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_QUERY);
	KUNIT_EXPECT_EQ(test, fx->query_in, (u32)BLANKET_L1_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, q.l0_version, (u32)(4 << 16 | 17));
	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, (u32)BLANKET_L1_ABI_VERSION);
	KUNIT_EXPECT_TRUE(test, blanket_l1_per_vcpu(&fx->l1));
	KUNIT_EXPECT_TRUE(test, blanket_l1_can_suspend(&fx->l1));
	KUNIT_EXPECT_TRUE(test, blanket_l1_can_reattach(&fx->l1));

	/* An L1 Xen of version 5 answers 5: has L0 save, cannot reattach. */
	fx->query.abi_version = 5;
	KUNIT_EXPECT_EQ(test, blanket_l1_probe(&fx->l1, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, 5U);
	KUNIT_EXPECT_TRUE(test, blanket_l1_can_suspend(&fx->l1));
	KUNIT_EXPECT_FALSE(test, blanket_l1_can_reattach(&fx->l1));

	/* An L1 Xen of version 4 answers 4: spoken, cannot have L0 save. */
	fx->query.abi_version = 4;
	KUNIT_EXPECT_EQ(test, blanket_l1_probe(&fx->l1, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, 4U);
	KUNIT_EXPECT_FALSE(test, blanket_l1_can_suspend(&fx->l1));

	/* An L1 Xen of version 3 answers 3: spoken, unmasks through it. */
	fx->query.abi_version = 3;
	KUNIT_EXPECT_EQ(test, blanket_l1_probe(&fx->l1, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, 3U);

	/* An L1 Xen of version 2 answers 2: spoken, events on vCPU 0. */
	fx->query.abi_version = 2;
	KUNIT_EXPECT_EQ(test, blanket_l1_probe(&fx->l1, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, fx->l1.abi_version, 2U);
	KUNIT_EXPECT_FALSE(test, blanket_l1_per_vcpu(&fx->l1));
}

/*
 * SUSPEND's and REATTACH's answers (sub-op @op, from ABI @version on, by
 * @fn): 0, restored; @one for 1, nothing changed; or an error when
 * nothing happened. An answer outside the ABI leaves where the machine
 * runs unknown.
 */
static void l1_save_answers(struct kunit *test, unsigned int op, u32 version,
			    int (*fn)(const struct blanket_l1 *l1), int one)
{
	static const struct {
		long answer;
		int ret;
	} cases[] = {
		{ 0, 0 }, { -EBUSY, -EBUSY }, { -EINVAL, -EINVAL },
		{ -MAX_ERRNO, -MAX_ERRNO }, { 2, -EPROTO },
		{ -MAX_ERRNO - 1, -EPROTO }, { LONG_MIN, -EPROTO },
		{ LONG_MAX, -EPROTO },
	};
	struct fake_l1 *fx = test->priv;
	unsigned int i;

	/* Before its version L1 Xen is not asked. */
	fx->l1.abi_version = version - 1;
	KUNIT_EXPECT_EQ(test, fn(&fx->l1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);

	fx->l1.abi_version = version;
	for (i = 0; i <= ARRAY_SIZE(cases); i++) {
		bool last = i == ARRAY_SIZE(cases);

		fx->save_answer = last ? 1 : cases[i].answer;
		fx->last_op = BLANKET_L1_QUERY;
		KUNIT_EXPECT_EQ_MSG(test, fn(&fx->l1), last ? one : cases[i].ret,
				    "answer %ld", fx->save_answer);
		KUNIT_EXPECT_EQ(test, fx->last_op, op);
	}
	KUNIT_EXPECT_EQ(test, fx->calls, (unsigned int)ARRAY_SIZE(cases) + 1);
}

/* 1: L0 cancelled the save. */
static void l1_suspend_test(struct kunit *test)
{
	l1_save_answers(test, BLANKET_L1_SUSPEND, 5, blanket_l1_suspend, 1);
}

/* 1: L1 Xen sees the machine in the domain it was in. */
static void l1_reattach_test(struct kunit *test)
{
	l1_save_answers(test, BLANKET_L1_REATTACH, 6, blanket_l1_reattach,
			-ESTALE);
}

/* Which of Dom0's vCPUs L1 Xen can relay to, by ABI version. */
static void l1_vcpu_id_test(struct kunit *test)
{
	static const struct {
		u32 abi_version, dom0_vcpu;
		int err;
	} cases[] = {
		{ 3, 0, 0 }, { 3, 5, 0 }, { 3, MAX_VIRT_CPUS - 1, 0 },
		{ 2, 0, 0 }, { 2, 1, -ENOENT },
	};
	struct fake_l1 *fx = test->priv;
	unsigned int i;
	u32 vcpu;
	int err;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fx->l1.abi_version = cases[i].abi_version;
		vcpu = U32_MAX;
		err = blanket_l1_vcpu_id(&fx->l1, cases[i].dom0_vcpu, &vcpu);
		KUNIT_EXPECT_EQ_MSG(test, err, cases[i].err, "case %u", i);
		if (!cases[i].err)
			KUNIT_EXPECT_EQ_MSG(test, vcpu, cases[i].dom0_vcpu,
					    "case %u", i);
	}
}

/*
 * EVTCHNOP_bind_vcpu becomes BIND_VCPU at version 3; at version 2 only
 * vCPU 0, where every port is already, and without asking L1 Xen.
 */
static void l1_bind_vcpu_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF };
	struct evtchn_bind_vcpu bind = {};
	int err;

	fx->l1.abi_version = 3;
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_alloc_unbound,
							  &alloc), 0);
	bind.port = alloc.port;
	bind.vcpu = 2;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_EVTCHN_BIND_VCPU);
	KUNIT_EXPECT_EQ(test, fx->vcpu[bind.port], 2);

	/* L1 Xen's refusals reach the caller. */
	bind.vcpu = DOM0_VCPUS;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	bind.port++;
	bind.vcpu = 1;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
	KUNIT_EXPECT_EQ(test, err, -EPERM);

	fx->calls = 0;
	bind.port--;
	fx->l1.abi_version = 2;
	bind.vcpu = 1;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	bind.vcpu = 0;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);
	KUNIT_EXPECT_EQ(test, fx->vcpu[bind.port], 2);
}

static void l1_query_users_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct gnttab_query_size size = { .dom = DOMID_SELF };
	u32 version = 0;
	int err;

	KUNIT_EXPECT_EQ(test, blanket_l1_version(&fx->l1, &version), 0);
	KUNIT_EXPECT_EQ(test, version, (u32)(4 << 16 | 17));

	err = blanket_l1_grant_table_op(&fx->l1, GNTTABOP_query_size, &size, 1);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, size.nr_frames, 1U);
	KUNIT_EXPECT_EQ(test, size.max_nr_frames, 64U);
	KUNIT_EXPECT_EQ(test, size.status, (s16)GNTST_okay);

	/* Refused before they reach L1 Xen. */
	fx->calls = 0;
	err = blanket_l1_grant_table_op(&fx->l1, GNTTABOP_setup_table, &size, 1);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	err = blanket_l1_grant_table_op(&fx->l1, GNTTABOP_query_size, &size, 2);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	size.dom = 3;
	err = blanket_l1_grant_table_op(&fx->l1, GNTTABOP_query_size, &size, 1);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);

	/* L1 Xen's errors pass through; what is no errno becomes -EIO. */
	fx->force = -ENODEV;
	KUNIT_EXPECT_EQ(test, blanket_l1_version(&fx->l1, &version), -ENODEV);
	fx->force = 42;
	KUNIT_EXPECT_EQ(test, blanket_l1_version(&fx->l1, &version), -EIO);
	fx->force = -100000;
	KUNIT_EXPECT_EQ(test, blanket_l1_version(&fx->l1, &version), -EIO);
}

static void l1_xenstore_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct evtchn_send send = { .port = STORE_PORT };
	struct evtchn_close close = {};
	u64 value = 0;
	int err;

	/* Not ours before L1 Xen handed it out. */
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_send, &send);
	KUNIT_EXPECT_EQ(test, err, -EPERM);

	KUNIT_EXPECT_EQ(test, blanket_l1_get_param(&fx->l1, HVM_PARAM_STORE_PFN, &value), 0);
	KUNIT_EXPECT_EQ(test, value, STORE_MFN);
	KUNIT_EXPECT_EQ(test, blanket_l1_get_param(&fx->l1, HVM_PARAM_STORE_EVTCHN, &value), 0);
	KUNIT_EXPECT_EQ(test, value, (u64)STORE_PORT);
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_send, &send);
	KUNIT_EXPECT_EQ(test, err, 0);
	/* L1 Xen's refusal to close it reaches the caller. */
	close.port = STORE_PORT;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_close, &close);
	KUNIT_EXPECT_EQ(test, err, -EPERM);

	fx->calls = 0;
	err = blanket_l1_get_param(&fx->l1, HVM_PARAM_CALLBACK_IRQ, &value);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);
}

static void l1_physmap_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	int err;

	err = blanket_l1_add_to_physmap(&fx->l1, XENMAPSPACE_grant_table, 3,
					BAR_START + 4);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_GNTTAB_MAP);
	KUNIT_EXPECT_EQ(test, fx->last_map.mfn, BAR_START + 4);
	KUNIT_EXPECT_EQ(test, fx->last_map.idx, 3U);
	KUNIT_EXPECT_EQ(test, fx->last_map.pad, 0U);

	/* L1 Xen refuses frames outside the platform BAR. */
	err = blanket_l1_add_to_physmap(&fx->l1, XENMAPSPACE_grant_table, 0, 0x1000);
	KUNIT_EXPECT_EQ(test, err, -EPERM);

	fx->calls = 0;
	err = blanket_l1_add_to_physmap(&fx->l1, XENMAPSPACE_shared_info, 0, BAR_START);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	err = blanket_l1_add_to_physmap(&fx->l1, XENMAPSPACE_grant_table,
					1UL << 32, BAR_START);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);
}

static void l1_evtchn_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF, .remote_dom = BACKEND_DOMID,
	};
	struct evtchn_status status = { .dom = DOMID_SELF };
	struct evtchn_bind_virq virq = {};
	struct evtchn_unmask unmask = {};
	struct evtchn_close close = {};
	struct evtchn_send send = {};
	int err;

	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_alloc_unbound, &alloc);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, alloc.port, 10U);
	KUNIT_EXPECT_EQ(test, fx->last_ev.remote_dom, (u16)BACKEND_DOMID);

	send.port = alloc.port;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_send, &send), 0);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_EVTCHN_SEND);
	KUNIT_EXPECT_EQ(test, fx->last_ev.port, alloc.port);
	unmask.port = alloc.port;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_unmask, &unmask), 0);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_EVTCHN_UNMASK);

	status.port = alloc.port;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_status, &status), 0);
	KUNIT_EXPECT_EQ(test, status.status, (u32)EVTCHNSTAT_interdomain);
	KUNIT_EXPECT_EQ(test, status.u.interdomain.dom, (domid_t)BACKEND_DOMID);
	KUNIT_EXPECT_EQ(test, status.u.interdomain.port, 33U);

	close.port = alloc.port;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_close, &close), 0);
	/* Closed, so no longer ours. */
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_send, &send), -EPERM);
	send.port = 1;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_send, &send), -EPERM);

	/* Other domains and other ops never reach L1 Xen. */
	fx->calls = 0;
	alloc.dom = 3;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_alloc_unbound, &alloc);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	status.dom = 3;
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_status, &status);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	err = blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_virq, &virq);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, fx->calls, 0U);
}

static void l1_relay_init_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	unsigned int i;

	memset(fx->page, 0x5a, PAGE_SIZE);
	blanket_l1_relay_init(fx->page);
	for (i = 0; i < ARRAY_SIZE(fx->page->evtchn_mask); i++) {
		KUNIT_EXPECT_EQ(test, fx->page->evtchn_mask[i], ~0UL);
		KUNIT_EXPECT_EQ(test, fx->page->evtchn_pending[i], 0UL);
	}
	KUNIT_EXPECT_EQ(test, fx->page->vcpu_info[0].evtchn_pending_sel, 0UL);
	KUNIT_EXPECT_EQ(test, fx->page->vcpu_info[0].evtchn_upcall_pending, 0);
	/* No port held before L1 Xen says so. */
	fx->relay = fx->page;
	KUNIT_EXPECT_EQ(test, find_first_bit(fake_relay_held(fx), EVTCHN_2L_NR_CHANNELS),
			(unsigned long)EVTCHN_2L_NR_CHANNELS);
}

static bool relay_handler(evtchn_port_t port, void *data)
{
	struct fake_l1 *fx = data;

	/* The backend answers while the port is masked for us. */
	if (fx->handled[port]++ == 0 && fx->raise_in_handler)
		fake_l0_event(fx, port);
	return true;
}

static int relay_unmask(void *ctx, evtchn_port_t port)
{
	struct fake_l1 *fx = ctx;
	struct evtchn_unmask unmask = { .port = port };

	return blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_unmask, &unmask);
}

/*
 * Dom0's demultiplexer as the forwarded transport sets it up, for the ABI
 * version in fx->l1.
 */
static void relay_setup(struct fake_l1 *fx)
{
	blanket_l1_relay_init(fx->page);
	blanket_evtchn_init(&fx->ev, fx->page, relay_unmask, fx);
	blanket_l1_setup_unmask(&fx->l1, &fx->ev, fx->page);
}

/* The tests of holding at L0, with and without unmasking in place. */
static const u32 relay_versions[] = { 3, 4 };

static void relay_version_desc(const u32 *version, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "ABI %u", *version);
}

KUNIT_ARRAY_PARAM(relay_version, relay_versions, relay_version_desc);

static u32 relay_version_param(struct kunit *test)
{
	return *(const u32 *)test->param_value;
}

static evtchn_port_t relay_alloc(struct kunit *test, struct fake_l1 *fx)
{
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF };

	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_alloc_unbound,
							  &alloc), 0);
	return alloc.port;
}

/*
 * A fresh port, bound to @handler in Dom0's demultiplexer set up for ABI
 * @version.
 */
static evtchn_port_t relay_bound(struct kunit *test, struct fake_l1 *fx,
				 u32 version, blanket_evtchn_handler_t handler)
{
	evtchn_port_t port;

	fx->l1.abi_version = version;
	relay_setup(fx);
	KUNIT_ASSERT_EQ(test, blanket_l1_set_relay(&fx->l1, RELAY_MFN), 0);
	port = relay_alloc(test, fx);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, port, "test", handler, fx), 0);
	return port;
}

/* The forwarded transport's vCPU ids and binds, on the fake L1 Xen. */
static int relay_vcpu_id(void *ctx, unsigned int cpu, u32 *vcpu)
{
	struct fake_l1 *fx = ctx;

	if (cpu >= ARRAY_SIZE(fx->dom0_vcpu))
		return -ENOENT;
	return blanket_l1_vcpu_id(&fx->l1, fx->dom0_vcpu[cpu], vcpu);
}

static int relay_bind_vcpu(void *ctx, evtchn_port_t port, u32 vcpu)
{
	struct fake_l1 *fx = ctx;
	struct evtchn_bind_vcpu bind = { .port = port, .vcpu = vcpu };

	return blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu, &bind);
}

static unsigned int relay_upcall_cpus(struct fake_l1 *fx)
{
	struct blanket_evtchn_stats stats;

	blanket_evtchn_get_stats(&fx->ev, &stats);
	return stats.upcall_cpus;
}

/*
 * upcall_cpus as the forwarded transport keeps it: at version 3 every CPU
 * whose VIRQ is bound and that the relay page has a vcpu_info for; at
 * version 2 CPU 0 alone, the only one L1 Xen relays to.
 */
static void l1_upcall_cpus_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	evtchn_port_t port;

	fx->l1.abi_version = 3;
	relay_setup(fx);
	fx->ev.vcpu_id = relay_vcpu_id;
	fx->ev.bind_vcpu = relay_bind_vcpu;
	fx->dom0_vcpu[1] = 1;
	KUNIT_ASSERT_EQ(test, blanket_l1_set_relay(&fx->l1, RELAY_MFN), 0);
	port = relay_alloc(test, fx);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, port, "test", relay_handler, fx), 0);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 0U);

	/* Both CPUs' VIRQs bound: a port can go to CPU 1. */
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 0), 0);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), 0);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 2U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_move(&fx->ev, port, 1), 1);
	KUNIT_EXPECT_EQ(test, fx->vcpu[port], 1);

	/* CPU 1 offline, then back as a vCPU beyond the relay page's 32. */
	blanket_evtchn_leave_cpu(&fx->ev, 1);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 1U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_move(&fx->ev, port, 1), 0);
	KUNIT_EXPECT_EQ(test, fx->vcpu[port], 0);
	fx->dom0_vcpu[1] = MAX_VIRT_CPUS;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 1U);
	blanket_evtchn_leave_cpu(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 0U);

	/* Version 2: L1 Xen relays to vCPU 0 only. */
	fx->l1.abi_version = 2;
	fx->dom0_vcpu[1] = 1;
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 0), 0);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_add_cpu(&fx->ev, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, relay_upcall_cpus(fx), 1U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_move(&fx->ev, port, 1), 0);

	blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

/* L0 events reach a bound handler through the relay page and the VIRQ. */
static void l1_relay_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct vcpu_info *v = &fx->page->vcpu_info[0];
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF };
	evtchn_port_t port;

	relay_setup(fx);
	KUNIT_EXPECT_EQ(test, blanket_l1_set_relay(&fx->l1, 0x777), -EINVAL);
	KUNIT_ASSERT_EQ(test, blanket_l1_set_relay(&fx->l1, RELAY_MFN), 0);
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_alloc_unbound,
							  &alloc), 0);
	port = alloc.port;

	/* Masked until bound: marked, but no VIRQ. */
	fake_l0_event(fx, port);
	KUNIT_EXPECT_EQ(test, fx->virqs, 0U);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, port, "test", relay_handler, fx), 0);
	/* Binding unmasks through L1 Xen, which raises the lost edge. */
	KUNIT_EXPECT_EQ(test, fx->virqs, 1U);
	KUNIT_EXPECT_EQ(test, v->evtchn_upcall_pending, 1);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 1U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));

	/* An edge during the handler comes back once the port is unmasked. */
	fx->handled[port] = 0;
	fx->raise_in_handler = true;
	fake_l0_event(fx, port);
	KUNIT_EXPECT_EQ(test, fx->virqs, 2U);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 2U);
	KUNIT_EXPECT_EQ(test, fx->virqs, 3U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_pending));
	KUNIT_EXPECT_EQ(test, v->evtchn_upcall_pending, 0);

	/* Ports Dom0 did not claim are never marked. */
	fake_l0_event(fx, port + 1);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port + 1, fx->page->evtchn_pending));

	/* Unregistered, L1 Xen writes nothing more. */
	KUNIT_EXPECT_EQ(test, blanket_l1_set_relay(&fx->l1, BLANKET_L1_RELAY_NONE), 0);
	fake_l0_event(fx, port);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_pending));
	KUNIT_EXPECT_EQ(test, fx->virqs, 3U);

	blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

/*
 * Version 3: a port's events are marked in the vcpu_info of the vCPU it is
 * bound to. Moved with its mask set, a pending port is raised on its new
 * vCPU by the unmask after the bind.
 */
static void l1_relay_to_vcpu_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct vcpu_info *vi = fx->page->vcpu_info;
	struct evtchn_bind_vcpu bind = { .vcpu = 2 };
	struct evtchn_unmask unmask = {};

	fx->l1.abi_version = 3;
	blanket_l1_relay_init(fx->page);
	KUNIT_ASSERT_EQ(test, blanket_l1_set_relay(&fx->l1, RELAY_MFN), 0);
	bind.port = relay_alloc(test, fx);
	unmask.port = bind.port;
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu,
							  &bind), 0);
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_unmask,
							  &unmask), 0);

	fake_l0_event(fx, bind.port);
	KUNIT_EXPECT_EQ(test, fx->virqs_on[2], 1U);
	KUNIT_EXPECT_EQ(test, vi[2].evtchn_upcall_pending, 1);
	KUNIT_EXPECT_TRUE(test, sync_test_bit(bind.port / WORD_BITS,
					      &vi[2].evtchn_pending_sel));
	KUNIT_EXPECT_EQ(test, vi[0].evtchn_upcall_pending, 0);
	KUNIT_EXPECT_EQ(test, vi[0].evtchn_pending_sel, 0UL);

	/* Not handled yet; Dom0 moves the port to vCPU 1. */
	sync_set_bit(bind.port, fx->page->evtchn_mask);
	bind.vcpu = 1;
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_bind_vcpu,
							  &bind), 0);
	KUNIT_ASSERT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_unmask,
							  &unmask), 0);
	KUNIT_EXPECT_EQ(test, fx->virqs_on[1], 1U);
	KUNIT_EXPECT_EQ(test, vi[1].evtchn_upcall_pending, 1);
	KUNIT_EXPECT_EQ(test, fx->virqs_on[0], 0U);
}

/*
 * ABI 2 and 3: Dom0 never clears a relay mask bit itself; L1 Xen sees
 * each unmask.
 */
static void l1_unmask_through_l1_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	evtchn_port_t port = relay_bound(test, fx, 3, relay_handler);

	/* Nothing pending: unmasked all the same, by L1 Xen. */
	KUNIT_EXPECT_EQ(test, fx->unmasks, 1U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));

	fake_l0_event(fx, port);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 1U);
	KUNIT_EXPECT_EQ(test, fx->unmasks, 2U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));

	blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

/*
 * ABI 4: Dom0 unmasks in place, and asks L1 Xen only for a port that is
 * pending or held at L0. Nothing is lost either way.
 */
static void l1_unmask_in_place_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	evtchn_port_t port = relay_bound(test, fx, 4, relay_handler);
	struct evtchn_close close = {};

	/* Bound with nothing pending: unmasked without a call. */
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));
	KUNIT_EXPECT_EQ(test, fx->unmasks, 0U);

	/* An event handled: unmasked after its handler, again without one. */
	fake_l0_event(fx, port);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 1U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));
	KUNIT_EXPECT_EQ(test, fx->unmasks, 0U);

	/*
	 * An event during the handler is held at L0: the unmask finds it
	 * held and has L1 Xen let it go, which raises it.
	 */
	fx->handled[port] = 0;
	fx->raise_in_handler = true;
	fake_l0_event(fx, port);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->unmasks, 1U);
	KUNIT_EXPECT_FALSE(test, test_bit(port, fx->l0_masked));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fake_relay_held(fx)));
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 2U);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_pending));
	KUNIT_EXPECT_EQ(test, fx->unmasks, 1U);

	/* A closed port is held no more, nor shown held. */
	fx->raise_in_handler = false;
	sync_set_bit(port, fx->page->evtchn_mask);
	fake_l0_event(fx, port);
	KUNIT_EXPECT_TRUE(test, sync_test_bit(port, fake_relay_held(fx)));
	blanket_evtchn_unbind(&fx->ev, port);
	close.port = port;
	KUNIT_EXPECT_EQ(test, blanket_l1_event_channel_op(&fx->l1, EVTCHNOP_close, &close), 0);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fake_relay_held(fx)));
	blanket_evtchn_destroy(&fx->ev);
}

/*
 * A driver reloaded over L0's xenstore port: events that came while no
 * relay page was registered were held at L0, asking for the port again
 * keeps them there, and binding it releases them.
 */
static void l1_held_before_relay_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	evtchn_port_t port;
	unsigned int i;
	u64 value = 0;

	fx->l1.abi_version = relay_version_param(test);
	relay_setup(fx);
	KUNIT_ASSERT_EQ(test, blanket_l1_get_param(&fx->l1, HVM_PARAM_STORE_EVTCHN, &value), 0);
	port = value;
	for (i = 0; i < 10; i++)
		fake_l0_event(fx, port);
	KUNIT_EXPECT_EQ(test, fx->l1_upcalls, 1U);
	KUNIT_EXPECT_TRUE(test, test_bit(port, fx->l0_masked));

	KUNIT_ASSERT_EQ(test, blanket_l1_get_param(&fx->l1, HVM_PARAM_STORE_EVTCHN, &value), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(port, fx->l0_masked));
	KUNIT_ASSERT_EQ(test, blanket_l1_set_relay(&fx->l1, RELAY_MFN), 0);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, port, "test", relay_handler, fx), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(port, fx->l0_masked));
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 1U);

	/* And later events get through. */
	fake_l0_event(fx, port);
	fake_evtchn_upcall(&fx->ev, 0);
	KUNIT_EXPECT_EQ(test, fx->handled[port], 2U);

	blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

static bool storm_handler(evtchn_port_t port, void *data)
{
	struct fake_l1 *fx = data;
	unsigned int i;

	if (fx->handled[port]++ == 0)
		for (i = 0; i < fx->storm; i++)
			fake_l0_event(fx, port);
	return true;
}

/* L0 raising a port Dom0 has masked reaches L1 Xen once, not each time. */
static void l1_storm_stays_at_l0_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	evtchn_port_t port = relay_bound(test, fx, relay_version_param(test),
					 storm_handler);

	fx->storm = 100;
	fake_l0_event(fx, port);
	fake_evtchn_upcall(&fx->ev, 0);
	/*
	 * The first event, the storm's first (which masked the port at L0),
	 * and the one L0 raised again when the port was unmasked there.
	 */
	KUNIT_EXPECT_EQ(test, fx->l1_upcalls, 3U);
	/* The storm's work is seen once more, and nothing is left held. */
	KUNIT_EXPECT_EQ(test, fx->handled[port], 2U);
	KUNIT_EXPECT_FALSE(test, test_bit(port, fx->l0_masked));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_mask));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(port, fx->page->evtchn_pending));

	blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

/* A relay page L1 Xen did not let go of is never freed. */
static void l1_put_relay_test(struct kunit *test)
{
	struct fake_l1 *fx = test->priv;
	struct page *pg = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pg);
	/* Our own reference: the page outlives whatever put_relay does. */
	get_page(pg);

	fx->keep_relay = -EBUSY;
	KUNIT_EXPECT_EQ(test, blanket_l1_put_relay(&fx->l1, page_address(pg)), -EBUSY);
	KUNIT_EXPECT_EQ(test, fx->last_op, (unsigned int)BLANKET_L1_RELAY);
	/* Freed, it would be ours alone (and a second put a double free). */
	KUNIT_ASSERT_EQ(test, page_count(pg), 2);

	/* Let go of: freed. */
	fx->keep_relay = 0;
	KUNIT_EXPECT_EQ(test, blanket_l1_put_relay(&fx->l1, page_address(pg)), 0);
	KUNIT_EXPECT_EQ(test, page_count(pg), 1);
	put_page(pg);
}

static struct kunit_case blanket_l1_cases[] = {
	KUNIT_CASE(l1_probe_test),
	KUNIT_CASE(l1_vcpu_id_test),
	KUNIT_CASE(l1_bind_vcpu_test),
	KUNIT_CASE(l1_query_users_test),
	KUNIT_CASE(l1_xenstore_test),
	KUNIT_CASE(l1_physmap_test),
	KUNIT_CASE(l1_evtchn_test),
	KUNIT_CASE(l1_relay_init_test),
	KUNIT_CASE(l1_relay_test),
	KUNIT_CASE(l1_relay_to_vcpu_test),
	KUNIT_CASE(l1_upcall_cpus_test),
	KUNIT_CASE(l1_unmask_through_l1_test),
	KUNIT_CASE(l1_unmask_in_place_test),
	KUNIT_CASE_PARAM(l1_held_before_relay_test, relay_version_gen_params),
	KUNIT_CASE_PARAM(l1_storm_stays_at_l0_test, relay_version_gen_params),
	KUNIT_CASE(l1_put_relay_test),
	KUNIT_CASE(l1_suspend_test),
	KUNIT_CASE(l1_reattach_test),
	{}
};

static struct kunit_suite blanket_l1_suite = {
	.name = "blanket_l1",
	.init = l1_test_init,
	.test_cases = blanket_l1_cases,
};

kunit_test_suite(blanket_l1_suite);
