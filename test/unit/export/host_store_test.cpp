// SPDX-License-Identifier: GPL-2.0-only
// The host list: values checked, adds idempotent, conflicts and attached
// hosts refused, the per-host volume limit, and hosts.json written
// atomically and read back.
#include "export/host_store.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace hpsd::exports;
using hps::test::TempDir;

namespace {

const std::string nqn_a = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-1111-4c55-9a57-3f6c1e0b9d21";
const std::string nqn_b = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-2222-4c55-9a57-3f6c1e0b9d21";

Host host(const std::string& name, const std::string& nqn)
{
	Host h;
	h.name = name;
	h.nqn = nqn;
	return h;
}

HostError error_of(const HostResult<bool>& r)
{
	REQUIRE_FALSE(r.ok());
	return r.error();
}

} // namespace

TEST_CASE("host store: add is idempotent for an identical host and refuses a different one")
{
	HostStore store;
	CHECK(*store.add(host("web1", nqn_a)) == true);
	CHECK(*store.add(host("web1", nqn_a)) == false);
	auto other = error_of(store.add(host("web1", nqn_b)));
	CHECK(other.kind == HostErrorKind::conflict);
	CHECK(other.message == "host \"web1\" exists with nqn \"" + nqn_a +
				       "\" (remove it first to change it)");
	auto same_nqn = error_of(store.add(host("web2", nqn_a)));
	CHECK(same_nqn.kind == HostErrorKind::conflict);
	CHECK(same_nqn.message == "nqn \"" + nqn_a + "\" is host \"web1\"'s");
	Host secret = host("web1", nqn_a);
	secret.chap_secret = "0123456789abcdef";
	CHECK(error_of(store.add(secret)).message ==
	      "host \"web1\" exists with another CHAP secret (remove it first to change it)");
	CHECK(store.hosts().size() == 1);
}

TEST_CASE("host store: bad values are refused, naming the field and the value")
{
	HostStore store;
	CHECK(error_of(store.add(host("web 1", nqn_a))).message ==
	      "host name \"web 1\" is not 1..63 letters, digits, '.', '-', '_'");
	CHECK(error_of(store.add(host("web1", "iqn.2001-04.com.example:web1"))).message ==
	      "host \"web1\": nqn \"iqn.2001-04.com.example:web1\" must start with \"nqn.\"");
	CHECK(error_of(store.add(host("web1", "nqn.a/b"))).kind == HostErrorKind::invalid);
	Host bad_iqn = host("web1", nqn_a);
	bad_iqn.iqn = "web1";
	CHECK(error_of(store.add(bad_iqn)).message ==
	      "host \"web1\": iqn \"web1\" must start with \"iqn.\", \"eui.\" or \"naa.\"");
	Host short_secret = host("web1", nqn_a);
	short_secret.chap_secret = "short";
	// The secret is never echoed.
	CHECK(error_of(store.add(short_secret)).message ==
	      "host \"web1\": chap_secret is 5 characters long, not 12..255");
	CHECK(store.hosts().empty());
}

TEST_CASE("host store: a host attached to a volume is not removed")
{
	HostStore store;
	REQUIRE(store.add(host("web1", nqn_a)).ok());
	CHECK(*store.attach("web1", "db1") == true);
	CHECK(*store.attach("web1", "db1") == false);
	CHECK(*store.attach("web1", "db0") == true);
	CHECK(store.find("web1")->volumes == std::vector<std::string>{"db0", "db1"});
	REQUIRE(store.hosts_of("db1").size() == 1);
	CHECK(store.hosts_of("db1")[0]->name == "web1");
	CHECK(store.hosts_of("db2").empty());
	auto removed = store.remove("web1");
	REQUIRE_FALSE(removed.ok());
	CHECK(removed.error().kind == HostErrorKind::conflict);
	CHECK(removed.error().message ==
	      "host \"web1\" is attached to 2 volumes (db0, db1): detach them first");
	CHECK(*store.detach("web1", "db1") == true);
	CHECK(*store.detach("web1", "db1") == false);
	CHECK(*store.detach("web1", "db0") == true);
	CHECK(store.remove("web1").ok());
	auto missing = store.remove("web1");
	REQUIRE_FALSE(missing.ok());
	CHECK(missing.error().kind == HostErrorKind::not_found);
	CHECK(missing.error().message == "no host \"web1\"");
	CHECK(error_of(store.attach("web9", "db1")).kind == HostErrorKind::not_found);
	CHECK(error_of(store.detach("web9", "db1")).kind == HostErrorKind::not_found);
}

