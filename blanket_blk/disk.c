// SPDX-License-Identifier: GPL-2.0
/*
 * The block device: a blk-mq gendisk per vbd, one hardware queue per
 * ring, named bvd<n> so as never to meet the in-tree xvd* names. Its
 * "blanket_vbd" attribute holds the L0 vbd id, for udev links.
 */

#include <linux/idr.h>
#include <linux/module.h>

#include "blkfront.h"

static DEFINE_IDA(blanket_blk_ida);

static blk_status_t blanket_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
					 const struct blk_mq_queue_data *bd)
{
	struct blanket_blk *info = hctx->queue->queuedata;

	blk_mq_start_request(bd->rq);
	/* Rings change only while the queue is quiesced. */
	if (READ_ONCE(info->broken) || !info->queues)
		return BLK_STS_IOERR;
	return blanket_blk_submit(&info->queues[hctx->queue_num % info->nr_queues],
				  bd->rq);
}

static const struct blk_mq_ops blanket_blk_mq_ops = {
	.queue_rq = blanket_blk_queue_rq,
};

static const struct block_device_operations blanket_blk_fops = {
	.owner = THIS_MODULE,
};

static ssize_t blanket_vbd_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct blanket_blk *info = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%u\n", info->bdev->devid);
}
static DEVICE_ATTR_RO(blanket_vbd);

static struct attribute *blanket_blk_attrs[] = {
	&dev_attr_blanket_vbd.attr,
	NULL
};

static const struct attribute_group blanket_blk_attr_group = {
	.attrs = blanket_blk_attrs,
};

static const struct attribute_group *blanket_blk_attr_groups[] = {
	&blanket_blk_attr_group,
	NULL
};

/*
 * Limits follow the connection: a segment is at most a page and never
 * crosses one, and data must be sector-aligned in memory, because a blkif
 * segment is a run of whole sectors inside one granted page.
 */
static void blanket_blk_set_limits(struct blanket_blk *info)
{
	struct request_queue *q = info->disk->queue;
	const struct blanket_blkif_backend *be = &info->be;
	const struct blanket_blkif_config *cfg = &info->cfg;

	blk_queue_logical_block_size(q, be->sector_size);
	blk_queue_physical_block_size(q, be->physical_sector_size);
	blk_queue_max_segments(q, cfg->max_segs);
	blk_queue_max_segment_size(q, PAGE_SIZE);
	blk_queue_segment_boundary(q, PAGE_SIZE - 1);
	blk_queue_max_hw_sectors(q, cfg->max_segs * BLANKET_BLK_SECTORS_PER_PAGE);
	blk_queue_dma_alignment(q, SECTOR_SIZE - 1);
	/* A volatile cache without FUA: the block layer flushes after FUA writes. */
	blk_queue_write_cache(q, cfg->flush_op, false);
	if (cfg->discard) {
		q->limits.discard_granularity = be->discard_granularity ?: be->sector_size;
		q->limits.discard_alignment = be->discard_alignment;
		blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
	} else {
		blk_queue_max_discard_sectors(q, 0);
	}
	blk_queue_max_secure_erase_sectors(q, cfg->discard_secure ?
					   UINT_MAX >> SECTOR_SHIFT : 0);
	set_disk_ro(info->disk, be->readonly);
}

/* The backend is Connected again, or resized: the disk follows. */
void blanket_blk_disk_update(struct blanket_blk *info)
{
	blanket_blk_set_limits(info);
	set_capacity_and_notify(info->disk, info->be.sectors);
}

int blanket_blk_disk_create(struct blanket_blk *info)
{
	struct blk_mq_tag_set *set = &info->tag_set;
	struct gendisk *disk;
	int err;

	memset(set, 0, sizeof(*set));
	set->ops = &blanket_blk_mq_ops;
	set->nr_hw_queues = info->nr_queues;
	set->queue_depth = info->queues[0].ring_size;
	set->numa_node = NUMA_NO_NODE;
	/* Grants are taken in process context: the grant table's lock wants it. */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_BLOCKING;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	disk = blk_mq_alloc_disk(set, info);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto free_tags;
	}
	info->index = ida_alloc(&blanket_blk_ida, GFP_KERNEL);
	if (info->index < 0) {
		err = info->index;
		goto put_disk;
	}
	snprintf(disk->disk_name, DISK_NAME_LEN, "bvd%d", info->index);
	disk->fops = &blanket_blk_fops;
	disk->private_data = info;
	info->disk = disk;
	blanket_blk_disk_update(info);
	err = device_add_disk(&info->bdev->dev, disk, blanket_blk_attr_groups);
	if (!err)
		return 0;

	info->disk = NULL;
	ida_free(&blanket_blk_ida, info->index);
put_disk:
	put_disk(disk);
free_tags:
	blk_mq_free_tag_set(set);
	return err;
}

void blanket_blk_disk_destroy(struct blanket_blk *info)
{
	del_gendisk(info->disk);
	put_disk(info->disk);
	blk_mq_free_tag_set(&info->tag_set);
	ida_free(&blanket_blk_ida, info->index);
	info->disk = NULL;
}
