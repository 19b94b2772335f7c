/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BLANKET_ENUM_H
#define _BLANKET_ENUM_H

#include <blanket/xenstore.h>

/* The devices of one L0 xenstore connection, followed by a watch. */
struct blanket_enum {
	struct blanket_xs *xs;
	struct device *dev;		/* for messages */
	struct blanket_xs_watch watch;	/* on "device" */
};

int blanket_enum_start(struct blanket_enum *e, struct blanket_xs *xs,
		       struct device *dev);
void blanket_enum_stop(struct blanket_enum *e);
void blanket_enum_resume(struct blanket_enum *e, bool restored, int err);

#endif /* _BLANKET_ENUM_H */
