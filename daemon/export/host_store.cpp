// SPDX-License-Identifier: GPL-2.0-only
#include "export/host_store.hpp"

#include "export/nvmet_names.hpp"
#include "util/atomic_file.hpp"
#include "util/json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace hpsd::exports {
namespace {

using nlohmann::json;

// A few hundred hosts of a few hundred bytes; the cap stops a wrong file
// from eating memory.
constexpr std::size_t max_hosts_file_bytes = 16 << 20;
constexpr std::size_t max_host_name_chars = 63;
constexpr std::size_t max_iqn_chars = 223;
// LIO keeps CHAP secrets in 256-byte buffers; 12 is the least RFC 3720
// implementations (and Windows' initiator) accept.
constexpr std::size_t min_chap_chars = 12;
constexpr std::size_t max_chap_chars = 255;

hps::Unexpected<HostError> host_fail(HostErrorKind kind, std::string message)
{
	return hps::fail(HostError{kind, std::move(message)});
}

// A value in a message, whole (an NQN cut short would not say which), its
// unprintable characters as '?'; values are at most a few hundred
// characters once checked, and cut beyond that.
std::string in_quotes(std::string_view text)
{
	constexpr std::size_t max_chars = 240;
	std::string out = "\"";
	for (char c : text.substr(0, max_chars))
		out += (c >= ' ' && c <= '~') ? c : '?';
	return out + (text.size() > max_chars ? "...\"" : "\"");
}

bool printable_no_space(std::string_view text)
{
	return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c <= '~'; });
}

// The first problem with a host's values, as one line.
std::optional<std::string> host_problem(const Host& host)
{
	const std::string what = "host " + in_quotes(host.name);
	if (auto p = host_name_problem(host.name))
		return "host name " + in_quotes(host.name) + " " + *p;
	if (auto p = nqn_problem(host.nqn))
		return what + ": nqn " + in_quotes(host.nqn) + " " + *p;
	if (!host.iqn.empty())
		if (auto p = iqn_problem(host.iqn))
			return what + ": iqn " + in_quotes(host.iqn) + " " + *p;
	// The secret itself is never echoed.
	if (!host.chap_secret.empty())
		if (auto p = chap_secret_problem(host.chap_secret))
			return what + ": chap_secret " + *p;
	return std::nullopt;
}

std::optional<std::string> string_field(const json& item, const char* field, bool required,
					std::string& out)
{
	auto it = item.find(field);
	if (it == item.end())
		return required ? std::optional<std::string>("field \"" + std::string(field) +
							     "\" is missing")
				: std::nullopt;
	if (!it->is_string())
		return "field \"" + std::string(field) + "\": " + hps::describe_value(*it) +
		       " is not a string";
	out = it->get<std::string>();
	return std::nullopt;
}

hps::Result<Host, std::string> parse_host(const json& item)
{
	if (!item.is_object())
		return hps::fail("is " + hps::describe_value(item) + ", not an object");
	for (const auto& [key, value] : item.items()) {
		(void)value;
		if (key != "name" && key != "nqn" && key != "iqn" && key != "chap_secret" &&
		    key != "volumes")
			return hps::fail("unknown field \"" + key + "\"");
	}
	Host host;
	for (auto [field, required, out] :
	     {std::tuple{"name", true, &host.name}, std::tuple{"nqn", true, &host.nqn},
	      std::tuple{"iqn", false, &host.iqn}, std::tuple{"chap_secret", false, &host.chap_secret}})
		if (auto problem = string_field(item, field, required, *out))
			return hps::fail(*problem);
	if (auto problem = host_problem(host))
		return hps::fail(*problem);
	if (auto it = item.find("volumes"); it != item.end()) {
		if (!it->is_array())
			return hps::fail("field \"volumes\": " + hps::describe_value(*it) +
					 " is not an array");
		for (const auto& v : *it) {
			if (!v.is_string() || v.get_ref<const std::string&>().empty())
				return hps::fail("field \"volumes\": " + hps::describe_value(v) +
						 " is not a volume name");
			host.volumes.push_back(v.get<std::string>());
		}
		std::sort(host.volumes.begin(), host.volumes.end());
		if (std::adjacent_find(host.volumes.begin(), host.volumes.end()) != host.volumes.end())
			return hps::fail(std::string("field \"volumes\" lists a volume twice"));
		if (host.volumes.size() > max_volumes_per_host)
			return hps::fail("field \"volumes\" lists " + std::to_string(host.volumes.size()) +
					 " volumes, more than " + std::to_string(max_volumes_per_host));
	}
	return host;
}

} // namespace

