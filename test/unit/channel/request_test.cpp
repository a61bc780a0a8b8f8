// SPDX-License-Identifier: GPL-2.0-only
// Decoding and validation of the kernel channel's descriptors.
#include "channel/request.hpp"

#include <catch2/catch.hpp>

#include <linux/dm-hps.h>

#include <cerrno>

using hpsd::channel::decode;
using hpsd::channel::Op;

namespace {

hps_io_desc desc(std::uint8_t op, std::uint16_t tag = 3, std::uint64_t len = 4096)
{
	hps_io_desc d{};
	d.op = op;
	d.tag = tag;
	d.volume_id = 7;
	d.offset = 1 << 20;
	d.len = len;
	d.serial = 99;
	return d;
}

constexpr std::uint32_t io_bytes = HPS_CHAN_IO_BYTES;

} // namespace

TEST_CASE("request: every op decodes with its fields", "[channel]")
{
	auto r = decode(desc(HPS_OP_READ), 3, io_bytes);
	REQUIRE(r);
	CHECK(r->op == Op::read);
	CHECK(r->tag == 3);
	CHECK(r->volume_id == 7);
	CHECK(r->offset == 1 << 20);
	CHECK(r->len == 4096);
	CHECK(r->serial == 99);
	CHECK_FALSE(r->fua);

	auto w = desc(HPS_OP_WRITE, 3, io_bytes);
	w.flags = HPS_IOF_FUA;
	auto wr = decode(w, 3, io_bytes);
	REQUIRE(wr);
	CHECK(wr->op == Op::write);
	CHECK(wr->fua);
	CHECK(wr->len == io_bytes);

	auto d = decode(desc(HPS_OP_DISCARD, 3, std::uint64_t{1} << 40), 3, io_bytes);
	REQUIRE(d);
	CHECK(d->op == Op::discard);
	CHECK(d->len == std::uint64_t{1} << 40);

	auto f = decode(desc(HPS_OP_FLUSH, 3, 0), 3, io_bytes);
	REQUIRE(f);
	CHECK(f->op == Op::flush);
	CHECK(hpsd::channel::describe(*f) == "flush vol 7 tag 3 serial 99");
	CHECK(hpsd::channel::describe(*wr) == "write vol 7 off 1048576 len 131072 fua tag 3 serial 99");

	// A primary's replication requests (kmod/FORMAT.md, "Replication").
	auto rep = desc(HPS_OP_REPLICATE, 3, 8192);
	rep.flags = HPS_IOF_FUA;
	auto rp = decode(rep, 3, io_bytes);
	REQUIRE(rp);
	CHECK(rp->op == Op::replicate);
	CHECK(rp->fua);
	auto rf = decode(desc(HPS_OP_REPL_FLUSH, 3, 0), 3, io_bytes);
	REQUIRE(rf);
	CHECK(rf->op == Op::repl_flush);
	CHECK(hpsd::channel::describe(*rf) == "repl_flush vol 7 tag 3 serial 99");
}

TEST_CASE("request: malformed descriptors are refused with EINVAL", "[channel]")
{
	auto refused = [](const hps_io_desc& d, std::uint16_t tag = 3) {
		auto r = decode(d, tag, io_bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().error == EINVAL);
		CHECK(r.error().message.rfind("tag " + std::to_string(tag) + ": ", 0) == 0);
	};
	refused(desc(0));
	refused(desc(7));
	refused(desc(255));
	refused(desc(HPS_OP_REPLICATE, 3, 0));
	refused(desc(HPS_OP_REPLICATE, 3, io_bytes + 1));
	auto fua_flush = desc(HPS_OP_REPL_FLUSH, 3, 0);
	fua_flush.flags = HPS_IOF_FUA;
	refused(fua_flush);
	refused(desc(HPS_OP_READ), 4); // names another tag
	refused(desc(HPS_OP_READ, 3, 0));
	refused(desc(HPS_OP_WRITE, 3, io_bytes + 1));
	refused(desc(HPS_OP_DISCARD, 3, 0));

	auto fua_read = desc(HPS_OP_READ);
	fua_read.flags = HPS_IOF_FUA;
	refused(fua_read);
	auto odd_flags = desc(HPS_OP_WRITE);
	odd_flags.flags = 0x80;
	refused(odd_flags);
	auto no_volume = desc(HPS_OP_READ);
	no_volume.volume_id = 0;
	refused(no_volume);
	auto wraps = desc(HPS_OP_DISCARD, 3, 4096);
	wraps.offset = ~std::uint64_t{0} - 100;
	refused(wraps);
}
