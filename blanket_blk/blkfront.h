/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blanket_blk: one blk-mq disk per L0 vbd, speaking the blkif protocol to
 * L0's blkback over one ring per hardware queue.
 */
#ifndef _BLANKET_BLKFRONT_H
#define _BLANKET_BLKFRONT_H

#include <linux/blk-mq.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <xen/interface/io/blkif.h>

#include <blanket/compat.h>
#include <blanket/xenbus.h>

#include "limits.h"

#define BLANKET_BLK_MAX_QUEUES		16
#define BLANKET_BLK_MAX_RING_ORDER	4	/* 16 pages, as Xen's backends */
#define BLANKET_BLK_SEGS_PER_PAGE \
	(PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Our own cap: larger requests gain little and pin many pages per slot. */
#define BLANKET_BLK_MAX_INDIRECT_SEGS	256
#define BLANKET_BLK_MAX_INDIRECT_PAGES \
	DIV_ROUND_UP(BLANKET_BLK_MAX_INDIRECT_SEGS, BLANKET_BLK_SEGS_PER_PAGE)
#define BLANKET_BLK_SECTORS_PER_PAGE	(PAGE_SIZE >> SECTOR_SHIFT)

/* What L0's blkback offers, from its xenstore directory. */
struct blanket_blkif_backend {
	u64 sectors;			/* in 512-byte units, whatever sector-size */
	u32 info;			/* VDISK_* */
	u32 sector_size;
	u32 physical_sector_size;
	bool readonly;			/* mode "r" or VDISK_READONLY */
	bool flush;			/* feature-flush-cache */
	bool barrier;			/* feature-barrier */
	bool discard;
	bool discard_secure;
	u32 discard_granularity;
	u32 discard_alignment;
	bool persistent;
	u32 max_indirect_segs;		/* 0: no indirect descriptors */
	u32 max_ring_order;
	u32 max_queues;
};

/* Our side's limits: the module parameters. */
struct blanket_blk_params {
	unsigned int max_queues;
	unsigned int max_indirect_segs;
	unsigned int max_ring_order;
	bool persistent;
	unsigned int timeout;		/* seconds a request may go unanswered */
};

/* Ring layout, fixed when the rings are built (backend in InitWait). */
struct blanket_blkif_layout {
	unsigned int ring_order;
	unsigned int nr_queues;
};

/* What a connection uses, fixed once the backend is Connected. */
struct blanket_blkif_config {
	unsigned int max_segs;		/* data segments of one request */
	bool indirect;			/* max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST */
	bool persistent;
	u8 flush_op;			/* BLKIF_OP_FLUSH_DISKCACHE, _WRITE_BARRIER or 0 */
	bool discard;
	bool discard_secure;
};

/* One data segment: a run of sectors inside one granted page. */
struct blanket_blkif_seg {
	grant_ref_t gref;
	unsigned int offset;
	unsigned int len;
};

/* wire.c: the protocol, with no ring or device state. */
int blanket_blkif_parse_mode(const char *mode, bool *readonly);
int blanket_blkif_check_backend(struct blanket_blkif_backend *be,
				const char **why);
void blanket_blkif_layout(const struct blanket_blkif_backend *be,
			  const struct blanket_blk_params *p,
			  struct blanket_blkif_layout *lay);
void blanket_blkif_config(const struct blanket_blkif_backend *be,
			  const struct blanket_blk_params *p,
			  struct blanket_blkif_config *cfg);
void blanket_blkif_limits(const struct blanket_blkif_backend *be,
			  const struct blanket_blkif_config *cfg,
			  struct blanket_queue_limits *lim);
unsigned int blanket_blkif_ring_size(unsigned int order);
int blanket_blkif_op(blk_opf_t opf, const struct blanket_blkif_config *cfg,
		     u8 *discard_flag);
int blanket_blkif_build_rw(struct blkif_request *req, u8 op, u64 id,
			   blkif_vdev_t handle, sector_t sector,
			   const struct blanket_blkif_seg *segs,
			   unsigned int nseg, unsigned int max_segs,
			   const grant_ref_t *igrefs,
			   struct blkif_request_segment *const *ipages);
void blanket_blkif_build_discard(struct blkif_request *req, u64 id,
				 sector_t sector, u64 nr_sectors, u8 flag);
void blanket_blkif_build_flush(struct blkif_request *req, u8 op, u64 id,
			       blkif_vdev_t handle);
int blanket_blkif_check_rsp(const struct blkif_response *rsp, u32 nr_ids,
			    const u8 *inflight_op, const char **why);

struct blanket_blk;

/* A request on the ring: what must be undone when its response comes. */
struct blanket_blk_slot {
	struct request *rq;		/* NULL while the slot is free */
	u8 op;				/* the operation its response must echo */
	u64 seq;			/* posted after every slot of a lower one */
	u16 nr_segs;			/* sent: perhaps not all of the request's */
	u16 nr_ipages;
	unsigned int bytes;		/* what those segments carry */
	bool granted;			/* grefs are per-request, end them */
	bool held;			/* pages granted for the connection */
	bool iheld;			/* ipages likewise */
	bool lost;			/* pages parked while L0 maps them: never reused */
	grant_ref_t *grefs;		/* [max_segs] */
	struct page **pages;		/* [max_segs]: bounce or persistent, or NULL */
	grant_ref_t igrefs[BLANKET_BLK_MAX_INDIRECT_PAGES];
	struct page *ipages[BLANKET_BLK_MAX_INDIRECT_PAGES];
	struct scatterlist *sg;		/* [max_segs] */
};

struct blanket_blk_queue {
	struct blanket_blk *info;
	unsigned int index;
	spinlock_t lock;		/* ring, slots */
	struct blkif_sring *sring;
	unsigned int ring_order;
	grant_ref_t ring_refs[1 << BLANKET_BLK_MAX_RING_ORDER];
	u32 ring_size;
	u32 req_prod;
	u32 rsp_cons;
	u32 rsp_prod_seen;		/* at the last event: event handler only */
	evtchn_port_t port;
	bool bound;
	bool starved;			/* a request found no free slot */
	struct work_struct work;	/* responses, in process context */
	unsigned int max_segs;		/* the slots' size */
	struct blanket_blk_slot *slots;	/* [ring_size] */
	u8 *inflight_op;		/* [ring_size], 0xff when free */
	u64 next_seq;			/* of the next request posted */
	u64 persistent_reuse;		/* requests that needed no new grant */
};

#define BLANKET_BLK_NO_OP	0xff

struct blanket_blk {
	struct blanket_device *bdev;
	struct mutex lock;		/* connect, disconnect, remove */
	struct blanket_blk_params params;	/* at probe; persistent: per connect */
	struct blanket_blkif_backend be;
	struct blanket_blkif_layout lay;
	struct blanket_blkif_config cfg;
	unsigned int sg_max;		/* the most segments any connection allowed */
	struct blanket_blk_queue *queues;
	unsigned int nr_queues;
	bool trusted;			/* for this connection's slots */
	bool broken;
	bool connected;			/* queues carry I/O */
	bool quiesced;			/* by us, waiting for a backend */
	bool restarted;			/* backend Closed, our Initialising answers it */
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	bool add_queued;		/* add_work queued for this disk */
	bool disk_added;		/* by add_work: the disk is visible */
	struct work_struct add_work;
	struct work_struct timeout_work;
	int index;			/* of the bvd<index> name */
	struct blanket_xs_watch sectors_watch;
	struct work_struct resize_work;
};

/* io.c */
int blanket_blk_io_create(struct blanket_blk *info);
int blanket_blk_io_slots_create(struct blanket_blk *info);
void blanket_blk_io_destroy(struct blanket_blk *info);
void blanket_blk_io_requeue(struct blanket_blk *info);
blk_status_t blanket_blk_io_submit(struct blanket_blk_queue *q, struct request *rq);
void blanket_blk_io_limits(struct blanket_blk *info);
void blanket_blk_io_fatal(struct blanket_device *bdev);

/* disk.c */
int blanket_blk_disk_create(struct blanket_blk *info);
void blanket_blk_disk_add(struct work_struct *work);
void blanket_blk_disk_update(struct blanket_blk *info);
void blanket_blk_disk_destroy(struct blanket_blk *info);

#endif /* _BLANKET_BLKFRONT_H */
