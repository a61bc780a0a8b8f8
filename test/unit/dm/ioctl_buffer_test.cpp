// SPDX-License-Identifier: GPL-2.0-only
#include "dm/ioctl_buffer.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace hps::dm;

namespace {

// Writes a dm_target_spec and its text into an answer buffer at `offset`
// (from data_start), as the kernel's retrieve_status() does; returns the
// aligned offset just past it.
std::size_t put_spec(IoctlBuffer& buffer, std::size_t offset, const Target& t, std::size_t next)
{
	auto bytes = buffer.bytes();
	const std::size_t base = buffer.header().data_start + offset;
	dm_target_spec spec{};
	spec.sector_start = t.start;
	spec.length = t.length;
	std::memcpy(spec.target_type, t.type.data(), t.type.size());
	spec.next = static_cast<std::uint32_t>(next);
	std::memcpy(bytes.data() + base, &spec, sizeof spec);
	std::memcpy(bytes.data() + base + sizeof spec, t.params.data(), t.params.size());
	return (offset + sizeof spec + t.params.size() + 1 + 7) & ~std::size_t{7};
}

} // namespace

TEST_CASE("dm: the header carries version, sizes and name")
{
	IoctlBuffer buffer(100, "hps-pool-0");
	const auto& h = buffer.header();
	CHECK(h.version[0] == DM_VERSION_MAJOR);
	CHECK(h.data_start == sizeof(dm_ioctl)); // 312: a multiple of 8 already
	CHECK(h.data_start % 8 == 0);
	CHECK(h.data_size == buffer.bytes().size());
	CHECK(h.data_size >= sizeof(dm_ioctl));
	CHECK(std::string(h.name) == "hps-pool-0");
}

TEST_CASE("dm: device names")
{
	CHECK(check_device_name("hps-db1").ok());
	CHECK(check_device_name(std::string(127, 'a')).ok());
	CHECK_FALSE(check_device_name(std::string(128, 'a')).ok());
	CHECK_FALSE(check_device_name("").ok());
	CHECK_FALSE(check_device_name("a/b").ok());
	CHECK_FALSE(check_device_name("..").ok());
}

TEST_CASE("dm: table load payload: specs chained by next from each spec, 8-aligned")
{
	std::vector<Target> targets{{0, 131072, "hps", "/dev/mapper/hps-pool-0 1 standalone"},
				    {131072, 8, "error", ""}};
	auto built = build_table_load("hps-db1", targets);
	REQUIRE(built.ok());
	const auto& buffer = *built;
	CHECK(buffer.header().target_count == 2);
	CHECK(buffer.header().data_size % 8 == 0);
	auto bytes = buffer.bytes();
	std::size_t offset = buffer.header().data_start;
	for (const auto& t : targets) {
		dm_target_spec spec{};
		std::memcpy(&spec, bytes.data() + offset, sizeof spec);
		CHECK(spec.sector_start == t.start);
		CHECK(spec.length == t.length);
		CHECK(std::string(spec.target_type) == t.type);
		CHECK(spec.next % 8 == 0);
		CHECK(spec.next >= sizeof spec + t.params.size() + 1);
		const char* text = reinterpret_cast<const char*>(bytes.data() + offset + sizeof spec);
		CHECK(std::string(text) == t.params);
		offset += spec.next;
	}
	CHECK(offset <= buffer.header().data_size);
}

TEST_CASE("dm: table load refuses a bad type or name")
{
	std::vector<Target> bad_type{{0, 8, "", ""}};
	CHECK_FALSE(build_table_load("x", bad_type).ok());
	std::vector<Target> long_type{{0, 8, std::string(DM_MAX_TYPE_NAME, 't'), ""}};
	CHECK_FALSE(build_table_load("x", long_type).ok());
	std::vector<Target> fine{{0, 8, "zero", ""}};
	CHECK_FALSE(build_table_load("a/b", fine).ok());
}

TEST_CASE("dm: target message payload")
{
	auto built = build_target_message("hps-db1", 0, "role primary");
	REQUIRE(built.ok());
	auto bytes = built->bytes();
	const std::size_t at = built->header().data_start;
	dm_target_msg msg{};
	std::memcpy(&msg, bytes.data() + at, sizeof msg);
	CHECK(msg.sector == 0);
	CHECK(std::string(reinterpret_cast<const char*>(bytes.data() + at + sizeof msg)) ==
	      "role primary");
	CHECK_FALSE(build_target_message("hps-db1", 0, "").ok());
}

