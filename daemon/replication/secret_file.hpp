// SPDX-License-Identifier: GPL-2.0-only
// Reading the cluster secret from replication.secret_file.  The file's
// bytes, all of them, are the secret (16..1024; e.g. `head -c 32
// /dev/urandom`): every node gets a copy of the same file.  Whoever can
// read it can pose as any node of the cluster, so a file that its group or
// others may read or write is refused, as ssh refuses such a key.
#pragma once

#include "replication/crypto.hpp"
#include "util/result.hpp"

#include <string>

namespace hpsd::replication {

// The secret, or one line naming the path and what is wrong (never the
// secret): "secret file /etc/hps/cluster.secret has mode 0644: group and
// others must have no access (chmod 600 it)".
hps::Result<ClusterSecret, std::string> load_cluster_secret(const std::string& path);

} // namespace hpsd::replication
