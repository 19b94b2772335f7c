// SPDX-License-Identifier: GPL-2.0
/*
 * The blkif protocol on its own: what blkback offers and what we use of
 * it, how a block request becomes a blkif request, and what makes a
 * response valid. No ring state and no hypercall, so that every rule here
 * is tested in isolation.
 */

#include <linux/log2.h>
#include <linux/sizes.h>

#include <blanket/test_export.h>

#include "blkfront.h"

/* The vbd's "mode" key: "r" or "w", nothing else. */
int blanket_blkif_parse_mode(const char *mode, bool *readonly)
{
	if (!strcmp(mode, "r"))
		*readonly = true;
	else if (!strcmp(mode, "w"))
		*readonly = false;
	else
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_parse_mode);

static bool blanket_blkif_size_ok(u32 size, u32 min)
{
	return is_power_of_2(size) && size >= min && size <= PAGE_SIZE;
}

/* A size in bytes is a loff_t: 2^54 sectors of 512 bytes make it negative. */
#define BLANKET_BLKIF_MAX_SECTORS	(LLONG_MAX >> SECTOR_SHIFT)
/* The block layer's largest block size; no disk has larger physical sectors. */
#define BLANKET_BLKIF_MAX_PHYS_SECTOR	SZ_64K

/*
 * Sanity of what the backend wrote, with the defaults of keys it may
 * leave out. A value that cannot describe a disk refuses the device; an
 * unusable discard description only turns discard off.
 */
int blanket_blkif_check_backend(struct blanket_blkif_backend *be,
				const char **why)
{
	if (!blanket_blkif_size_ok(be->sector_size, SECTOR_SIZE)) {
		*why = "sector-size is not a power of two in [512, page size]";
		return -EPROTO;
	}
	if (!be->physical_sector_size)
		be->physical_sector_size = be->sector_size;
	if (!is_power_of_2(be->physical_sector_size) ||
	    be->physical_sector_size < be->sector_size ||
	    be->physical_sector_size > BLANKET_BLKIF_MAX_PHYS_SECTOR) {
		*why = "physical-sector-size is not a power of two in [sector-size, 64 KiB]";
		return -EPROTO;
	}
	if (be->sectors & ((be->sector_size >> SECTOR_SHIFT) - 1)) {
		*why = "sectors is not a whole number of logical sectors";
		return -EPROTO;
	}
	if (be->sectors > BLANKET_BLKIF_MAX_SECTORS) {
		*why = "sectors is more than a disk's size in bytes can hold";
		return -EPROTO;
	}
	if (be->info & VDISK_READONLY)
		be->readonly = true;
	/* Nothing smaller than a logical sector can be discarded: none (0) included. */
	if (be->discard)
		be->discard_granularity = max(be->discard_granularity, be->sector_size);
	if (be->discard && !is_power_of_2(be->discard_granularity))
		be->discard = false;
	if (be->discard && be->discard_alignment % be->discard_granularity)
		be->discard_alignment = 0;
	if (!be->discard)
		be->discard_secure = false;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_check_backend);

/* Ring pages and queues: the smaller of the backend's offer and ours. */
void blanket_blkif_layout(const struct blanket_blkif_backend *be,
			  const struct blanket_blk_params *p,
			  struct blanket_blkif_layout *lay)
{
	lay->ring_order = min3(be->max_ring_order, p->max_ring_order,
			       (u32)BLANKET_BLK_MAX_RING_ORDER);
	lay->nr_queues = clamp(min(be->max_queues, p->max_queues), 1U,
			       (u32)BLANKET_BLK_MAX_QUEUES);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_layout);

/*
 * What the connection uses. Indirect descriptors only pay when they carry
 * more than a direct request; a flush prefers the cache flush, which
 * orders nothing, over the barrier, which drains the backend's queue.
 */
void blanket_blkif_config(const struct blanket_blkif_backend *be,
			  const struct blanket_blk_params *p,
			  struct blanket_blkif_config *cfg)
{
	unsigned int segs = min3(be->max_indirect_segs, p->max_indirect_segs,
				 (u32)BLANKET_BLK_MAX_INDIRECT_SEGS);

