// SPDX-License-Identifier: GPL-2.0-only
#include "core/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace hpsd {
namespace {

// syslog(3) priorities.
int syslog_priority(LogLevel level) noexcept
{
	switch (level) {
	case LogLevel::error:
		return 3;
	case LogLevel::warn:
		return 4;
	case LogLevel::info:
		return 6;
	case LogLevel::debug:
		return 7;
	}
	return 6;
}

} // namespace

void Logger::log(LogLevel level, std::string_view message)
{
	if (!enabled(level))
		return;
	std::lock_guard lock(mutex_);
	if (style_ == Style::journal)
		out_ << '<' << syslog_priority(level) << '>' << message << '\n';
	else
		out_ << "hpsd: " << to_string(level) << ": " << message << '\n';
	// Flushed per line: a crash must not eat the lines that explain it.
	out_.flush();
}

bool stderr_is_journal()
{
	const char* env = std::getenv("JOURNAL_STREAM");
	if (!env)
		return false;
	unsigned long long dev = 0;
	unsigned long long ino = 0;
	if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	struct stat st{};
	if (::fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

} // namespace hpsd