std::optional<std::string> host_name_problem(std::string_view name)
{
	if (name.empty() || name.size() > max_host_name_chars ||
	    !std::all_of(name.begin(), name.end(), [](char c) {
		    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
			   c == '_';
	    }))
		return "is not 1.." + std::to_string(max_host_name_chars) +
		       " letters, digits, '.', '-', '_'";
	return std::nullopt;
}

std::optional<std::string> iqn_problem(std::string_view iqn)
{
	if (!iqn.starts_with("iqn.") && !iqn.starts_with("eui.") && !iqn.starts_with("naa."))
		return std::string("must start with \"iqn.\", \"eui.\" or \"naa.\"");
	if (iqn.size() > max_iqn_chars)
		return "is " + std::to_string(iqn.size()) + " characters long, more than " +
		       std::to_string(max_iqn_chars);
	if (!printable_no_space(iqn))
		return std::string("may only hold printable ASCII without spaces");
	return std::nullopt;
}

std::optional<std::string> chap_secret_problem(std::string_view secret)
{
	if (secret.size() < min_chap_chars || secret.size() > max_chap_chars)
		return "is " + std::to_string(secret.size()) + " characters long, not " +
		       std::to_string(min_chap_chars) + ".." + std::to_string(max_chap_chars);
	if (!printable_no_space(secret))
		return std::string("may only hold printable ASCII without spaces");
	return std::nullopt;
}

hps::Result<HostStore, std::string> HostStore::parse(std::string_view text, std::string_view origin)
{
	const std::string prefix = "host list " + std::string(origin) + ": ";
	json doc;
	try {
		doc = json::parse(text);
	} catch (const json::exception& e) {
		return hps::fail(prefix + "not valid JSON: " + hps::json_error_text(e));
	}
	if (!doc.is_object())
		return hps::fail(prefix + "the document is " + hps::describe_value(doc) +
				 ", not an object");
	for (const auto& [key, value] : doc.items()) {
		(void)value;
		if (key != "hosts")
			return hps::fail(prefix + "unknown field \"" + key + "\"");
	}
	auto list = doc.find("hosts");
	if (list == doc.end() || !list->is_array())
		return hps::fail(prefix + "field \"hosts\" is missing or not an array");
	HostStore store;
	std::size_t index = 0;
	for (const auto& item : *list) {
		const std::string where = prefix + "hosts[" + std::to_string(index++) + "] ";
		auto host = parse_host(item);
		if (!host)
			return hps::fail(where + host.error());
		std::vector<std::string> volumes = std::move(host->volumes);
		host->volumes.clear();
		auto added = store.add(std::move(host).value());
		if (!added || !*added)
			return hps::fail(where + (added ? "repeats an earlier host" : added.error().message));
		store.hosts_.back().volumes = std::move(volumes);
	}
	return store;
}

hps::Result<HostStore, std::string> HostStore::load(const std::filesystem::path& state_dir)
{
	const auto path = state_dir / hosts_file_name;
	auto text = hps::read_small_file(path, max_hosts_file_bytes);
	if (!text)
		return hps::fail("host list " + text.error());
	if (!*text)
		return HostStore();
	return parse(**text, path.string());
}

std::string HostStore::serialize() const
{
	std::string text = "{\"hosts\":[";
	for (std::size_t i = 0; i < hosts_.size(); ++i) {
		const Host& h = hosts_[i];
		json item = {{"name", h.name}, {"nqn", h.nqn}};
		if (!h.iqn.empty())
			item["iqn"] = h.iqn;
		if (!h.chap_secret.empty())
			item["chap_secret"] = h.chap_secret;
		item["volumes"] = h.volumes;
		text += (i == 0 ? "\n  " : ",\n  ") + hps::dump_json(item);
	}
	text += hosts_.empty() ? "]}\n" : "\n]}\n";
	return text;
}

