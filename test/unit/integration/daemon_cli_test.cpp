// SPDX-License-Identifier: GPL-2.0-only
// The real hpsd and hpsctl binaries, talking over a real socket in a temp
// directory.  Each test starts its own daemon; every wait is bounded.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "util/unique_fd.hpp"
#include "util/unix_socket.hpp"

#include <linux/dm-hps.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

namespace {

using namespace hps::test;
using nlohmann::json;
namespace fs = std::filesystem;

const std::string hpsd_path = HPSD_PATH;
const std::string hpsctl_path = HPSCTL_PATH;

std::vector<std::string> lines_of(const std::string& text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	return lines;
}

// A test's hpsd: its own directory holding the config, the socket (in a
// "run" subdirectory hpsd must create) and a stand-in for /sys/module/dm_hps.
class Daemon {
public:
	explicit Daemon(const std::string& extra_fields = "")
	{
		socket = dir / "run/hpsd.sock";
		config = dir / "hpsd.json";
		sysfs = dir / "sys/dm_hps";
		write_file(config, R"({"node_name": "it-node", "log_level": "debug", )" +
					   std::string(R"("cache_disks": ["/dev/nvme9n1"], )") + extra_fields +
					   R"("control_socket": ")" + socket + "\"}");
	}

	void start(bool wait_until_ready = true)
	{
		process = std::make_unique<Process>(
			std::vector<std::string>{hpsd_path, "--config", config, "--sysfs-module-dir", sysfs},
			clean_environment(), dir / "hpsd.out", dir / "hpsd.err");
		if (wait_until_ready)
			REQUIRE(wait_for_socket(socket, 10s));
	}

	// Pretends dm_hps is loaded and speaks ABI `version`.
	void load_module(int version)
	{
		fs::create_directories(fs::path(sysfs) / "parameters");
		write_file(fs::path(sysfs) / "parameters" / "abi_version", std::to_string(version) + "\n");
	}

	Output ctl(std::vector<std::string> args) const
	{
		std::vector<std::string> argv{hpsctl_path, "--socket", socket};
		argv.insert(argv.end(), args.begin(), args.end());
		return run(argv, clean_environment(), dir.path().string());
	}

	std::string log() const { return read_file(dir / "hpsd.err"); }

	TempDir dir;
	std::string socket;
	std::string config;
	std::string sysfs;
	std::unique_ptr<Process> process;
};

// A client speaking the wire protocol by hand.
class RawClient {
public:
	explicit RawClient(const std::string& socket)
	{
		auto conn = hps::connect_unix(socket);
		REQUIRE(conn.ok());
		fd_ = std::move(conn).value();
	}

	void send(const std::string& bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size()) {
			ssize_t n = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
			REQUIRE(n > 0);
			sent += static_cast<std::size_t>(n);
		}
	}

	// The next response line, parsed; fails the test after `timeout`.
	json read_response(std::chrono::milliseconds timeout = 10s)
	{
		auto deadline = std::chrono::steady_clock::now() + timeout;
		for (;;) {
			auto newline = buffer_.find('\n');
			if (newline != std::string::npos) {
				std::string line = buffer_.substr(0, newline);
				buffer_.erase(0, newline + 1);
				return json::parse(line);
			}
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
				deadline - std::chrono::steady_clock::now());
			REQUIRE(left.count() > 0);
			pollfd pfd{fd_.get(), POLLIN, 0};
			if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
				continue;
			char chunk[4096];
			ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
			REQUIRE(n > 0);
			buffer_.append(chunk, static_cast<std::size_t>(n));
		}
	}

	void close() { fd_.reset(); }

private:
	hps::UniqueFd fd_;
	std::string buffer_;
};

void check_serving(const Daemon& d)
{
	auto out = d.ctl({"status", "--format", "json"});
	INFO("stderr: " << out.err);
	REQUIRE(out.exit_code == 0);
	CHECK(json::parse(out.out)["node"] == "it-node");
}

} // namespace

TEST_CASE("integration: hpsctl status prints a table, and json with --format json", "[integration]")
{
	Daemon d;
	d.start();

	auto table = d.ctl({"status"});
	INFO("stderr: " << table.err);
	REQUIRE(table.exit_code == 0);
	CHECK(table.err.empty());
	CHECK(table.out.starts_with("node            it-node\nversion         0.1.0\n"));
	CHECK(table.out.find("\nmodule loaded   no\n") != std::string::npos);
	CHECK(table.out.find("\ncache disks     /dev/nvme9n1\n") != std::string::npos);
	CHECK(table.out.find("\nreplication     tcp, listening on 0.0.0.0:7790\n") != std::string::npos);

	auto out = d.ctl({"status", "--format", "json"});
	REQUIRE(out.exit_code == 0);
	json status = json::parse(out.out);
	CHECK(status["node"] == "it-node");
	CHECK(status["version"] == "0.1.0");
	CHECK(status["pid"] == d.process->pid());
	CHECK(status["uptime_s"].is_number_integer());
	CHECK(status["config_path"] == d.config);
	CHECK(status["abi"] == json{{"daemon", HPS_ABI_VERSION},
				    {"kernel", nullptr},
				    {"module_loaded", false},
				    {"compatible", false}});
	CHECK(status["cache_disks"] == json{"/dev/nvme9n1"});
	CHECK(status["replication"]["transport"] == "tcp");
}

