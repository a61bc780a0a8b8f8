// SPDX-License-Identifier: GPL-2.0-only
#include "volume/registry.hpp"

#include "util/errno_text.hpp"
#include "util/json_text.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>
#include <set>

namespace hps::volume {
namespace {

using nlohmann::json;

constexpr std::uint64_t max_volume_id = std::numeric_limits<std::uint32_t>::max();
// The registry holds at most a few thousand short records; the cap stops a
// wrong file from eating memory.
constexpr std::size_t max_registry_bytes = 16 << 20;

Result<std::uint64_t> get_uint(const json& object, const std::string& field,
			       std::uint64_t min, std::uint64_t max)
{
	auto it = object.find(field);
	if (it == object.end())
		return fail("field \"" + field + "\" is missing");
	if (!it->is_number_unsigned() || it->get<std::uint64_t>() < min ||
	    it->get<std::uint64_t>() > max)
		return fail("field \"" + field + "\": " + describe_value(*it) +
			    " is not an integer in " + std::to_string(min) + ".." +
			    std::to_string(max));
	return it->get<std::uint64_t>();
}

Result<std::string> get_string(const json& object, const std::string& field)
{
	auto it = object.find(field);
	if (it == object.end())
		return fail("field \"" + field + "\" is missing");
	if (!it->is_string() || it->get_ref<const std::string&>().empty())
		return fail("field \"" + field + "\": " + describe_value(*it) +
			    " is not a non-empty string");
	return it->get<std::string>();
}

Result<VolumeRecord> parse_record(const json& item)
{
	if (!item.is_object())
		return fail(std::string("is ") + describe_value(item) + ", not an object");
	for (const auto& [key, value] : item.items()) {
		(void)value;
		if (key != "name" && key != "id" && key != "pool_id" && key != "size_bytes" &&
		    key != "image" && key != "role" && key != "peer")
			return fail("unknown field \"" + key + "\"");
	}
	VolumeRecord record;
	auto name = get_string(item, "name");
	if (!name)
		return fail(name.error());
	record.name = *name;
	auto id = get_uint(item, "id", 1, max_volume_id);
	if (!id)
		return fail(id.error());
	record.id = static_cast<std::uint32_t>(*id);
	auto pool = get_uint(item, "pool_id", 0, std::numeric_limits<std::uint32_t>::max());
	if (!pool)
		return fail(pool.error());
	record.pool_id = static_cast<std::uint32_t>(*pool);
	auto size = get_uint(item, "size_bytes", 1, std::numeric_limits<std::uint64_t>::max());
	if (!size)
		return fail(size.error());
	record.size_bytes = *size;
	auto image = get_string(item, "image");
	if (!image)
		return fail(image.error());
	record.image = *image;
	if (item.contains("role")) {
		auto role = get_string(item, "role");
		if (!role)
			return fail(role.error());
		auto parsed = volume_role(*role);
		if (!parsed || *parsed == VolumeRole::standalone)
			return fail("field \"role\": \"" + *role + "\" is not primary or secondary");
		record.role = *parsed;
		auto peer = get_string(item, "peer");
		if (!peer)
			return fail(peer.error());
		record.peer = *peer;
	} else if (item.contains("peer")) {
		return fail("field \"peer\" without \"role\"");
	}
	return record;
}

Result<std::string> read_file(const std::filesystem::path& path, bool& missing)
{
	missing = false;
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid()) {
		if (errno == ENOENT) {
			missing = true;
			return std::string();
		}
		return fail("cannot open: " + errno_text(errno));
	}
	std::string text;
	std::array<char, 8192> chunk{};
	for (;;) {
		ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("cannot read: " + errno_text(errno));
		if (n == 0)
			return text;
		text.append(chunk.data(), static_cast<std::size_t>(n));
		if (text.size() > max_registry_bytes)
			return fail("file is larger than " + std::to_string(max_registry_bytes) +
				    " bytes");
	}
}

Result<void> write_all(int fd, std::string_view text)
{
	while (!text.empty()) {
		ssize_t n = ::write(fd, text.data(), text.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(errno_text(errno));
		text.remove_prefix(static_cast<std::size_t>(n));
	}
	return {};
}

} // namespace

Result<Registry> Registry::parse(std::string_view text, std::string_view origin)
{
	const std::string prefix = "volume registry " + std::string(origin) + ": ";
	json doc;
	try {
		doc = json::parse(text);
	} catch (const json::exception& e) {
		return fail(prefix + "not valid JSON: " + json_error_text(e));
	}
	if (!doc.is_object())
		return fail(prefix + "the document is " + describe_value(doc) + ", not an object");
	for (const auto& [key, value] : doc.items()) {
		(void)value;
		if (key != "volumes" && key != "next_id")
			return fail(prefix + "unknown field \"" + key + "\"");
	}
	auto volumes = doc.find("volumes");
	if (volumes == doc.end())
		return fail(prefix + "field \"volumes\" is missing");
	if (!volumes->is_array())
		return fail(prefix + "field \"volumes\": " + describe_value(*volumes) +
			    " is not an array");

	Registry registry;
	std::uint64_t highest = 0;
	std::size_t index = 0;
	for (const auto& item : *volumes) {
		const std::string where = "volumes[" + std::to_string(index++) + "]";
		auto record = parse_record(item);
		if (!record)
			return fail(prefix + where + " " + record.error());
		highest = std::max<std::uint64_t>(highest, record->id);
		auto added = registry.add(std::move(record).value());
		if (!added)
			return fail(prefix + where + " " + added.error());
	}
	registry.next_id_ = highest + 1;
	if (doc.contains("next_id")) {
		auto next = get_uint(doc, "next_id", 1, max_volume_id + 1);
		if (!next)
			return fail(prefix + next.error());
		registry.next_id_ = std::max(registry.next_id_, *next);
	}
	return registry;
}

Result<Registry> Registry::load(const std::filesystem::path& state_dir)
{
	const auto path = state_dir / registry_file_name;
	bool missing = false;
	auto text = read_file(path, missing);
	if (!text)
		return fail("volume registry " + path.string() + ": " + text.error());
	if (missing)
		return Registry();
	return parse(*text, path.string());
}

std::string_view to_string(VolumeRole role) noexcept
{
	switch (role) {
	case VolumeRole::standalone:
		return "standalone";
	case VolumeRole::primary:
		return "primary";
	case VolumeRole::secondary:
		return "secondary";
	}
	return "unknown";
}

std::optional<VolumeRole> volume_role(std::string_view text) noexcept
{
	for (VolumeRole r : {VolumeRole::standalone, VolumeRole::primary, VolumeRole::secondary})
		if (to_string(r) == text)
			return r;
	return std::nullopt;
}

std::string Registry::serialize() const
{
	std::string text = "{\"volumes\":[";
	for (std::size_t i = 0; i < volumes_.size(); ++i) {
		const auto& v = volumes_[i];
		json item = {{"name", v.name},
			     {"id", v.id},
			     {"pool_id", v.pool_id},
			     {"size_bytes", v.size_bytes},
			     {"image", v.image}};
		if (v.role != VolumeRole::standalone) {
			item["role"] = std::string(to_string(v.role));
			item["peer"] = v.peer;
		}
		text += (i == 0 ? "\n  " : ",\n  ") + dump_json(item);
	}
	text += volumes_.empty() ? "]" : "\n]";
	text += ",\"next_id\":" + std::to_string(next_id_) + "}\n";
	return text;
}

Result<void> Registry::save(const std::filesystem::path& state_dir) const
{
	const auto path = state_dir / registry_file_name;
	const auto temp = state_dir / (std::string(registry_file_name) + ".tmp");
	const std::string prefix = "volume registry " + path.string() + ": ";

	UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	if (!fd.valid())
		return fail(prefix + "cannot create " + temp.string() + ": " + errno_text(errno));
	if (auto written = write_all(fd.get(), serialize()); !written)
		return fail(prefix + "cannot write " + temp.string() + ": " + written.error());
	if (::fsync(fd.get()) != 0)
		return fail(prefix + "cannot fsync " + temp.string() + ": " + errno_text(errno));
	fd.reset();
	if (::rename(temp.c_str(), path.c_str()) != 0)
		return fail(prefix + "cannot rename " + temp.string() + ": " + errno_text(errno));
	// The rename is only durable once the directory entry is.
	UniqueFd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir.valid() || ::fsync(dir.get()) != 0)
		return fail(prefix + "cannot fsync directory " + state_dir.string() + ": " +
			    errno_text(errno));
	return {};
}