hps::Result<void, std::string> HostStore::save(const std::filesystem::path& state_dir) const
{
	const auto path = state_dir / hosts_file_name;
	if (auto written = hps::write_file_atomic(path, serialize(), 0600); !written)
		return hps::fail("host list " + path.string() + ": " + written.error());
	return {};
}

const Host* HostStore::find(std::string_view name) const
{
	auto it = std::find_if(hosts_.begin(), hosts_.end(),
			       [name](const Host& h) { return h.name == name; });
	return it == hosts_.end() ? nullptr : &*it;
}

Host* HostStore::find_mutable(std::string_view name)
{
	return const_cast<Host*>(std::as_const(*this).find(name));
}

std::vector<const Host*> HostStore::hosts_of(std::string_view volume) const
{
	std::vector<const Host*> found;
	for (const Host& h : hosts_)
		if (std::binary_search(h.volumes.begin(), h.volumes.end(), volume))
			found.push_back(&h);
	return found;
}

HostResult<bool> HostStore::add(Host host)
{
	if (auto problem = host_problem(host))
		return host_fail(HostErrorKind::invalid, *problem);
	host.volumes.clear();
	if (const Host* existing = find(host.name)) {
		Host plain = *existing;
		plain.volumes.clear();
		if (plain == host)
			return false;
		const std::string field = plain.nqn != host.nqn	    ? "nqn " + in_quotes(plain.nqn)
					  : plain.iqn != host.iqn   ? "iqn " + in_quotes(plain.iqn)
								    : std::string("another CHAP secret");
		return host_fail(HostErrorKind::conflict,
				 "host " + in_quotes(host.name) + " exists with " + field +
					 " (remove it first to change it)");
	}
	for (const Host& other : hosts_) {
		if (other.nqn == host.nqn)
			return host_fail(HostErrorKind::conflict, "nqn " + in_quotes(host.nqn) +
									  " is host " + in_quotes(other.name) + "'s");
		if (!host.iqn.empty() && other.iqn == host.iqn)
			return host_fail(HostErrorKind::conflict, "iqn " + in_quotes(host.iqn) +
									  " is host " + in_quotes(other.name) + "'s");
	}
	hosts_.push_back(std::move(host));
	return true;
}

HostResult<void> HostStore::remove(std::string_view name)
{
	auto it = std::find_if(hosts_.begin(), hosts_.end(),
			       [name](const Host& h) { return h.name == name; });
	if (it == hosts_.end())
		return host_fail(HostErrorKind::not_found, "no host " + in_quotes(name));
	if (!it->volumes.empty()) {
		std::string names;
		for (const auto& v : it->volumes)
			names += (names.empty() ? "" : ", ") + v;
		return host_fail(HostErrorKind::conflict,
				 "host " + in_quotes(name) + " is attached to " +
					 std::to_string(it->volumes.size()) + " volume" +
					 (it->volumes.size() == 1 ? "" : "s") + " (" + names +
					 "): detach them first");
	}
	hosts_.erase(it);
	return {};
}

HostResult<bool> HostStore::attach(std::string_view host_name, std::string_view volume)
{
	Host* host = find_mutable(host_name);
	if (!host)
		return host_fail(HostErrorKind::not_found, "no host " + in_quotes(host_name));
	auto at = std::lower_bound(host->volumes.begin(), host->volumes.end(), volume);
	if (at != host->volumes.end() && *at == volume)
		return false;
	if (host->volumes.size() >= max_volumes_per_host)
		return host_fail(HostErrorKind::conflict,
				 "host " + in_quotes(host_name) + " has " +
					 std::to_string(host->volumes.size()) +
					 " volumes attached, the limit is " +
					 std::to_string(max_volumes_per_host));
	host->volumes.insert(at, std::string(volume));
	return true;
}

HostResult<bool> HostStore::detach(std::string_view host_name, std::string_view volume)
{
	Host* host = find_mutable(host_name);
	if (!host)
		return host_fail(HostErrorKind::not_found, "no host " + in_quotes(host_name));
	auto at = std::lower_bound(host->volumes.begin(), host->volumes.end(), volume);
	if (at == host->volumes.end() || *at != volume)
		return false;
	host->volumes.erase(at);
	return true;
}

} // namespace hpsd::exports