TEST_CASE("integration: status reads the kernel ABI from sysfs on every request", "[integration]")
{
	Daemon d;
	d.start();
	auto abi = [&] { return json::parse(d.ctl({"--format=json", "status"}).out)["abi"]; };

	CHECK(abi()["module_loaded"] == false);

	d.load_module(HPS_ABI_VERSION);
	CHECK(abi() == json{{"daemon", HPS_ABI_VERSION},
			    {"kernel", HPS_ABI_VERSION},
			    {"module_loaded", true},
			    {"compatible", true}});
	CHECK(d.ctl({"status"}).out.find("\nabi compatible  yes\n") != std::string::npos);

	d.load_module(HPS_ABI_VERSION + 1);
	CHECK(abi()["kernel"] == HPS_ABI_VERSION + 1);
	CHECK(abi()["compatible"] == false);
}

TEST_CASE("integration: hpsctl exits 11 with one line when hpsd is not running", "[integration]")
{
	TempDir dir;
	std::string socket = dir / "hpsd.sock";
	auto out = run({hpsctl_path, "--socket", socket, "status"}, clean_environment(), dir.path());
	CHECK(out.exit_code == 11);
	CHECK(out.out.empty());
	CHECK(out.err == "hpsctl: cannot reach hpsd at " + socket +
				 ": No such file or directory (is hpsd running?)\n");

	// A socket file nobody listens on: refused, same exit code.
	{
		hps::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		std::strcpy(addr.sun_path, socket.c_str());
		REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
	}
	auto refused = run({hpsctl_path, "--socket", socket, "status"}, clean_environment(), dir.path());
	CHECK(refused.exit_code == 11);
	CHECK(refused.err.find("Connection refused (is hpsd running?)") != std::string::npos);
}

TEST_CASE("integration: hpsctl takes the socket from HPS_SOCKET", "[integration]")
{
	Daemon d;
	d.start();
	auto out = run({hpsctl_path, "status"}, clean_environment({{"HPS_SOCKET", d.socket}}),
		       d.dir.path());
	CHECK(out.exit_code == 0);
	CHECK(out.out.starts_with("node            it-node\n"));
}

TEST_CASE("integration: hpsctl rejects bad arguments with exit 2 and one line", "[integration]")
{
	TempDir dir;
	auto out = run({hpsctl_path, "status", "--format", "yaml"}, clean_environment(), dir.path());
	CHECK(out.exit_code == 2);
	CHECK(out.err == "hpsctl: --format: \"yaml\" is not one of table, json\n");

	auto help = run({hpsctl_path, "status", "--help"}, clean_environment(), dir.path());
	CHECK(help.exit_code == 0);
	CHECK(help.out.starts_with("Usage: hpsctl [OPTIONS] status\n"));

	auto version = run({hpsctl_path, "--version"}, clean_environment(), dir.path());
	CHECK(version.exit_code == 0);
	CHECK(version.out == "hpsctl 0.1.0\n");
}

TEST_CASE("integration: SIGTERM or SIGINT stops hpsd with exit 0 and removes the socket", "[integration]")
{
	int signo = GENERATE(SIGTERM, SIGINT);
	Daemon d;
	d.start();
	RawClient idle(d.socket); // an open connection must not hold up the exit
	d.process->signal(signo);
	REQUIRE(d.process->wait(10s) == 0);
	CHECK_FALSE(fs::exists(fs::symlink_status(d.socket)));
	std::string name = signo == SIGTERM ? "SIGTERM" : "SIGINT";
	CHECK(d.log().find("hpsd: info: received " + name + ", shutting down\n") != std::string::npos);
	CHECK(d.ctl({"status"}).exit_code == 11);
}

TEST_CASE("integration: garbage and oversize lines get error responses and hpsd keeps serving", "[integration]")
{
	Daemon d;
	d.start();
	RawClient client(d.socket);

	client.send("this is not json\n");
	json garbage = client.read_response();
	CHECK(garbage["id"].is_null());
	CHECK(garbage["ok"] == false);
	CHECK(garbage["error"]["code"] == "bad_request");

	client.send(std::string(2 << 20, 'x'));
	json oversize = client.read_response();
	CHECK(oversize["id"].is_null());
	CHECK(oversize["error"]["code"] == "too_large");
	client.send("still the same long line\n");

	client.send(R"({"id": 7, "method": "status"})" "\n");
	json ok = client.read_response();
	CHECK(ok["id"] == 7);
	CHECK(ok["ok"] == true);
	CHECK(ok["result"]["node"] == "it-node");

	client.send(R"({"id": 8, "method": "frobnicate"})" "\n" R"({"id": 9})" "\n");
	json unknown = client.read_response();
	CHECK(unknown["id"] == 8);
	CHECK(unknown["error"]["code"] == "unknown_method");
	json no_method = client.read_response();
	CHECK(no_method["id"] == 9);
	CHECK(no_method["error"]["message"] == "missing member \"method\"");

	check_serving(d);
	CHECK(d.process->running());
}

