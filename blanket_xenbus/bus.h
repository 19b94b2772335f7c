/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BLANKET_BUS_H
#define _BLANKET_BUS_H

#include <blanket/xenbus.h>

int blanket_bus_init(void);
void blanket_bus_exit(void);
struct dentry *blanket_bus_debugfs(void);

struct blanket_device *blanket_bus_add_device(struct blanket_xs *xs,
					      const char *devtype, u32 devid,
					      const char *otherend,
					      domid_t otherend_id);
void blanket_bus_remove_device(struct blanket_device *bdev);
struct blanket_device *blanket_bus_find_device(const char *devtype, u32 devid);
void blanket_bus_for_each(struct blanket_xs *xs,
			  void (*fn)(struct blanket_device *bdev, void *ctx),
			  void *ctx);
void blanket_bus_prune(struct blanket_xs *xs,
		       bool (*gone)(struct blanket_device *bdev, void *ctx),
		       void *ctx);
void blanket_bus_suspend(struct blanket_xs *xs, bool gone);
void blanket_bus_restored(struct blanket_xs *xs);
void blanket_bus_resume_device(struct blanket_device *bdev, bool restored,
			       const char *otherend, domid_t otherend_id,
			       int err);
/* client.c */
const char *blanket_state_name(enum xenbus_state state);
bool blanket_device_replaced(struct blanket_device *bdev);

#endif /* _BLANKET_BUS_H */