TEST_CASE("host store: at most 255 volumes per host")
{
	HostStore store;
	REQUIRE(store.add(host("web1", nqn_a)).ok());
	for (std::size_t i = 0; i < max_volumes_per_host; ++i)
		REQUIRE(*store.attach("web1", "vol" + std::to_string(i)) == true);
	// Attaching one it has is still fine.
	CHECK(*store.attach("web1", "vol7") == false);
	auto over = error_of(store.attach("web1", "one-more"));
	CHECK(over.kind == HostErrorKind::conflict);
	CHECK(over.message == "host \"web1\" has 255 volumes attached, the limit is 255");
	CHECK(store.find("web1")->volumes.size() == 255);
}

TEST_CASE("host store: saved atomically with mode 0600 and loaded back")
{
	TempDir dir;
	auto empty = HostStore::load(dir.path());
	REQUIRE(empty.ok());
	CHECK(empty->hosts().empty());

	HostStore store;
	Host full = host("web1", nqn_a);
	full.iqn = "iqn.2001-04.com.example:web1";
	full.chap_secret = "0123456789abcdef";
	REQUIRE(store.add(full).ok());
	REQUIRE(store.add(host("web2", nqn_b)).ok());
	REQUIRE(store.attach("web2", "db1").ok());
	REQUIRE(store.save(dir.path()).ok());

	struct stat st {};
	REQUIRE(::stat((dir.path() / hosts_file_name).c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	CHECK_FALSE(std::filesystem::exists(dir.path() / "hosts.json.tmp"));

	auto loaded = HostStore::load(dir.path());
	INFO((loaded.ok() ? std::string() : loaded.error()));
	REQUIRE(loaded.ok());
	REQUIRE(loaded->hosts().size() == 2);
	CHECK(loaded->hosts()[0].iqn == full.iqn);
	CHECK(loaded->hosts()[0].chap_secret == full.chap_secret);
	CHECK(loaded->hosts()[1].volumes == std::vector<std::string>{"db1"});
	CHECK(loaded->serialize() == store.serialize());
}

TEST_CASE("host store: a bad file is an error naming the file and the field")
{
	const std::string origin = "/var/lib/hps/hosts.json";
	auto error = [&](const std::string& text) {
		auto parsed = HostStore::parse(text, origin);
		REQUIRE_FALSE(parsed.ok());
		CHECK(parsed.error().find('\n') == std::string::npos);
		return parsed.error();
	};
	const std::string prefix = "host list " + origin + ": ";
	CHECK(error("{").starts_with(prefix + "not valid JSON: "));
	CHECK(error("[]") == prefix + "the document is an array, not an object");
	CHECK(error(R"({"hosts": [], "x": 1})") == prefix + "unknown field \"x\"");
	CHECK(error(R"({"hosts": [{"name": "web1"}]})") ==
	      prefix + "hosts[0] field \"nqn\" is missing");
	CHECK(error(R"({"hosts": [{"name": "web1", "nqn": "x"}]})") ==
	      prefix + "hosts[0] host \"web1\": nqn \"x\" must start with \"nqn.\"");
	CHECK(error(R"({"hosts": [{"name": "web1", "nqn": ")" + nqn_a +
		    R"(", "volumes": ["a", "a"]}]})") ==
	      prefix + "hosts[0] field \"volumes\" lists a volume twice");
	CHECK(error(R"({"hosts": [{"name": "web1", "nqn": ")" + nqn_a + R"("},
				  {"name": "web2", "nqn": ")" + nqn_a + R"("}]})") ==
	      prefix + "hosts[1] nqn \"" + nqn_a + "\" is host \"web1\"'s");

	TempDir dir;
	hps::test::write_file(dir.path() / hosts_file_name, "{\"hosts\": 5}");
	auto loaded = HostStore::load(dir.path());
	REQUIRE_FALSE(loaded.ok());
	CHECK(loaded.error() == "host list " + (dir.path() / hosts_file_name).string() +
					": field \"hosts\" is missing or not an array");
}