	cfg->indirect = segs > BLKIF_MAX_SEGMENTS_PER_REQUEST;
	cfg->max_segs = cfg->indirect ? segs : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	cfg->persistent = be->persistent && p->persistent;
	cfg->flush_op = be->flush ? BLKIF_OP_FLUSH_DISKCACHE :
			be->barrier ? BLKIF_OP_WRITE_BARRIER : 0;
	cfg->discard = be->discard;
	cfg->discard_secure = be->discard && be->discard_secure;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_config);

/*
 * The disk's queue limits for a connection. A segment is at most a page
 * and never crosses one, and data must be sector-aligned in memory,
 * because a blkif segment is a run of whole sectors inside one granted
 * page. A backend that can flush gets a volatile write cache without FUA
 * (see blanket_blkif_op).
 */
void blanket_blkif_limits(const struct blanket_blkif_backend *be,
			  const struct blanket_blkif_config *cfg,
			  struct blanket_queue_limits *lim)
{
	*lim = (struct blanket_queue_limits) {
		.logical_block_size = be->sector_size,
		.physical_block_size = be->physical_sector_size,
		.max_segments = cfg->max_segs,
		.max_segment_size = PAGE_SIZE,
		.seg_boundary_mask = PAGE_SIZE - 1,
		.max_hw_sectors = cfg->max_segs * BLANKET_BLK_SECTORS_PER_PAGE,
		.dma_alignment = SECTOR_SIZE - 1,
		.write_cache = cfg->flush_op != 0,
	};
	if (cfg->discard) {
		lim->max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim->discard_granularity = be->discard_granularity ?: be->sector_size;
		lim->discard_alignment = be->discard_alignment;
	}
	if (cfg->discard_secure)
		lim->max_secure_erase_sectors = UINT_MAX >> SECTOR_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_limits);

/* Requests a shared ring of 2^@order pages holds: a power of two. */
unsigned int blanket_blkif_ring_size(unsigned int order)
{
	size_t room = (PAGE_SIZE << order) - offsetof(struct blkif_sring, ring);

	return rounddown_pow_of_two(room / sizeof(union blkif_sring_entry));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_ring_size);

/*
 * The blkif operation for a block request. We advertise a volatile write
 * cache without FUA when the backend can flush: the block layer then
 * sends empty flushes only, and emulates FUA by a flush after the write,
 * so a write that still carries PREFLUSH or FUA means a rule was broken
 * and is refused rather than sent without its durability.
 */
