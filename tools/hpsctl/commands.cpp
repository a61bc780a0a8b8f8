// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/commands.hpp"

namespace hpsctl {

std::span<const CommandSpec> builtin_commands()
{
	static const std::vector<CommandSpec> table{
		{{"status"},
		 "",
		 "show this node's hpsd, kernel module ABI and cache disks",
		 "Shows the hpsd on this node: node name, version, pid, uptime, config\n"
		 "file, the dm-hps ABI version hpsd was built for and the one the loaded\n"
		 "kernel module speaks (hpsd drives the module only when they match),\n"
		 "the configured cache disks and the replication transport.\n",
		 CommandId::status},
		{{"pool", "list"},
		 "",
		 "list this node's cache pools",
		 "Lists the cache pools of this node: one per cache device partition of\n"
		 "the config (cache_disks, partitions_per_disk), numbered in config order.\n"
		 "Shows each pool's device, state, uuid, size in blocks, used and dirty\n"
		 "blocks and its volumes.  A pool hpsd could not bring up shows why.\n",
		 CommandId::pool_list},
		{{"pool", "show"},
		 "ID",
		 "show one cache pool",
		 "Shows one cache pool by its id (see 'hpsctl pool list').\n",
		 CommandId::pool_show},
		{{"volume", "create"},
		 "NAME",
		 "create a volume (and its RBD image)",
		 "Creates volume NAME: the RBD image NAME in the configured Ceph pool\n"
		 "(an existing image of exactly this size is used as it is), a volume id,\n"
		 "and the block device /dev/mapper/hps-NAME cached by a pool of this node.\n"
		 "NAME is 1..63 of A-Z a-z 0-9 . _ - and may not start with \"pool-\".\n"
		 "Creating a volume that exists with the same size succeeds and says so;\n"
		 "with another size it is an error.  Nothing changes when it fails.\n",
		 CommandId::volume_create,
		 {{"--size", "SIZE",
		   "volume size: bytes or a number with K, M, G or T (powers of 1024),\n"
		   "a multiple of 4096, at most 65535G (required)"},
		  {"--pool", "ID", "the cache pool (default: the active pool with the fewest volumes)"}}},
		{{"volume", "list"},
		 "",
		 "list volumes",
		 "Lists the volumes of this node with their id, pool, size, device and\n"
		 "cache state (dirty blocks: data not yet written back to Ceph).\n",
		 CommandId::volume_list},
		{{"volume", "show"},
		 "NAME",
		 "show one volume",
		 "Shows one volume: id, pool, size, RBD image, device, role, cache mode\n"
		 "and the kernel's counters.\n",
		 CommandId::volume_show},
		{{"volume", "delete"},
		 "NAME",
		 "delete a volume (keeps its RBD image)",
		 "Deletes volume NAME: removes its device /dev/mapper/hps-NAME and its\n"
		 "registration.  The RBD image is kept unless --delete-image is given.\n"
		 "A volume with dirty blocks (written to the cache, not yet to Ceph) is\n"
		 "refused: hpsd has no writeback engine yet to drain them, so the only\n"
		 "way is --force, which discards them.  When writeback exists, delete\n"
		 "will drain first.  A device that is open (mounted, exported) is refused.\n",
		 CommandId::volume_delete,
		 {{"--force", "", "delete even with dirty blocks, discarding them"},
		  {"--delete-image", "", "also remove the RBD image and its data"}}},
	};
	return table;
}

std::string join_words(std::span<const std::string_view> words)
{
	std::string text;
	for (auto word : words)
		text += (text.empty() ? "" : " ") + std::string(word);
	return text;
}

std::string command_name(const CommandSpec& spec)
{
	return join_words(spec.words);
}

} // namespace hpsctl
