// SPDX-License-Identifier: GPL-2.0-only
#include "replication/link_common.hpp"

#include "replication/check.hpp"

namespace hpsd::replication {

hps::Result<Handshake, std::string> make_handshake(Handshake::Role role,
						   std::optional<std::string> expected_peer,
						   const LinkSettings& settings)
{
	if (!settings.secret || !settings.nonces)
		return hps::fail(std::string("replication: link settings without a secret or nonces"));
	HandshakeConfig config;
	config.cluster = settings.cluster;
	config.node = settings.node;
	config.expected_peer = std::move(expected_peer);
	config.max_write_bytes = settings.max_write_bytes;
	auto handshake = Handshake::create(role, std::move(config), *settings.secret, *settings.nonces);
	if (!handshake)
		return hps::fail("replication: " + handshake.error());
	return std::move(handshake).value();
}

hps::Result<void, SendError> check_send(const Message& message, const Peer& peer)
{
	if (is_handshake_message(message))
		return hps::fail(SendError{SendError::Kind::invalid,
					   std::string(to_string(type_of(message))) +
						   " belongs to the handshake"});
	// What the peer accepts: the agreed version, its largest WRITE.
	const Limits peer_limits{peer.version, peer.version, peer.max_write_bytes,
				 Limits{}.max_clean_entries};
	if (auto valid = check(message, peer_limits); !valid)
		return hps::fail(SendError{SendError::Kind::invalid, std::move(valid).error()});
	return {};
}

bool is_handshake_message(const Message& message) noexcept
{
	return std::holds_alternative<Hello>(message) || std::holds_alternative<Challenge>(message) ||
	       std::holds_alternative<Response>(message);
}

std::string error_text(std::string_view reason)
{
	std::string text(reason.substr(0, max_error_text_chars));
	for (char& c : text)
		if (c < 0x20 || c > 0x7e)
			c = '?';
	return text;
}

std::string ms(std::chrono::milliseconds d)
{
	return std::to_string(d.count()) + " ms";
}

} // namespace hpsd::replication