const VolumeRecord* Registry::find_by_id(std::uint32_t id) const
{
	auto it = std::find_if(volumes_.begin(), volumes_.end(),
			       [id](const VolumeRecord& v) { return v.id == id; });
	return it == volumes_.end() ? nullptr : &*it;
}

const VolumeRecord* Registry::find_by_name(std::string_view name) const
{
	auto it = std::find_if(volumes_.begin(), volumes_.end(),
			       [name](const VolumeRecord& v) { return v.name == name; });
	return it == volumes_.end() ? nullptr : &*it;
}

Result<void> Registry::add(VolumeRecord record)
{
	if (record.id == 0)
		return fail(std::string("volume id 0 is reserved"));
	if (find_by_name(record.name) != nullptr)
		return fail("volume name \"" + record.name + "\" is already registered");
	if (find_by_id(record.id) != nullptr)
		return fail("volume id " + std::to_string(record.id) + " is already registered");
	next_id_ = std::max<std::uint64_t>(next_id_, std::uint64_t{record.id} + 1);
	volumes_.push_back(std::move(record));
	return {};
}

bool Registry::remove(std::string_view name)
{
	auto it = std::find_if(volumes_.begin(), volumes_.end(),
			       [name](const VolumeRecord& v) { return v.name == name; });
	if (it == volumes_.end())
		return false;
	volumes_.erase(it);
	return true;
}

bool Registry::replace(const VolumeRecord& record)
{
	auto it = std::find_if(volumes_.begin(), volumes_.end(),
			       [&](const VolumeRecord& v) { return v.name == record.name; });
	if (it == volumes_.end() || it->id != record.id)
		return false;
	*it = record;
	return true;
}

std::uint32_t Registry::next_free_id() const
{
	return next_free_id(next_id_);
}

std::uint32_t Registry::next_free_id(std::uint64_t from) const
{
	if (volumes_.size() >= max_volume_id)
		return 0;
	std::set<std::uint32_t> used;
	for (const auto& v : volumes_)
		used.insert(v.id);
	std::uint64_t id = from > max_volume_id || from == 0 ? 1 : from;
	// At most volumes_.size() + 1 steps: the ids in use are all we can hit.
	while (used.contains(static_cast<std::uint32_t>(id)))
		id = id == max_volume_id ? 1 : id + 1;
	return static_cast<std::uint32_t>(id);
}

std::optional<std::string> image_of(const std::filesystem::path& state_dir, std::uint32_t id)
{
	auto registry = Registry::load(state_dir);
	if (!registry)
		return std::nullopt;
	const VolumeRecord* volume = registry->find_by_id(id);
	if (!volume)
		return std::nullopt;
	return volume->image;
}

} // namespace hps::volume
