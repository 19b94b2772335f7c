/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blanket's xenstore client API: requests to L0's xenstored over our own
 * connection, never the kernel's xenbus (which talks to L1 Xen).
 *
 * Every call may sleep. Values from L0 are untrusted: prefer the typed
 * readers, which reject what they cannot parse whole.
 */
#ifndef _BLANKET_XENSTORE_H
#define _BLANKET_XENSTORE_H

#include <linux/list.h>
#include <linux/types.h>

struct blanket_xs;

/* A transaction id; BLANKET_XBT_NIL is "no transaction". */
typedef u32 blanket_xbt_t;
#define BLANKET_XBT_NIL ((blanket_xbt_t)0)

void *blanket_xs_read(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		      const char *node, unsigned int *len);
int blanket_xs_write(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node, const char *value);
int blanket_xs_mkdir(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node);
int blanket_xs_rm(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		  const char *node);
char **blanket_xs_directory(struct blanket_xs *xs, blanket_xbt_t t,
			    const char *dir, const char *node,
			    unsigned int *num);
__printf(5, 6)
int blanket_xs_printf(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		      const char *node, const char *fmt, ...);
__scanf(5, 6)
int blanket_xs_scanf(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node, const char *fmt, ...);
int blanket_xs_gather(struct blanket_xs *xs, blanket_xbt_t t,
		      const char *dir, ...);
int blanket_xs_read_u32(struct blanket_xs *xs, blanket_xbt_t t,
			const char *dir, const char *node, u32 *val);
int blanket_xs_read_bool(struct blanket_xs *xs, blanket_xbt_t t,
			 const char *dir, const char *node, bool dflt,
			 bool *val);

/* How often a caller retries a transaction that ends in -EAGAIN. */
#define BLANKET_XS_TRANSACTION_TRIES 8

int blanket_xs_transaction_start(struct blanket_xs *xs, blanket_xbt_t *t);
int blanket_xs_transaction_end(struct blanket_xs *xs, blanket_xbt_t t,
			       bool abort);
int blanket_xs_transact(struct blanket_xs *xs,
			int (*fn)(struct blanket_xs *xs, blanket_xbt_t t, void *ctx),
			void *ctx);

struct blanket_xs_watch;
typedef void (*blanket_xs_watch_fn)(struct blanket_xs_watch *watch,
				    const char *path);

/*
 * A watch on a path and everything below it. The callback runs in process
 * context, one event at a time per connection, and never after
 * blanket_xs_unwatch() returns. A callback given the watch's own path is
 * to look at everything below it: events that came too fast to queue are
 * dropped and delivered that way, once.
 */
struct blanket_xs_watch {
	struct list_head list;
	const char *path;
	blanket_xs_watch_fn callback;
	u32 id;
	struct list_head rescan;	/* on the client's list, when one is due */
};

int blanket_xs_watch(struct blanket_xs *xs, struct blanket_xs_watch *watch,
		     const char *path, blanket_xs_watch_fn callback);
void blanket_xs_unwatch(struct blanket_xs *xs, struct blanket_xs_watch *watch);

#endif /* _BLANKET_XENSTORE_H */