TEST_CASE("dm: status answer: next counts from data_start")
{
	IoctlBuffer buffer(4096, "hps-pool-0");
	Target a{0, 4194304, "hps-pool", "2 8 491520 1 ok 66376cf7-c30b-4a1e-a44c-3c8a4665a5b8 0 0 1966080"};
	Target b{4194304, 8, "error", ""};
	std::size_t second = put_spec(buffer, 0, a, 0);
	std::size_t end = put_spec(buffer, second, b, 0);
	// Patch a's next to the offset of b from data_start.
	dm_target_spec spec{};
	auto bytes = buffer.bytes();
	std::memcpy(&spec, bytes.data() + buffer.header().data_start, sizeof spec);
	spec.next = static_cast<std::uint32_t>(second);
	std::memcpy(bytes.data() + buffer.header().data_start, &spec, sizeof spec);
	buffer.header().target_count = 2;
	buffer.header().data_size = static_cast<std::uint32_t>(buffer.header().data_start + end);

	auto targets = parse_targets(buffer);
	REQUIRE(targets.ok());
	REQUIRE(targets->size() == 2);
	CHECK((*targets)[0].type == "hps-pool");
	CHECK((*targets)[0].length == 4194304);
	CHECK((*targets)[0].params == a.params);
	CHECK((*targets)[1].type == "error");
	CHECK((*targets)[1].start == 4194304);
	CHECK((*targets)[1].params.empty());
}

TEST_CASE("dm: status answer with a bad next or cut short is an error")
{
	IoctlBuffer buffer(1024, "x");
	put_spec(buffer, 0, Target{0, 8, "zero", ""}, 0);
	buffer.header().target_count = 2; // claims a second, next 0 points back
	CHECK_FALSE(parse_targets(buffer).ok());
	buffer.header().target_count = 1;
	buffer.header().data_size = buffer.header().data_start + 8; // spec cut off
	CHECK_FALSE(parse_targets(buffer).ok());
	buffer.header().target_count = 0;
	auto none = parse_targets(buffer);
	REQUIRE(none.ok());
	CHECK(none->empty());
}

TEST_CASE("dm: device list")
{
	IoctlBuffer buffer(4096, "");
	auto bytes = buffer.bytes();
	const std::size_t base = buffer.header().data_start;
	auto put = [&](std::size_t at, std::uint64_t dev, std::uint32_t next, const char* name) {
		dm_name_list entry{};
		entry.dev = dev;
		entry.next = next;
		std::memcpy(bytes.data() + base + at, &entry, offsetof(dm_name_list, name));
		std::memcpy(bytes.data() + base + at + offsetof(dm_name_list, name), name,
			    std::strlen(name) + 1);
	};
	put(0, (254ULL << 8) | 3, 32, "hps-pool-0");
	put(32, (254ULL << 8) | 4, 0, "hps-db1");
	buffer.header().data_size = static_cast<std::uint32_t>(base + 64);
	auto list = parse_device_list(buffer);
	REQUIRE(list.ok());
	REQUIRE(list->size() == 2);
	CHECK((*list)[0].name == "hps-pool-0");
	CHECK(dev_major((*list)[0].dev) == 254);
	CHECK(dev_minor((*list)[0].dev) == 3);
	CHECK((*list)[1].name == "hps-db1");

	IoctlBuffer empty(4096, "");
	empty.header().data_size = static_cast<std::uint32_t>(empty.header().data_start + 16);
	auto none = parse_device_list(empty);
	REQUIRE(none.ok());
	CHECK(none->empty());
}

TEST_CASE("dm: a target message's answer text")
{
	IoctlBuffer buffer(1024, "x");
	CHECK(payload_text(buffer).empty());
	std::memcpy(buffer.bytes().data() + buffer.header().data_start, "42 ok", 6);
	buffer.header().flags |= DM_DATA_OUT_FLAG;
	CHECK(payload_text(buffer) == "42 ok");
}
