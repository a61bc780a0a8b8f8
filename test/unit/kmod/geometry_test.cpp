// The kernel's pool geometry and key arithmetic (kmod/hps-geometry.c),
// compiled for user space: the same file the module is built from.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <random>
#include <vector>

extern "C" {
#include "hps-geometry.h"
}

namespace {

constexpr std::uint64_t kGiB = 2097152;  // sectors
constexpr std::uint64_t kTiB = kGiB * 1024;

hps_geometry make(std::uint64_t sectors, std::uint32_t bs)
{
    hps_geometry g{};
    REQUIRE(hps_geometry_init(&g, sectors, bs) == 0);
    return g;
}

void check_layout(const hps_geometry& g, std::uint64_t sectors)
{
    INFO("sectors " << sectors << " block_sectors " << g.block_sectors);
    // Every region fits, in order, and the data area is block aligned.
    CHECK(g.meta_sector == HPS_META_SECTOR);
    CHECK(g.meta_pages * HPS_WORDS_PER_PAGE >= g.nr_blocks);
    CHECK(g.data_sector >= g.meta_sector + 2 * g.meta_pages * HPS_META_PAGE_SECTORS);
    CHECK(g.data_sector % g.block_sectors == 0);
    CHECK(g.data_sector + g.nr_blocks * g.block_sectors <= sectors);
    // ... and one more block would not fit.
    hps_geometry bigger = g;
    bigger.nr_blocks = g.nr_blocks + 1;
    const std::uint64_t more_pages = (bigger.nr_blocks + HPS_WORDS_PER_PAGE - 1) / HPS_WORDS_PER_PAGE;
    std::uint64_t start = HPS_META_SECTOR + 2 * more_pages * HPS_META_PAGE_SECTORS;
    start = (start + g.block_sectors - 1) / g.block_sectors * g.block_sectors;
    CHECK(start + bigger.nr_blocks * g.block_sectors > sectors);

    // Sets: a power of two, 8..15 blocks each, covering every block once.
    CHECK(g.nr_sets == (std::uint64_t{1} << g.set_bits));
    CHECK(g.ways_base >= HPS_MIN_WAYS);
    CHECK(g.ways_base < 2 * HPS_MIN_WAYS);
    CHECK(g.ways_extra < g.nr_sets);
    CHECK(g.ways_base * g.nr_sets + g.ways_extra == g.nr_blocks);
    // Tags fit the word.
    CHECK(g.key_bits - g.set_bits <= HPS_TAG_BITS);
}

}  // namespace

TEST_CASE("geometry: bad block sizes are rejected", "[kmod][geometry]")
{
    hps_geometry g{};
    for (std::uint32_t bs : {0u, 1u, 4u, 12u, 24u, 4096u, 0xffffffffu})
        CHECK(hps_geometry_init(&g, kTiB, bs) == -EINVAL);
}

TEST_CASE("geometry: the smallest pool is exactly the minimum", "[kmod][geometry]")
{
    for (std::uint32_t bs = 8; bs <= 2048; bs *= 2) {
        INFO("block_sectors " << bs);
        const std::uint64_t min = hps_geometry_min_sectors(bs);
        hps_geometry g{};
        CHECK(hps_geometry_init(&g, min - 1, bs) == -ENOSPC);
        REQUIRE(hps_geometry_init(&g, min, bs) == 0);
        check_layout(g, min);
    }
    // The figures FORMAT.md quotes.
    CHECK(hps_geometry_min_sectors(8) == 65760);
    CHECK(hps_geometry_min_sectors(2048) == 67584);
}

TEST_CASE("geometry: layouts from tiny to 64 TiB", "[kmod][geometry]")
{
    for (std::uint32_t bs = 8; bs <= 2048; bs *= 2) {
        const __u64 sizes[] = {hps_geometry_min_sectors(bs) + 4095, 131072 * 3 + 17,
                               2 * kGiB, 2 * kGiB + 8, 100 * kGiB + 1234, kTiB,
                               3 * kTiB + 77, 64 * kTiB};
        for (const __u64 sectors : sizes) {
            if (sectors < hps_geometry_min_sectors(bs))
                continue;
            check_layout(make(sectors, bs), sectors);
        }
    }
}

