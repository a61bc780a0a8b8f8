// SPDX-License-Identifier: GPL-2.0-only
#include "core/config_file.hpp"

#include "replication/secret_file.hpp"
#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace hpsd {
namespace {

// A config is a few hundred bytes; the cap stops a mistaken --config
// /dev/zero from eating memory.
constexpr std::size_t max_config_bytes = 1 << 20;

hps::Result<std::string, std::string> read_small_file(const std::string& path)
{
	hps::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return hps::fail("cannot open: " + hps::errno_text(errno));
	std::string text;
	std::array<char, 4096> chunk{};
	for (;;) {
		ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hps::fail("cannot read: " + hps::errno_text(errno));
		if (n == 0)
			return text;
		text.append(chunk.data(), static_cast<std::size_t>(n));
		if (text.size() > max_config_bytes)
			return hps::fail("file is larger than " + std::to_string(max_config_bytes) +
					 " bytes; is this the right file?");
	}
}

} // namespace

hps::Result<Config, std::vector<std::string>> load_config_file(const std::string& path,
							       std::string_view default_node_name)
{
	const std::string prefix = "config " + path + ": ";
	auto text = read_small_file(path);
	if (!text)
		return hps::fail(std::vector<std::string>{prefix + text.error()});

	auto config = parse_config(*text, default_node_name);
	if (!config) {
		std::vector<std::string> lines;
		for (const auto& error : config.error())
			lines.push_back(prefix + to_string(error));
		return hps::fail(std::move(lines));
	}
	// With the rest of the config, so that --check-config catches a secret
	// file anyone may read before a peer connects.  Only once peers are
	// listed: a node that does not replicate needs no secret.
	if (!config->replication.peers.empty()) {
		auto secret = replication::load_cluster_secret(config->replication.secret_file);
		if (!secret)
			return hps::fail(std::vector<std::string>{
				prefix + to_string(ConfigError{"replication.secret_file", secret.error()})});
	}
	return std::move(config).value();
}

std::string host_name()
{
	std::array<char, 256> name{};
	if (::gethostname(name.data(), name.size() - 1) < 0 || name[0] == '\0')
		return "localhost";
	return name.data();
}

} // namespace hpsd
