// SPDX-License-Identifier: GPL-2.0-only
// load_cluster_secret(): the file's bytes, its size bounds, and refusing
// a file its group or others can get at.
#include "replication/secret_file.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

using hpsd::replication::ClusterSecret;
using hpsd::replication::load_cluster_secret;
using Catch::Matchers::Contains;

namespace {

std::string secret_at(const hps::test::TempDir& dir, const std::string& bytes, mode_t mode)
{
	const std::string path = dir / "cluster.secret";
	hps::test::write_file(path, bytes);
	REQUIRE(::chmod(path.c_str(), mode) == 0);
	return path;
}

std::string error_of(const std::string& path)
{
	auto secret = load_cluster_secret(path);
	REQUIRE_FALSE(secret);
	return secret.error();
}

} // namespace

TEST_CASE("secret file: every byte of a private file is the secret", "[replication][secret]")
{
	hps::test::TempDir dir;
	for (std::size_t size : {ClusterSecret::min_bytes, std::size_t{33}, ClusterSecret::max_bytes}) {
		std::string bytes(size, '\0');
		for (std::size_t i = 0; i < size; i++)
			bytes[i] = static_cast<char>(i * 31 + 7); // NULs and newlines included
		for (mode_t mode : {mode_t{0600}, mode_t{0400}}) {
			auto secret = load_cluster_secret(secret_at(dir, bytes, mode));
			REQUIRE(secret);
			CHECK(std::equal(secret->bytes().begin(), secret->bytes().end(), bytes.begin(),
					 bytes.end(), [](std::uint8_t a, char b) {
						 return a == static_cast<std::uint8_t>(b);
					 }));
		}
	}
}

TEST_CASE("secret file: a file the group or others can access is refused, naming path and mode", "[replication][secret]")
{
	hps::test::TempDir dir;
	const std::string bytes(32, 's');
	for (mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0620}, mode_t{0602},
			    mode_t{0610}}) {
		INFO("mode " << std::oct << mode);
		const std::string path = secret_at(dir, bytes, mode);
		char octal[8];
		std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
		CHECK(error_of(path) == "secret file " + path + " has mode " + octal +
					       ": group and others must have no access (chmod 600 it)");
	}
}

TEST_CASE("secret file: too short, too long, missing, not a file", "[replication][secret]")
{
	hps::test::TempDir dir;
	const std::string short_path = secret_at(dir, std::string(15, 'x'), 0600);
	CHECK(error_of(short_path) == "secret file " + short_path + " holds 15 bytes; a secret has 16..1024");
	const std::string empty_path = secret_at(dir, "", 0600);
	CHECK(error_of(empty_path) == "secret file " + empty_path + " holds 0 bytes; a secret has 16..1024");
	const std::string long_path = secret_at(dir, std::string(1025, 'x'), 0600);
	CHECK(error_of(long_path) ==
	      "secret file " + long_path + " holds more than 1024 bytes; a secret has 16..1024");
	CHECK_THAT(error_of(dir / "absent"), Contains("absent: cannot open: No such file or directory"));
	REQUIRE(::chmod(dir.path().c_str(), 0700) == 0);
	CHECK(error_of(dir.path().string()) == "secret file " + dir.path().string() + " is not a regular file");
}
