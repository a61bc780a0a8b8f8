// SPDX-License-Identifier: GPL-2.0-only
#include "volume/image_store.hpp"

#include "backend/rbd_session.hpp"

namespace hps::volume {
namespace {

// The session's image administration, with its errors as the volume
// service's one-line messages.
class RbdImageStore final : public ImageStore {
public:
	RbdImageStore(hpsd::backend::RbdSession& session,
		      std::vector<hpsd::backend::RbdSession*> others)
		: session_(session), others_(std::move(others))
	{
	}

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

	hps::Result<std::vector<std::string>, std::string> client_addresses() override
	{
		std::vector<std::string> all;
		auto add = [&all](hpsd::backend::RbdSession& s) -> hps::Result<void, std::string> {
			auto a = s.addresses();
			if (!a)
				return fail(std::move(a).error().message);
			all.insert(all.end(), a->begin(), a->end());
			return {};
		};
		if (auto ok = add(session_); !ok)
			return fail(ok.error());
		for (auto* other : others_)
			if (auto ok = add(*other); !ok)
				return fail(ok.error());
		return all;
	}

	hps::Result<std::vector<ImageLocker>, ImageError>
	lockers(const std::string& image) override
	{
		auto l = session_.lockers(image);
		if (!l)
			return fail(ImageError{l.error().code, std::move(l).error().message});
		std::vector<ImageLocker> out;
		for (auto& one : *l)
			out.push_back({one.client, one.cookie, one.address});
		return out;
	}

	hps::Result<void, std::string> lock(const std::string& image,
					    const std::string& cookie) override
	{
		return message_of(session_.lock(image, cookie));
	}

	hps::Result<void, std::string> unlock(const std::string& image,
					      const std::string& cookie) override
	{
		return message_of(session_.unlock(image, cookie));
	}

	hps::Result<void, std::string> break_lock(const std::string& image,
						  const ImageLocker& locker) override
	{
		return message_of(
			session_.break_lock(image, {locker.client, locker.cookie, locker.address}));
	}

	hps::Result<void, std::string> blocklist(const std::string& address) override
	{
		return message_of(session_.blocklist(address));
	}

	hps::Result<std::optional<std::string>, ImageError>
	metadata(const std::string& image, const std::string& key) override
	{
		auto v = session_.metadata(image, key);
		if (!v)
			return fail(ImageError{v.error().code, std::move(v).error().message});
		return *v;
	}

	hps::Result<void, ImageError> set_metadata(const std::string& image, const std::string& key,
						   const std::string& value) override
	{
		return image_error(session_.set_metadata(image, key, value));
	}

	hps::Result<void, ImageError> remove_metadata(const std::string& image,
						      const std::string& key) override
	{
		return image_error(session_.remove_metadata(image, key));
	}

	hps::Result<bool, std::string> create_object(const std::string& oid,
						     const std::string& content) override
	{
		auto created = session_.create_object(oid, content);
		if (!created)
			return fail(std::move(created).error().message);
		return *created;
	}

	hps::Result<std::optional<std::string>, std::string>
	read_object(const std::string& oid) override
	{
		auto read = session_.read_object(oid);
		if (!read)
			return fail(std::move(read).error().message);
		return std::move(*read);
	}

	hps::Result<void, std::string> write_object(const std::string& oid,
						    const std::string& content) override
	{
		return message_of(session_.write_object(oid, content));
	}

	hps::Result<void, std::string> remove_object(const std::string& oid) override
	{
		return message_of(session_.remove_object(oid));
	}

private:
	static hps::Result<void, ImageError>
	image_error(hps::Result<void, hpsd::backend::RbdError> r)
	{
		if (!r)
			return fail(ImageError{r.error().code, std::move(r).error().message});
		return {};
	}

	static hps::Result<void, std::string>
	message_of(hps::Result<void, hpsd::backend::RbdError> r)
	{
		if (!r)
			return fail(std::move(r).error().message);
		return {};
	}

	hpsd::backend::RbdSession& session_;
	std::vector<hpsd::backend::RbdSession*> others_;
};

} // namespace

std::unique_ptr<ImageStore> make_rbd_image_store(hpsd::backend::RbdSession& session,
						 std::vector<hpsd::backend::RbdSession*> others)
{
	return std::make_unique<RbdImageStore>(session, std::move(others));
}

} // namespace hps::volume
