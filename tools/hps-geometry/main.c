// SPDX-License-Identifier: GPL-2.0
/*
 * hps-geometry: prints the layout dm-hps gives a cache device of a size, from
 * the module's own arithmetic (kmod/hps-geometry.c).  For admins sizing
 * partitions, and for lab scenarios that check the kernel's status line.
 *
 *   hps-geometry CACHE_SECTORS BLOCK_SECTORS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hps-geometry.h"

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long long sectors, bs;
	struct hps_geometry g;
	int r;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: hps-geometry CACHE_SECTORS BLOCK_SECTORS\n"
		       "Prints the dm-hps pool layout of a cache device of CACHE_SECTORS\n"
		       "512-byte sectors with cache blocks of BLOCK_SECTORS sectors.\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "hps-geometry: expected CACHE_SECTORS BLOCK_SECTORS (see --help)\n");
		return 2;
	}
	if (parse_u64(argv[1], &sectors)) {
		fprintf(stderr, "hps-geometry: CACHE_SECTORS '%s' is not a number\n", argv[1]);
		return 2;
	}
	if (parse_u64(argv[2], &bs) || bs > 0xffffffffULL) {
		fprintf(stderr, "hps-geometry: BLOCK_SECTORS '%s' is not a number\n", argv[2]);
		return 2;
	}
	r = hps_geometry_init(&g, sectors, bs);
	if (r == -EINVAL) {
		fprintf(stderr, "hps-geometry: BLOCK_SECTORS %llu is not a power of two in 8..2048\n", bs);
		return 2;
	}
	if (r) {
		fprintf(stderr, "hps-geometry: CACHE_SECTORS %llu is below the minimum %llu for BLOCK_SECTORS %llu\n",
			sectors, (unsigned long long)hps_geometry_min_sectors(bs), bs);
		return 1;
	}
	printf("total_blocks %llu\nsets %llu\nways %llu..%llu\nmeta_pages %llu\n"
	       "data_sector %llu\nindex_bytes %llu\n",
	       (unsigned long long)g.nr_blocks, (unsigned long long)g.nr_sets,
	       (unsigned long long)g.ways_base,
	       (unsigned long long)(g.ways_base + (g.ways_extra ? 1 : 0)),
	       (unsigned long long)g.meta_pages, (unsigned long long)g.data_sector,
	       (unsigned long long)hps_geometry_index_bytes(&g));
	return 0;
}
