// SPDX-License-Identifier: GPL-2.0-only
#include "replication/link_settings.hpp"

namespace hpsd::replication {

LinkSettings link_settings(const Config& config, std::shared_ptr<const ClusterSecret> secret,
			   LogFn log)
{
	LinkSettings s;
	if (config.replication.cluster_id)
		s.cluster = *config.replication.cluster_id;
	s.node = config.node_name;
	s.secret = std::move(secret);
	s.nonces = std::make_shared<RandomNonces>();
	s.keepalive = std::chrono::milliseconds(config.replication.keepalive_ms);
	s.peer_timeout = std::chrono::milliseconds(config.replication.peer_timeout_ms);
	// A peer that cannot finish three small messages within the time a
	// live peer may stay silent is as good as lost.
	s.handshake_timeout = s.peer_timeout;
	s.log = std::move(log);
	return s;
}

} // namespace hpsd::replication
