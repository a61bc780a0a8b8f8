// SPDX-License-Identifier: GPL-2.0-only
#include "volume/image_store.hpp"

#include "backend/rbd_session.hpp"

namespace hps::volume {
namespace {

// The session's image administration, with its errors as the volume
// service's one-line messages.
class RbdImageStore final : public ImageStore {
public:
	explicit RbdImageStore(hpsd::backend::RbdSession& session) : session_(session) {}

	hps::Result<std::optional<std::uint64_t>, std::string>
	size_of(const std::string& name) override
	{
		auto size = session_.size_of(name);
		if (!size)
			return fail(std::move(size).error().message);
		return *size;
	}

	hps::Result<void, std::string> create(const std::string& name, std::uint64_t size) override
	{
		if (auto created = session_.create(name, size); !created)
			return fail(std::move(created).error().message);
		return {};
	}

	hps::Result<void, std::string> remove(const std::string& name) override
	{
		if (auto removed = session_.remove(name); !removed)
			return fail(std::move(removed).error().message);
		return {};
	}

	std::string describe(const std::string& name) const override
	{
		return session_.describe(name);
	}

private:
	hpsd::backend::RbdSession& session_;
};

} // namespace

std::unique_ptr<ImageStore> make_rbd_image_store(hpsd::backend::RbdSession& session)
{
	return std::make_unique<RbdImageStore>(session);
}

} // namespace hps::volume
