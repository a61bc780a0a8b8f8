// SPDX-License-Identifier: GPL-2.0-only
#include "dm/hps_status.hpp"

#include <charconv>
#include <limits>
#include <vector>

namespace hps::dm {
namespace {

std::vector<std::string_view> split_words(std::string_view text)
{
	std::vector<std::string_view> words;
	std::size_t i = 0;
	while (i < text.size()) {
		while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
			++i;
		std::size_t j = i;
		while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n')
			++j;
		if (j > i)
			words.push_back(text.substr(i, j - i));
		i = j;
	}
	return words;
}

class Fields {
public:
	Fields(std::string_view target, std::string_view text)
		: target_(target), text_(text), words_(split_words(text))
	{
	}
	std::size_t size() const noexcept { return words_.size(); }

	Result<std::uint64_t, std::string> number(std::size_t i, std::string_view field) const
	{
		if (i >= words_.size())
			return fail(prefix() + "field " + std::string(field) + " is missing");
		std::uint64_t value = 0;
		auto w = words_[i];
		auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
		if (ec != std::errc{} || end != w.data() + w.size())
			return fail(prefix() + "field " + std::string(field) + ": \"" + std::string(w) +
				    "\" is not an unsigned number");
		return value;
	}
	std::optional<std::uint64_t> optional_number(std::size_t i) const
	{
		auto value = number(i, "");
		return value ? std::optional(*value) : std::nullopt;
	}
	std::optional<std::string> word(std::size_t i) const
	{
		return i < words_.size() ? std::optional(std::string(words_[i])) : std::nullopt;
	}

private:
	std::string prefix() const
	{
		return std::string(target_) + " status \"" + std::string(text_.substr(0, 200)) + "\": ";
	}
	std::string_view target_;
	std::string_view text_;
	std::vector<std::string_view> words_;
};

} // namespace

Result<PoolStatus, std::string> parse_pool_status(std::string_view params)
{
	Fields f("hps-pool", params);
	PoolStatus s;
	const char* names[] = {"abi_version", "block_sectors", "total_blocks", "nr_volumes"};
	std::uint64_t* slots[] = {&s.abi_version, &s.block_sectors, &s.total_blocks, &s.nr_volumes};
	for (std::size_t i = 0; i < 4; ++i) {
		auto v = f.number(i, names[i]);
		if (!v)
			return fail(v.error());
		*slots[i] = *v;
	}
	auto mode = f.word(4);
	if (!mode)
		return fail(std::string("hps-pool status \"") + std::string(params) +
			    "\": field mode is missing");
	s.mode = *mode;
	s.uuid = f.word(5);
	s.used_blocks = f.optional_number(6);
	s.dirty_blocks = f.optional_number(7);
	s.index_bytes = f.optional_number(8);
	return s;
}

Result<VolumeStatus, std::string> parse_volume_status(std::string_view params)
{
	Fields f("hps", params);
	VolumeStatus s;
	auto role = f.word(0);
	auto mode = f.word(1);
	if (!role || !mode)
		return fail(std::string("hps status \"") + std::string(params) +
			    "\": field " + (role ? "mode" : "role") + " is missing");
	s.role = *role;
	s.mode = *mode;
	auto id = f.number(2, "volume_id");
	if (!id)
		return fail(id.error());
	if (*id > std::numeric_limits<std::uint32_t>::max())
		return fail(std::string("hps status: volume_id ") + std::to_string(*id) +
			    " is out of range");
	s.volume_id = static_cast<std::uint32_t>(*id);
	if (f.size() == 5) {
		// The first version: <reads> <writes>; no cache, so nothing cached
		// or dirty can exist, but the line does not say so: unknown.
		s.reads = f.optional_number(3);
		s.writes = f.optional_number(4);
		return s;
	}
	s.cached_blocks = f.optional_number(3);
	s.dirty_blocks = f.optional_number(4);
	s.read_hits = f.optional_number(5);
	s.read_misses = f.optional_number(6);
	s.writes = f.optional_number(7);
	s.write_through = f.optional_number(8);
	s.flushes = f.optional_number(9);
	s.discards = f.optional_number(10);
	s.errors = f.optional_number(11);
	s.state = f.word(12);
	return s;
}

} // namespace hps::dm
