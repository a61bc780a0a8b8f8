// SPDX-License-Identifier: GPL-2.0-only
#include "support/process.hpp"

#include "support/temp_dir.hpp"
#include "util/unix_socket.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace hps::test {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings)
{
	std::vector<char*> out;
	out.reserve(strings.size() + 1);
	for (const auto& s : strings)
		out.push_back(const_cast<char*>(s.c_str()));
	out.push_back(nullptr);
	return out;
}

} // namespace

std::vector<std::string> clean_environment(const std::map<std::string, std::string>& extra)
{
	std::vector<std::string> env;
	for (char** e = environ; *e; ++e) {
		std::string entry = *e;
		if (entry.starts_with("HPS_SOCKET=") || entry.starts_with("JOURNAL_STREAM="))
			continue;
		env.push_back(entry);
	}
	for (const auto& [name, value] : extra)
		env.push_back(name + "=" + value);
	return env;
}

Process::Process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
		 const std::string& out_path, const std::string& err_path)
{
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	auto args = c_strings(argv);
	auto envp = c_strings(env);
	int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0)
		throw std::system_error(rc, std::system_category(), "posix_spawn " + argv[0]);
}

Process::~Process()
{
	if (!exit_code_ && pid_ > 0) {
		::kill(pid_, SIGKILL);
		int status = 0;
		::waitpid(pid_, &status, 0);
	}
}

void Process::signal(int signo) const
{
	::kill(pid_, signo);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	while (!exit_code_) {
		int status = 0;
		pid_t done = ::waitpid(pid_, &status, WNOHANG);
		if (done == pid_) {
			exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			break;
		}
		if (done < 0 && errno != EINTR)
			throw std::system_error(errno, std::system_category(), "waitpid");
		if (std::chrono::steady_clock::now() >= deadline)
			return std::nullopt;
		std::this_thread::sleep_for(10ms);
	}
	return exit_code_;
}

bool Process::running()
{
	return !wait(0ms).has_value();
}

Output run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
	   const std::string& scratch_dir, std::chrono::milliseconds timeout)
{
	std::string out_path = scratch_dir + "/run.out";
	std::string err_path = scratch_dir + "/run.err";
	Output output;
	{
		Process process(argv, env, out_path, err_path);
		output.exit_code = process.wait(timeout).value_or(-1);
	}
	output.out = read_file(out_path);
	output.err = read_file(err_path);
	return output;
}

bool wait_for_socket(const std::string& path, std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	while (std::chrono::steady_clock::now() < deadline) {
		if (hps::connect_unix(path))
			return true;
		std::this_thread::sleep_for(20ms);
	}
	return false;
}

} // namespace hps::test
