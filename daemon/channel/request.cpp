// SPDX-License-Identifier: GPL-2.0-only
#include "channel/request.hpp"

#include <linux/dm-hps.h>

#include <cerrno>
#include <limits>

namespace hpsd::channel {

std::string_view to_string(Op op) noexcept
{
	switch (op) {
	case Op::read:
		return "read";
	case Op::write:
		return "write";
	case Op::discard:
		return "discard";
	case Op::flush:
		return "flush";
	case Op::replicate:
		return "replicate";
	case Op::repl_flush:
		return "repl_flush";
	}
	return "unknown";
}

hps::Result<Request, DecodeError> decode(const hps_io_desc& desc, std::uint16_t tag,
					  std::uint32_t io_bytes)
{
	auto bad = [&](const std::string& what) {
		return hps::fail(DecodeError{EINVAL, "tag " + std::to_string(tag) + ": " + what});
	};
	if (desc.tag != tag)
		return bad("descriptor names tag " + std::to_string(desc.tag));

	Request req;
	req.tag = tag;
	req.volume_id = desc.volume_id;
	req.offset = desc.offset;
	req.len = desc.len;
	req.serial = desc.serial;
	switch (desc.op) {
	case HPS_OP_READ:
	case HPS_OP_WRITE:
	case HPS_OP_REPLICATE:
		req.op = static_cast<Op>(desc.op);
		if (req.len == 0 || req.len > io_bytes)
			return bad("length " + std::to_string(req.len) + " not in 1.." +
				   std::to_string(io_bytes));
		break;
	case HPS_OP_DISCARD:
		req.op = Op::discard;
		if (req.len == 0)
			return bad("empty discard");
		break;
	case HPS_OP_FLUSH:
		req.op = Op::flush;
		break;
	case HPS_OP_REPL_FLUSH:
		req.op = Op::repl_flush;
		break;
	default:
		return bad("unknown op " + std::to_string(desc.op));
	}

	const unsigned allowed = req.op == Op::write || req.op == Op::replicate ? HPS_IOF_FUA : 0;
	if (desc.flags & ~allowed)
		return bad("flags " + std::to_string(desc.flags) + " not valid for " +
			   std::string(to_string(req.op)));
	req.fua = desc.flags & HPS_IOF_FUA;
	if (req.volume_id == 0)
		return bad("volume id 0");
	if (req.offset > std::numeric_limits<std::uint64_t>::max() - req.len)
		return bad("offset " + std::to_string(req.offset) + " + length overflows");
	return req;
}

std::string describe(const Request& req)
{
	std::string s(to_string(req.op));
	s += " vol " + std::to_string(req.volume_id);
	if (req.op != Op::flush && req.op != Op::repl_flush)
		s += " off " + std::to_string(req.offset) + " len " + std::to_string(req.len);
	if (req.fua)
		s += " fua";
	s += " tag " + std::to_string(req.tag) + " serial " + std::to_string(req.serial);
	return s;
}

} // namespace hpsd::channel
