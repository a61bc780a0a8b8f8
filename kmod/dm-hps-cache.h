/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-hps: the index operations the volume target's I/O path uses
 * (dm-hps-cache.c).  Callers hold pool->srcu from before the lookup until
 * the I/O to the block they get has ended, so the block is not reused
 * under them.
 */
#ifndef DM_HPS_CACHE_H
#define DM_HPS_CACHE_H

#include "dm-hps.h"

enum hps_plan {
	HPS_PLAN_IN_PLACE,	/* write the key's dirty block, *block */
	HPS_PLAN_ALLOC,		/* write the reserved *block; then write_done */
				/* (also: join a write filling the key's block) */
	HPS_PLAN_DEFER,		/* retry after the next commit frees blocks */
	HPS_PLAN_THROUGH,	/* write to the backend; nothing cached */
};

/* A read of @key: 0 and *block on a hit, -ENOENT on a miss. */
int hps_cache_read(struct hps_pool *pool, u64 key, u64 *block);

/*
 * Where a write of @key goes.  @cacheable: a whole block that may be
 * cached (not past the sequential cutoff); other writes only update a
 * dirty copy in place.  ALLOC sets *word to the tag to hand back.
 */
enum hps_plan hps_cache_write(struct hps_pool *pool, int slot, u64 key,
			      bool cacheable, u64 *block, u32 *word);
bool hps_cache_write_done(struct hps_pool *pool, int slot, u64 block,
			  u32 tag, int error);
void hps_cache_discard(struct hps_pool *pool, int slot, u64 key, u64 n);
u64 hps_cache_clean(struct hps_pool *pool, int slot, u64 key, u64 n);

#endif /* DM_HPS_CACHE_H */