int blanket_blkif_op(blk_opf_t opf, const struct blanket_blkif_config *cfg,
		     u8 *discard_flag)
{
	*discard_flag = 0;
	switch (opf & REQ_OP_MASK) {
	case REQ_OP_READ:
		return BLKIF_OP_READ;
	case REQ_OP_WRITE:
		return opf & (REQ_PREFLUSH | REQ_FUA) ? -EOPNOTSUPP : BLKIF_OP_WRITE;
	case REQ_OP_FLUSH:
		return cfg->flush_op ?: -EOPNOTSUPP;
	case REQ_OP_DISCARD:
		return cfg->discard ? BLKIF_OP_DISCARD : -EOPNOTSUPP;
	case REQ_OP_SECURE_ERASE:
		if (!cfg->discard_secure)
			return -EOPNOTSUPP;
		*discard_flag = BLKIF_DISCARD_SECURE;
		return BLKIF_OP_DISCARD;
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_op);

static bool blanket_blkif_seg_ok(const struct blanket_blkif_seg *s)
{
	return s->len && !(s->offset & (SECTOR_SIZE - 1)) &&
	       !(s->len & (SECTOR_SIZE - 1)) && s->offset + s->len <= PAGE_SIZE;
}

static void blanket_blkif_seg_fill(struct blkif_request_segment *d,
				   const struct blanket_blkif_seg *s)
{
	d->gref = s->gref;
	d->first_sect = s->offset >> SECTOR_SHIFT;
	d->last_sect = (s->offset + s->len - 1) >> SECTOR_SHIFT;
}

/*
 * A read or write of @nseg segments. Up to BLKIF_MAX_SEGMENTS_PER_REQUEST
 * fit in the request itself; more go in the indirect pages @ipages, which
 * the backend reads through @igrefs. Segments must be whole sectors
 * inside one page: the backend has no other way to express them.
 */
int blanket_blkif_build_rw(struct blkif_request *req, u8 op, u64 id,
			   blkif_vdev_t handle, sector_t sector,
			   const struct blanket_blkif_seg *segs,
			   unsigned int nseg, unsigned int max_segs,
			   const grant_ref_t *igrefs,
			   struct blkif_request_segment *const *ipages)
{
	unsigned int i;

	if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE)
		return -EINVAL;
	if (!nseg || nseg > max_segs ||
	    nseg > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLANKET_BLK_SEGS_PER_PAGE)
		return -EINVAL;
	for (i = 0; i < nseg; i++)
		if (!blanket_blkif_seg_ok(&segs[i]))
			return -EINVAL;

	memset(req, 0, sizeof(*req));
	if (nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		req->operation = op;
		req->u.rw.nr_segments = nseg;
		req->u.rw.handle = handle;
		req->u.rw.id = id;
		req->u.rw.sector_number = sector;
		for (i = 0; i < nseg; i++)
			blanket_blkif_seg_fill(&req->u.rw.seg[i], &segs[i]);
		return 0;
	}

	req->operation = BLKIF_OP_INDIRECT;
	req->u.indirect.indirect_op = op;
	req->u.indirect.nr_segments = nseg;
	req->u.indirect.id = id;
	req->u.indirect.sector_number = sector;
	req->u.indirect.handle = handle;
	for (i = 0; i < DIV_ROUND_UP(nseg, BLANKET_BLK_SEGS_PER_PAGE); i++)
		req->u.indirect.indirect_grefs[i] = igrefs[i];
	for (i = 0; i < nseg; i++)
		blanket_blkif_seg_fill(&ipages[i / BLANKET_BLK_SEGS_PER_PAGE]
				       [i % BLANKET_BLK_SEGS_PER_PAGE], &segs[i]);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_build_rw);

void blanket_blkif_build_discard(struct blkif_request *req, u64 id,
				 sector_t sector, u64 nr_sectors, u8 flag)
{
	memset(req, 0, sizeof(*req));
	req->operation = BLKIF_OP_DISCARD;
	req->u.discard.flag = flag;
	req->u.discard.id = id;
	req->u.discard.sector_number = sector;
	req->u.discard.nr_sectors = nr_sectors;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_build_discard);

/* A flush or barrier with no data: it covers what completed before it. */
void blanket_blkif_build_flush(struct blkif_request *req, u8 op, u64 id,
			       blkif_vdev_t handle)
{
	memset(req, 0, sizeof(*req));
	req->operation = op;
	req->u.rw.handle = handle;
	req->u.rw.id = id;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_build_flush);

/*
 * A response (already copied out of the shared ring) is valid only if it
 * answers a request we have in flight, echoes that request's operation,
 * and carries a status the protocol defines.
 */
int blanket_blkif_check_rsp(const struct blkif_response *rsp, u32 nr_ids,
			    const u8 *inflight_op, const char **why)
{
	if (rsp->id >= nr_ids) {
		*why = "response id out of range";
		return -EPROTO;
	}
	if (inflight_op[rsp->id] == BLANKET_BLK_NO_OP) {
		*why = "response for no request in flight";
		return -EPROTO;
	}
	if (rsp->operation != inflight_op[rsp->id]) {
		*why = "response operation differs from the request's";
		return -EPROTO;
	}
	if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
	    rsp->status != BLKIF_RSP_EOPNOTSUPP) {
		*why = "response status undefined";
		return -EPROTO;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_blkif_check_rsp);
