// SPDX-License-Identifier: GPL-2.0-only
// Which dm names are pools, for the writeback's pool list.
#include "writeback/pool_scan.hpp"

#include <catch2/catch.hpp>

using hpsd::writeback::pool_id_of_dm_name;

TEST_CASE("pool scan: hps-pool-<id> names only", "[writeback][pool_scan]")
{
	CHECK(pool_id_of_dm_name("hps-pool-0") == 0u);
	CHECK(pool_id_of_dm_name("hps-pool-3") == 3u);
	CHECK(pool_id_of_dm_name("hps-pool-255") == 255u);
	CHECK_FALSE(pool_id_of_dm_name("hps-pool-256"));
	CHECK_FALSE(pool_id_of_dm_name("hps-pool-"));
	CHECK_FALSE(pool_id_of_dm_name("hps-pool-03"));
	CHECK_FALSE(pool_id_of_dm_name("hps-pool-1x"));
	CHECK_FALSE(pool_id_of_dm_name("hps-db1"));
	CHECK_FALSE(pool_id_of_dm_name("hps-ck-cache"));
	CHECK_FALSE(pool_id_of_dm_name("control"));
}
