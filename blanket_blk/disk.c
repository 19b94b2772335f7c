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
	return blanket_blk_io_submit(&info->queues[hctx->queue_num % info->nr_queues],
				  bd->rq);
}

/*
 * A request the backend has held for the request timeout: the device is
 * failed, which fails what it has in flight. Not from here: failing
 * takes the device's lock, under which rings are freed.
 */
static enum blk_eh_timer_return blanket_blk_timeout(struct request *rq)
{
	struct blanket_blk *info = rq->q->queuedata;

	queue_work(system_highpri_wq, &info->timeout_work);
	return BLK_EH_RESET_TIMER;
}

static const struct blk_mq_ops blanket_blk_mq_ops = {
	.queue_rq = blanket_blk_queue_rq,
	.timeout = blanket_blk_timeout,
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

/* The backend is Connected again, or resized: the disk follows. */
void blanket_blk_disk_update(struct blanket_blk *info)
{
	blanket_blk_io_limits(info);
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
	set->timeout = info->params.timeout * HZ;
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
	return 0;

put_disk:
	put_disk(disk);
free_tags:
	blk_mq_free_tag_set(set);
	return err;
}

/*
 * Make the disk visible. Its partition scan reads it and waits for as
 * long as the backend does: a work item's to wait, never the xenstore
 * watch thread's, which every device's events go through.
 */
void blanket_blk_disk_add(struct work_struct *work)
{
	struct blanket_blk *info = container_of(work, struct blanket_blk, add_work);
	int err;

	err = device_add_disk(&info->bdev->dev, info->disk, blanket_blk_attr_groups);
	if (err)
		dev_err(&info->bdev->dev, "%s: cannot add the disk: %d\n",
			info->disk->disk_name, err);
	else
		WRITE_ONCE(info->disk_added, true);
}

/* With add_work done or cancelled, and no I/O that can wait any more. */
void blanket_blk_disk_destroy(struct blanket_blk *info)
{
	if (info->disk_added) {
		blk_mark_disk_dead(info->disk);
		del_gendisk(info->disk);
	}
	put_disk(info->disk);
	blk_mq_free_tag_set(&info->tag_set);
	ida_free(&blanket_blk_ida, info->index);
	info->disk = NULL;
	info->add_queued = false;
	info->disk_added = false;
}
