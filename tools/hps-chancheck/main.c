// SPDX-License-Identifier: GPL-2.0-only
/*
 * hps-chancheck: checks the error paths of /dev/hps-channel's mmap and
 * io_uring commands against the loaded dm-hps module (kmod/FORMAT.md,
 * "Channel").  A lab tool: run it as root with no hpsd holding the channel.
 * Prints one line per check; exits 0 when all passed, 1 otherwise.
 *
 * It leaves one FETCH outstanding on purpose and exits: the module must
 * cancel it (the process could not exit otherwise), which the caller checks
 * by timing this program and opening the channel again.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dm-hps.h>

#include "lab-common/hps-ucmd.h"

static int failures;

static void check(int ok, const char *what, long got)
{
	printf("%s %s (got %ld)\n", ok ? "ok  " : "FAIL", what, got);
	if (!ok)
		failures++;
}

/* Submits one URING_CMD and returns its cqe->res, or 1 if none came within 200 ms. */
static int ucmd(struct io_uring *ring, int fd, unsigned int op, unsigned int tag,
		unsigned int reserved0, unsigned long long reserved1, int result)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };
	struct hps_uring_cmd c = { .tag = tag, .reserved0 = reserved0,
				   .result = result, .reserved1 = reserved1 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int r;

	if (!sqe) {
		fprintf(stderr, "io_uring_get_sqe: ring full\n");
		exit(2);
	}
	hps_prep_ucmd(sqe, fd, op, &c);
	r = io_uring_submit(ring);
	if (r != 1) {
		fprintf(stderr, "io_uring_submit: %d\n", r);
		exit(2);
	}
	r = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (r == -ETIME)
		return 1;
	if (r < 0) {
		fprintf(stderr, "io_uring_wait_cqe: %d\n", r);
		exit(2);
	}
	r = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

int main(void)
{
	struct hps_attach a = { .abi_version = HPS_ABI_VERSION };
	struct io_uring ring;
	void *p;
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/dev/hps-channel", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/hps-channel");
		return 2;
	}
	r = io_uring_queue_init(16, &ring, 0);
	if (r < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-r));
		return 2;
	}

	/* Before ATTACH nothing but ATTACH works. */
	p = mmap(NULL, HPS_CHAN_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EPERM, "mmap before attach fails with EPERM",
	      p == MAP_FAILED ? errno : 0);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 0, 0, 0, 0);
	check(r == -EPERM, "FETCH before attach fails with EPERM", r);

	if (ioctl(fd, HPS_IOC_ATTACH, &a)) {
		perror("HPS_IOC_ATTACH");
		return 2;
	}
	check(a.nr_tags == HPS_CHAN_TAGS && a.io_bytes == HPS_CHAN_IO_BYTES &&
	      a.map_bytes == HPS_CHAN_MAP_BYTES, "ATTACH reports the layout", a.nr_tags);

	p = mmap(NULL, HPS_CHAN_MAP_BYTES - 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap of a wrong length fails with EINVAL",
	      p == MAP_FAILED ? errno : 0);
	p = mmap(NULL, HPS_CHAN_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	check(p == MAP_FAILED && errno == EINVAL, "mmap at a wrong offset fails with EINVAL",
	      p == MAP_FAILED ? errno : 0);
	p = mmap(NULL, HPS_CHAN_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "private mmap fails with EINVAL",
	      p == MAP_FAILED ? errno : 0);
	p = mmap(NULL, HPS_CHAN_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p != MAP_FAILED, "mmap of the area works", p == MAP_FAILED ? errno : 0);

	r = ucmd(&ring, fd, HPS_UCMD_FETCH, HPS_CHAN_TAGS, 0, 0, 0);
	check(r == -EINVAL, "FETCH of tag nr_tags fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 0xffff, 0, 0, 0);
	check(r == -EINVAL, "FETCH of tag 65535 fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 0, 1, 0, 0);
	check(r == -EINVAL, "FETCH with reserved0 set fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 0, 0, 1ULL << 63, 0);
	check(r == -EINVAL, "FETCH with reserved1 set fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 0, 0, 0, -5);
	check(r == -EINVAL, "FETCH with a result fails with EINVAL", r);
	r = ucmd(&ring, fd, 0x7, 0, 0, 0, 0);
	check(r == -EINVAL, "unknown cmd_op fails with EINVAL", r);
	r = ucmd(&ring, fd, 0, 0, 0, 0, 0);
	check(r == -EINVAL, "cmd_op 0 fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_COMMIT_AND_FETCH, 3, 0, 0, 0);
	check(r == -EINVAL, "COMMIT_AND_FETCH of a tag with no request fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_COMMIT_AND_FETCH, 3, 0, 0, 1);
	check(r == -EINVAL, "COMMIT_AND_FETCH with a positive result fails with EINVAL", r);
	r = ucmd(&ring, fd, HPS_UCMD_COMMIT_AND_FETCH, 3, 0, 0, -100000);
	check(r == -EINVAL, "COMMIT_AND_FETCH with a result below -4095 fails with EINVAL", r);

	/* No request is queued (no volume uses the channel): FETCH waits. */
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 5, 0, 0, 0);
	check(r == 1, "FETCH of tag 5 stays outstanding", r);
	r = ucmd(&ring, fd, HPS_UCMD_FETCH, 5, 0, 0, 0);
	check(r == -EBUSY, "a second FETCH of tag 5 fails with EBUSY", r);
	r = ucmd(&ring, fd, HPS_UCMD_COMMIT_AND_FETCH, 5, 0, 0, 0);
	check(r == -EINVAL, "COMMIT_AND_FETCH of a fetching tag fails with EINVAL", r);

	printf("%d check(s) failed; exiting with tag 5's FETCH outstanding\n", failures);
	/* Exit without cleanup: the module must cancel the FETCH. */
	return failures ? 1 : 0;
}
