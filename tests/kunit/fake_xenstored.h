/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake L0 xenstored for KUnit: it serves the other half of a
 * xenstore_domain_interface page from an in-memory tree, and can be told
 * to answer the next request in one of the ways a hostile L0 might.
 */
#ifndef _BLANKET_FAKE_XENSTORED_H
#define _BLANKET_FAKE_XENSTORED_H

#include <kunit/test.h>
#include <linux/mutex.h>

#include "blanket_xenbus/xs.h"

enum fake_xs_fault {
	FAKE_XS_NONE,
	FAKE_XS_OVERSIZE,	/* header len above XENSTORE_PAYLOAD_MAX */
	FAKE_XS_UNKNOWN_TYPE,	/* a message type that does not exist */
	FAKE_XS_WRONG_TYPE,	/* a well-formed reply of another type */
	FAKE_XS_WRONG_REQ_ID,	/* nobody asked for this reply */
	FAKE_XS_UNTERMINATED,	/* string body without its final NUL */
	FAKE_XS_ERROR,		/* XS_ERROR "EACCES" */
	FAKE_XS_BAD_INDEX,	/* rsp_prod jumps past a whole ring */
	FAKE_XS_SILENT,		/* never answers */
	FAKE_XS_BAD_TOKEN,	/* a watch event with a token we never set */
	FAKE_XS_OUTSIDE_PATH,	/* a watch event outside the watched path */
	FAKE_XS_BAD_TXID,	/* transaction id "abc" */
	FAKE_XS_BAD_NAME,	/* a directory entry that is not a name */
};

struct fake_xenstored {
	struct xenstore_domain_interface *intf;
	struct blanket_xs *xs;	/* the client under test */
	struct blanket_xs own_xs;
	struct mutex lock;	/* the fake's state; taken inside the client's write_lock */
	char in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	u32 in_have;
	char *out;
	size_t out_len;
	struct list_head nodes;
	struct list_head watches;
	u32 next_tx;
	int eagain;		/* fail this many transaction ends with EAGAIN */
	enum fake_xs_fault fault;
	bool bad_index;		/* from now on rsp_prod is garbage */
	unsigned int requests;
	bool abandoned;		/* the client is wedged: leak it at teardown */
};

struct fake_xenstored *fake_xenstored_start(struct kunit *test,
					    unsigned int timeout_ms);
struct fake_xenstored *fake_xenstored_start_on(struct kunit *test,
					       struct blanket_xs *xs,
					       unsigned int timeout_ms);
int fake_xenstored_set(struct fake_xenstored *f, const char *path,
		       const char *value);
int fake_xenstored_rm(struct fake_xenstored *f, const char *path);
char *fake_xenstored_get(struct fake_xenstored *f, const char *path);
bool fake_xenstored_reaches(struct fake_xenstored *f, const char *path,
			    const char *value);
void fake_xenstored_settle(struct fake_xenstored *f);
void fake_xenstored_abandon(struct fake_xenstored *f);
void fake_xenstored_restore(struct fake_xenstored *f);
unsigned int fake_xenstored_watches(struct fake_xenstored *f);

#endif /* _BLANKET_FAKE_XENSTORED_H */