TEST_CASE("geometry: about 1 GiB of index words per TiB at 4 KiB blocks", "[kmod][geometry]")
{
    const hps_geometry g = make(kTiB, 8);
    const std::uint64_t bytes = hps_geometry_index_bytes(&g);
    CHECK(bytes <= (std::uint64_t{1} << 30));
    CHECK(bytes > (std::uint64_t{1} << 30) * 99 / 100);  // data area nearly all blocks
    // A word a block; a seq, a slot bit and a dirty bit a metadata page.
    CHECK(bytes == g.nr_blocks * 4 + g.meta_pages * 4 + 2 * ((g.meta_pages + 63) / 64 * 8));
    // Bigger blocks need proportionally less (64 KiB: a sixteenth, plus pages).
    const hps_geometry big = make(kTiB, 128);
    CHECK(hps_geometry_index_bytes(&big) <= (std::uint64_t{1} << 26) * 101 / 100);
}

TEST_CASE("geometry: every block belongs to the set that lists it", "[kmod][geometry]")
{
    const hps_geometry g = make(2 * kGiB + 12345, 8);
    std::uint64_t next = 0;
    for (__u64 set = 0; set < g.nr_sets; ++set) {
        REQUIRE(hps_set_first_block(&g, set) == next);
        const std::uint64_t ways = hps_set_ways(&g, set);
        for (std::uint64_t w = 0; w < ways; ++w)
            REQUIRE(hps_block_set(&g, next + w) == set);
        next += ways;
    }
    CHECK(next == g.nr_blocks);
}

TEST_CASE("geometry: keys split into (set, tag) and join back", "[kmod][geometry]")
{
    for (std::uint32_t bs : {8u, 64u, 2048u}) {
        const __u64 sizes[] = {hps_geometry_min_sectors(bs), 2 * kGiB, 4 * kTiB};
        for (const __u64 sectors : sizes) {
            const hps_geometry g = make(sectors, bs);
            INFO("block_sectors " << bs << " sectors " << sectors);
            std::mt19937_64 rng(sectors * bs);
            const std::uint64_t kmax = (std::uint64_t{1} << g.key_bits) - 1;
            for (int i = 0; i < 20000; ++i) {
                const std::uint64_t base = i < 4 ? 0 : rng() & kmax;
                const std::uint64_t vblock = i < 4 ? (i % 2 ? kmax : 0) : rng() & kmax;
                const std::uint64_t key = hps_make_key(&g, base, vblock);
                REQUIRE(key <= kmax);
                __u64 set = 0;
                std::uint32_t tag = 0;
                hps_key_split(&g, key, &set, &tag);
                REQUIRE(set < g.nr_sets);
                REQUIRE(tag < (std::uint32_t{1} << HPS_TAG_BITS));
                REQUIRE(hps_key_join(&g, set, tag) == key);
            }
        }
    }
}

TEST_CASE("geometry: a run of consecutive blocks spreads over distinct sets", "[kmod][geometry]")
{
    const hps_geometry g = make(2 * kGiB, 8);
    // Volume bases are multiples of nr_sets (the volume table allocates them so).
    const std::uint64_t n = g.nr_sets;
    for (std::uint64_t base : {std::uint64_t{0}, 5 * n, (std::uint64_t{1} << g.key_bits) - n}) {
        // The first nr_sets blocks of a volume share a tag, so they must hit
        // every set exactly once.
        std::vector<bool> seen(g.nr_sets, false);
        for (std::uint64_t vb = 0; vb < g.nr_sets; ++vb) {
            __u64 set = 0;
            std::uint32_t tag = 0;
            hps_key_split(&g, hps_make_key(&g, base, vb), &set, &tag);
            REQUIRE_FALSE(seen[set]);
            seen[set] = true;
        }
    }
    // Different volumes do not start on the same set.
    __u64 s0 = 0, s1 = 0;
    std::uint32_t t = 0;
    hps_key_split(&g, hps_make_key(&g, g.nr_sets, 0), &s0, &t);
    hps_key_split(&g, hps_make_key(&g, 2 * g.nr_sets, 0), &s1, &t);
    CHECK(s0 != s1);
}
