// SPDX-License-Identifier: GPL-2.0-only
// Running the real binaries from tests: spawn with an explicit environment,
// stdout/stderr captured to files, and every wait bounded so that a hung
// process fails the test instead of hanging the test run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hps::test {

using namespace std::chrono_literals;

struct Output {
	int exit_code = -1; // -1: killed by a signal or timed out
	std::string out;
	std::string err;
};

// The test's own environment minus variables that would change how hps
// binaries behave (HPS_SOCKET, JOURNAL_STREAM), plus `extra`.
std::vector<std::string> clean_environment(const std::map<std::string, std::string>& extra = {});

// A child process.  Killed (SIGKILL) and reaped on destruction if still
// running, so a failing test leaves no daemon behind.
class Process {
public:
	// stdout and stderr go to the files `out_path` and `err_path`.
	Process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
		const std::string& out_path, const std::string& err_path);
	Process(const Process&) = delete;
	Process& operator=(const Process&) = delete;
	~Process();

	pid_t pid() const noexcept { return pid_; }
	void signal(int signo) const;
	// Exit code once the process has exited within `timeout`; nullopt if
	// it is still running then.  A death by signal is reported as -1.
	std::optional<int> wait(std::chrono::milliseconds timeout);
	bool running();

private:
	pid_t pid_ = -1;
	std::optional<int> exit_code_;
};

// Runs `argv` to completion (at most `timeout`) and returns what it printed.
Output run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
	   const std::string& scratch_dir, std::chrono::milliseconds timeout = 20s);

// Waits until something accepts connections at `path`.
bool wait_for_socket(const std::string& path, std::chrono::milliseconds timeout);

} // namespace hps::test