TEST_CASE("integration: hpsd serves several clients at once", "[integration]")
{
	Daemon d;
	d.start();
	std::vector<std::unique_ptr<RawClient>> clients;
	for (int i = 0; i < 5; ++i) {
		clients.push_back(std::make_unique<RawClient>(d.socket));
		clients.back()->send(R"({"id": )" + std::to_string(i) + R"(, "meth)");
	}
	// Half-sent requests on five connections do not block anyone else...
	check_serving(d);
	// ...and each finishes in its own time.
	for (int i = 4; i >= 0; --i) {
		clients[i]->send(R"(od": "status"})" "\n");
		json r = clients[i]->read_response();
		CHECK(r["id"] == i);
		CHECK(r["ok"] == true);
	}
}

TEST_CASE("integration: clients that disconnect mid-request do no harm", "[integration]")
{
	Daemon d;
	d.start();
	for (std::size_t size : {10UL, 100000UL, 3UL << 20}) {
		RawClient client(d.socket);
		client.send(std::string(R"({"id": 1, "method": "status", "params": {"x": ")") +
			    std::string(size, 'a'));
		client.close();
	}
	{
		// Leaves with a request sent but its response unread.
		RawClient client(d.socket);
		client.send(R"({"id": 1, "method": "status"})" "\n");
		client.close();
	}
	check_serving(d);
	CHECK(d.process->running());
}

TEST_CASE("integration: a bad config exits 2, one line per error, and creates nothing", "[integration]")
{
	Daemon d(R"("replication": {"transport": "udp"}, "partitions_per_disk": 9, )");
	d.start(false);
	REQUIRE(d.process->wait(10s) == 2);
	auto lines = lines_of(d.log());
	REQUIRE(lines.size() == 2);
	CHECK(lines[0] == "config " + d.config + R"(: field "partitions_per_disk": 9 is out of range 1..4)");
	CHECK(lines[1] == "config " + d.config +
				  R"(: field "replication.transport": "udp" is not one of tcp, rdma)");
	CHECK_FALSE(fs::exists(d.dir / "run"));
}

TEST_CASE("integration: a missing config file exits 2 naming the file", "[integration]")
{
	TempDir dir;
	std::string config = dir / "absent.json";
	auto out = run({hpsd_path, "--config", config}, clean_environment(), dir.path());
	CHECK(out.exit_code == 2);
	CHECK(out.err == "config " + config + ": cannot open: No such file or directory\n");
}

TEST_CASE("integration: hpsd --check-config validates without starting", "[integration]")
{
	Daemon d;
	auto out = run({hpsd_path, "--config", d.config, "--check-config"}, clean_environment(),
		       d.dir.path());
	CHECK(out.exit_code == 0);
	CHECK(out.out == "config " + d.config + ": ok\n");
	CHECK_FALSE(fs::exists(d.dir / "run"));
}

TEST_CASE("integration: a second hpsd on the same socket exits 1", "[integration]")
{
	Daemon d;
	d.start();
	auto out = run({hpsd_path, "--config", d.config}, clean_environment(), d.dir.path());
	CHECK(out.exit_code == 1);
	CHECK(out.err == "hpsd: error: another hpsd is already serving " + d.socket + "\n");
	check_serving(d); // the first one is untouched
}

TEST_CASE("integration: hpsd replaces a stale socket", "[integration]")
{
	Daemon d;
	fs::create_directories(d.dir / "run");
	{
		hps::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		std::strcpy(addr.sun_path, d.socket.c_str());
		REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
	} // closed without unlink: what a crashed hpsd leaves behind
	d.start();
	check_serving(d);
	CHECK(d.log().find("removed stale socket " + d.socket) != std::string::npos);
}

TEST_CASE("integration: hpsd refuses to replace a file that is not a socket", "[integration]")
{
	Daemon d;
	fs::create_directories(d.dir / "run");
	write_file(d.socket, "precious");
	d.start(false);
	REQUIRE(d.process->wait(10s) == 1);
	CHECK(d.log() == "hpsd: error: " + d.socket + " exists and is not a socket; refusing to replace it\n");
	CHECK(read_file(d.socket) == "precious");
}

TEST_CASE("integration: the socket directory is created 0700 and the socket is 0600", "[integration]")
{
	Daemon d;
	d.start();
	struct stat st{};
	REQUIRE(::stat((d.dir / "run").c_str(), &st) == 0);
	CHECK((st.st_mode & 07777) == 0700);
	REQUIRE(::lstat(d.socket.c_str(), &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK((st.st_mode & 07777) == 0600);
}
