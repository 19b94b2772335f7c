/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore wire protocol (docs/misc/xenstore.txt in Xen): message
 * headers, reply bodies and paths. Pure functions, no I/O: everything L0's
 * xenstored sends passes through here before the client believes it.
 */
#ifndef _BLANKET_XS_WIRE_H
#define _BLANKET_XS_WIRE_H

#include <linux/types.h>
#include <xen/interface/io/xs_wire.h>

int blanket_xs_wire_header(struct xsd_sockmsg *hdr, u32 type, u32 req_id,
			   u32 tx_id, size_t len);
int blanket_xs_wire_check_header(const struct xsd_sockmsg *hdr);
int blanket_xs_wire_error(const char *body, u32 len);
int blanket_xs_wire_strings(const char *body, u32 len);
int blanket_xs_wire_watch_event(const char *body, u32 len,
				const char **path, const char **token);
int blanket_xs_wire_ack(const char *body, u32 len);
int blanket_xs_wire_u32(const char *body, u32 len, u32 *val);
int blanket_xs_wire_path_valid(const char *path);
int blanket_xs_wire_names(const char *body, u32 len);
bool blanket_xs_wire_path_under(const char *path, const char *base);

#endif /* _BLANKET_XS_WIRE_H */
