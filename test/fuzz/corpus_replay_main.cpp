// SPDX-License-Identifier: GPL-2.0-only
// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of a corpus
// directory, without libFuzzer, so any compiler's build exercises it under
// ctest.  Files named valid-* must decode (with the default Limits) and
// bad-* must not: the corpus doubles as a check that the format did not
// change under it (test/fuzz/make_replication_corpus.cpp rewrites it).
//
//   replication_decode_replay DIR
#include "replication/codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	std::vector<std::filesystem::path> files;
	std::error_code ec;
	for (const auto& entry : std::filesystem::directory_iterator(argv[1], ec))
		if (entry.is_regular_file())
			files.push_back(entry.path());
	if (ec || files.empty()) {
		std::fprintf(stderr, "%s: no corpus files%s%s\n", argv[1], ec ? ": " : "",
			     ec ? ec.message().c_str() : "");
		return 1;
	}
	std::sort(files.begin(), files.end());

	int wrong = 0, valid = 0, bad = 0;
	for (const auto& path : files) {
		std::ifstream in(path, std::ios::binary);
		const std::vector<char> raw{std::istreambuf_iterator<char>(in), {}};
		const auto* data = reinterpret_cast<const std::uint8_t*>(raw.data());
		LLVMFuzzerTestOneInput(data, raw.size());

		const std::string name = path.filename().string();
		auto decoded = hpsd::replication::decode(std::as_bytes(std::span(data, raw.size())),
							 hpsd::replication::Limits{});
		if (name.starts_with("valid-")) {
			valid++;
			if (!decoded) {
				std::fprintf(stderr, "%s: refused: %s\n", name.c_str(), decoded.error().c_str());
				wrong++;
			}
		} else if (name.starts_with("bad-")) {
			bad++;
			if (decoded) {
				std::fprintf(stderr, "%s: decoded: %s\n", name.c_str(),
					     hpsd::replication::describe(*decoded).c_str());
				wrong++;
			} else {
				std::printf("%s: %s\n", name.c_str(), decoded.error().c_str());
			}
		}
	}
	std::printf("%zu files: %d valid, %d bad, %d not as named\n", files.size(), valid, bad, wrong);
	return wrong == 0 ? 0 : 1;
}
