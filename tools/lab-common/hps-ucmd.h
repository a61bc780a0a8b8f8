/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lab tools' one way to fill an SQE with a channel command
 * (kmod/FORMAT.md, "Requests: io_uring commands"): IORING_OP_URING_CMD,
 * struct hps_uring_cmd in the SQE's command area, the tag as user_data.
 */
#ifndef HPS_LAB_UCMD_H
#define HPS_LAB_UCMD_H

#include <liburing.h>
#include <stddef.h>
#include <string.h>

#include <linux/dm-hps.h>

static inline void hps_prep_ucmd(struct io_uring_sqe *sqe, int fd, unsigned int op,
				 const struct hps_uring_cmd *c)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	sqe->user_data = c->tag;
	memcpy((char *)sqe + offsetof(struct io_uring_sqe, addr3), c, sizeof(*c));
}

#endif
