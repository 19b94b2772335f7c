/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake L0 blkback for KUnit, on the fake L0: it reads the frontend's
 * rings through grant maps, serves requests from a disk in memory by
 * grant copy, and can be told to answer in the ways a hostile L0 might.
 */
#ifndef _BLANKET_FAKE_BLKBACK_H
#define _BLANKET_FAKE_BLKBACK_H

#include <xen/interface/io/blkif.h>

#include "blanket_blk/blkfront.h"
#include "fake_l0.h"

#define FAKE_BLKBACK_QUEUES	4
#define FAKE_BLKBACK_LOG	64

enum fake_blkback_fault {
	FAKE_BLKBACK_NONE,
	FAKE_BLKBACK_BAD_ID,		/* an id beyond the ring */
	FAKE_BLKBACK_IDLE_ID,		/* the id of no request in flight */
	FAKE_BLKBACK_WRONG_OP,		/* another operation than asked */
	FAKE_BLKBACK_BAD_STATUS,	/* a status blkif does not define */
	FAKE_BLKBACK_BAD_PROD,		/* rsp_prod past every request */
	FAKE_BLKBACK_TWICE,		/* a request answered again */
	FAKE_BLKBACK_KEEP_MAPPED,	/* a data grant still mapped after the answer */
	FAKE_BLKBACK_IO_ERROR,		/* BLKIF_RSP_ERROR: a fault, not an attack */
	FAKE_BLKBACK_REFUSE,		/* EOPNOTSUPP for all but reads and writes */
};

/* One request as the backend saw it. */
struct fake_blkback_req {
	u8 op;				/* the inner operation of an indirect one */
	bool indirect;
	u16 nr_segs;
	u64 sector;
	u64 nr_sectors;			/* discard */
	u8 discard_flag;
	grant_ref_t gref0;		/* first data segment's grant */
	unsigned long pfn0;		/* the page that grant names */
};

struct fake_blkback_queue {
	struct fake_blkback *fbb;
	struct blkif_sring *sring;
	grant_ref_t refs[16];
	unsigned int nr_refs;
	evtchn_port_t port;
	u32 req_cons;
	u32 rsp_prod;
	bool answered;			/* first_id, first_op are set */
	u64 first_id;
	u8 first_op;
};

struct fake_blkback {
	struct kunit *test;
	struct fake_l0 *fl0;
	u32 id;
	char be[64];			/* backend directory */
	char fe[32];			/* frontend directory */
	u8 *disk;
	u64 sectors;

	struct mutex lock;		/* the rings, the log */
	struct work_struct work;
	struct fake_blkback_queue q[FAKE_BLKBACK_QUEUES];
	unsigned int nr_queues;
	unsigned int ring_order;
	bool connected;
	bool hold;			/* leave requests unanswered */
	bool kept;			/* kept_ref is mapped (KEEP_MAPPED) */
	bool kept_write;
	bool persistent;		/* negotiated: grants are mapped read-write */
	grant_ref_t kept_ref;
	enum fake_blkback_fault fault;

	unsigned int nr_log;
	struct fake_blkback_req log[FAKE_BLKBACK_LOG];
};

struct fake_blkback *fake_blkback_create(struct fake_l0 *fl0, u32 id, u64 sectors);
int fake_blkback_set(struct fake_blkback *fbb, const char *node, const char *value);
void fake_blkback_state(struct fake_blkback *fbb, enum xenbus_state state);
void fake_blkback_connect(struct fake_blkback *fbb);
void fake_blkback_disconnect(struct fake_blkback *fbb);
void fake_blkback_rebind(struct fake_blkback *fbb);
void fake_blkback_release(struct fake_blkback *fbb);
void fake_blkback_restore(struct fake_blkback *fbb, domid_t domid);
unsigned int fake_blkback_pending(struct fake_blkback *fbb);
void fake_blkback_serve(struct fake_blkback *fbb);
void fake_blkback_serve_newest(struct fake_blkback *fbb);

#endif /* _BLANKET_FAKE_BLKBACK_H */
