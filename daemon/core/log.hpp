// SPDX-License-Identifier: GPL-2.0-only
// Logger: one line per event on a stream (stderr in hpsd), filtered by level.
// Passed by reference to whoever logs; there is no global logger.
#pragma once

#include "config/config.hpp"

#include <mutex>
#include <ostream>
#include <string_view>

namespace hpsd {

class Logger {
public:
	enum class Style {
		plain,	// "hpsd: warn: message", for terminals and files
		journal // "<4>message": journald reads the priority from the prefix
	};

	Logger(std::ostream& out, LogLevel threshold, Style style = Style::plain)
		: out_(out), threshold_(threshold), style_(style)
	{
	}

	void set_threshold(LogLevel level) noexcept { threshold_ = level; }
	bool enabled(LogLevel level) const noexcept { return level <= threshold_; }

	void log(LogLevel level, std::string_view message);
	void error(std::string_view message) { log(LogLevel::error, message); }
	void warn(std::string_view message) { log(LogLevel::warn, message); }
	void info(std::string_view message) { log(LogLevel::info, message); }
	void debug(std::string_view message) { log(LogLevel::debug, message); }

private:
	std::mutex mutex_; // lines come from several threads (the channel's too)
	std::ostream& out_;
	LogLevel threshold_;
	Style style_;
};

// True when stderr is the systemd journal's stream for this service
// ($JOURNAL_STREAM names its device and inode), not merely inherited env.
bool stderr_is_journal();

} // namespace hpsd
