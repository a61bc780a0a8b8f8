// SPDX-License-Identifier: GPL-2.0-only
#include "volume/cluster_ids.hpp"

#include <charconv>

namespace hps::volume {
namespace {

// True when `image` now holds `id` (made it, or held it already).
hps::Result<bool, std::string> try_claim(ImageStore& store, std::uint32_t id, const std::string& image)
{
	const std::string oid = volume_id_object(id);
	auto created = store.create_object(oid, image);
	if (!created)
		return fail("cannot allocate a volume id: " + created.error());
	if (*created)
		return true;
	auto holder = store.read_object(oid);
	if (!holder)
		return fail("cannot allocate a volume id: " + holder.error());
	return *holder && **holder == image;
}

} // namespace

std::uint32_t parse_volume_id(std::string_view text)
{
	std::uint32_t v = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	return ec == std::errc() && end == text.data() + text.size() ? v : 0;
}

std::string volume_id_object(std::uint32_t id)
{
	return "hps.volume_id." + std::to_string(id);
}

hps::Result<std::uint32_t, std::string> claim_volume_id(ImageStore& store, const Registry& local,
							 const std::string& image, std::uint32_t preferred)
{
	if (preferred != 0 && !local.find_by_id(preferred)) {
		auto ours = try_claim(store, preferred, image);
		if (!ours)
			return fail(ours.error());
		if (*ours)
			return preferred;
	}
	auto hint = store.read_object(volume_id_hint_object);
	if (!hint)
		return fail("cannot allocate a volume id: " + hint.error());
	// A hint only: any value is safe, since claiming is what decides; a
	// missing or garbled one is 0, which next_free_id() starts at 1.
	std::uint64_t from = *hint ? parse_volume_id(**hint) : 0;
	std::uint32_t first = 0;
	for (unsigned attempt = 0; attempt < max_id_attempts; ++attempt) {
		const std::uint32_t id = local.next_free_id(from);
		if (id == 0)
			return fail(std::string("all volume ids are in use on this node"));
		if (first == 0)
			first = id;
		auto ours = try_claim(store, id, image);
		if (!ours)
			return fail(ours.error());
		if (*ours) {
			// Best effort: a stale hint costs steps, not correctness.
			(void)store.write_object(volume_id_hint_object, std::to_string(std::uint64_t{id} + 1));
			return id;
		}
		from = std::uint64_t{id} + 1;
	}
	return fail("cannot allocate a volume id: " + std::to_string(max_id_attempts) +
		    " ids in a row from " + std::to_string(first) +
		    " are held by other volumes of the cluster");
}

hps::Result<void, std::string> release_volume_id(ImageStore& store, std::uint32_t id,
						 const std::string& image)
{
	const std::string oid = volume_id_object(id);
	auto holder = store.read_object(oid);
	if (!holder)
		return fail("cannot release volume id " + std::to_string(id) + ": " + holder.error());
	if (!*holder || **holder != image)
		return {};
	return store.remove_object(oid);
}

} // namespace hps::volume
