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

/* The connection's limits, after a (re)connect or a refused operation. */
void blanket_blk_disk_limits(struct blanket_blk *info)
{
	struct blanket_queue_limits lim;

	blanket_blkif_limits(&info->be, &info->cfg, &lim);
	if (blanket_set_queue_limits(info->disk->queue, &lim))
		dev_warn(&info->bdev->dev, "%s: the block layer refused the backend's limits\n",
			 info->disk->disk_name);
}

/* The backend is Connected again, or resized: the disk follows. */
void blanket_blk_disk_update(struct blanket_blk *info)
{
	blanket_blk_disk_limits(info);
	set_disk_ro(info->disk, info->be.readonly);
	set_capacity_and_notify(info->disk, info->be.sectors);
}

int blanket_blk_disk_create(struct blanket_blk *info)
{
	struct blk_mq_tag_set *set = &info->tag_set;
	struct blanket_queue_limits lim;
	struct gendisk *disk;
	int err;

	memset(set, 0, sizeof(*set));
	set->ops = &blanket_blk_mq_ops;
	set->nr_hw_queues = info->nr_queues;
	set->queue_depth = info->queues[0].ring_size;
	set->numa_node = NUMA_NO_NODE;
	/* Grants are taken in process context: the grant table's lock wants it. */
	set->flags = BLANKET_BLK_MQ_F_MERGE | BLK_MQ_F_BLOCKING;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	blanket_blkif_limits(&info->be, &info->cfg, &lim);
	disk = blanket_alloc_disk(set, &lim, info);
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
	set_disk_ro(disk, info->be.readonly);
	set_capacity(disk, info->be.sectors);
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
