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
		 "with another size it is an error.  Nothing changes when it fails.\n"
		 "With --replica-node, this node is the volume's primary and every write\n"
		 "cached here is also on NODE before it completes; NODE makes its copy\n"
		 "when the two connect ('hpsctl volume show' says how the copy is).\n",
		 CommandId::volume_create,
		 {{"--size", "SIZE",
		   "volume size: bytes or a number with K, M, G or T (powers of 1024),\n"
		   "a multiple of 4096, at most 65535G (required)"},
		  {"--pool", "ID", "the cache pool (default: the active pool with the fewest volumes)"},
		  {"--replica-node", "NODE",
		   "keep a synchronous copy on NODE (one of replication.peers in hpsd.json)"}}},
		{{"volume", "list"},
		 "",
		 "list volumes",
		 "Lists the volumes of this node with their id, pool, size, device and\n"
		 "cache state (dirty blocks: data not yet written back to Ceph).\n",
		 CommandId::volume_list},
		{{"volume", "show"},
		 "NAME",
		 "show one volume",
		 "Shows one volume: id, pool, size, RBD image, device, role, replica\n"
		 "state (in sync / resyncing N% / degraded since T), cache mode and the\n"
		 "kernel's counters.\n",
		 CommandId::volume_show},
		{{"volume", "flush"},
		 "NAME",
		 "write a volume's dirty blocks back to Ceph now",
		 "Asks hpsd to write volume NAME's dirty blocks (data in the cache not\n"
		 "yet in its RBD image) back to Ceph now, whatever the watermarks, and\n"
		 "prints how many are dirty.  Without --wait it returns at once; 'volume\n"
		 "show' reports the progress.  With --wait it prints the progress on\n"
		 "stderr every second until none is left, and fails (exit 1, one line\n"
		 "naming the volume and what is left) when that takes longer than\n"
		 "--timeout-drain or writeback keeps backing off (Ceph unreachable).\n",
		 CommandId::volume_flush,
		 {{"--wait", "", "wait until the volume has no dirty block"},
		  {"--timeout-drain", "SECS",
		   "give up waiting after SECS seconds (default 600)"}}},
		{{"volume", "delete"},
		 "NAME",
		 "write back a volume's dirty blocks, then delete it (keeps its RBD image)",
		 "Deletes volume NAME safely: first its dirty blocks (written to the\n"
		 "cache, not yet to Ceph) are written back, with the progress on stderr\n"
		 "every second, then its device /dev/mapper/hps-NAME and registration are\n"
		 "removed and the pool forgets its cached blocks.  The RBD image, which\n"
		 "then holds all the volume's data, is kept unless --delete-image.\n"
		 "When the drain does not finish within --timeout-drain (default 600 s)\n"
		 "or writeback keeps backing off (Ceph unreachable), delete stops with\n"
		 "one line naming the volume and its dirty blocks, exit 1, and the volume\n"
		 "stays.  --force deletes at once WITHOUT writing back: the dirty blocks\n"
		 "are lost and the RBD image misses the latest writes.  A device that is\n"
		 "open (mounted, exported) is refused.\n",
		 CommandId::volume_delete,
		 {{"--force", "",
		   "delete without writing back: dirty blocks are discarded (data loss)"},
		  {"--delete-image", "", "also remove the RBD image and its data"},
		  {"--timeout-drain", "SECS",
		   "give up waiting after SECS seconds (default 600)"}}},
		{{"volume", "promote"},
		 "NAME",
		 "make this node's copy of a replicated volume its primary",
		 "Makes this node's secondary copy of volume NAME the primary, with the\n"
		 "data it already holds (nothing is flushed to Ceph first), when the\n"
		 "primary's node is lost.  It fences the old primary first: takes the\n"
		 "RBD image's lock from it and blocklists its Ceph clients, so that it\n"
		 "can no longer write to Ceph; when it returns it finds the lock gone and\n"
		 "becomes this node's secondary (never written back, resynced in full).\n"
		 "Refused while the primary is still connected to this node, and when\n"
		 "this copy is not known to be in sync (after an hpsd restart here, or\n"
		 "cut off mid-resync) unless --force.  Promoting the primary again\n"
		 "succeeds and changes nothing.\n",
		 CommandId::volume_promote,
		 {{"--force", "",
		   "promote a copy not known to be in sync (what it lacks is lost)"}}},
		{{"volume", "attach"},
		 "NAME",
		 "allow a host to connect to a volume (export it)",
		 "Allows host H (see 'hpsctl host add') to connect to volume NAME over\n"
		 "NVMe-oF: hpsd exports the volume as subsystem\n"
		 "nqn.2014-08.org.hps:vol:<id> on every port of export.nvme in hpsd.json,\n"
		 "ANA optimized where this node is the primary (or standalone) and\n"
		 "inaccessible where it holds the secondary copy; and, when H has an\n"
		 "IQN and export.iscsi is on, over iSCSI as target\n"
		 "iqn.2014-08.org.hps:vol.<id>, ALUA active/optimized or standby by the\n"
		 "same rule, with CHAP when H has a secret.  Attach the host on every\n"
		 "node holding a copy for multipath.  At most 255 volumes per host.\n"
		 "Attaching again succeeds and changes nothing.  When configfs cannot\n"
		 "be written the attachment is kept and the error shown.\n",
		 CommandId::volume_attach,
		 {{"--host", "H", "the host (required)"}}},
		{{"volume", "detach"},
		 "NAME",
		 "stop a host's access to a volume",
		 "Removes host H's access to volume NAME; the volume's subsystem and\n"
		 "iSCSI target go when no host is left (hosts connected lose the path).  Detaching a\n"
		 "host that is not attached succeeds and changes nothing.\n",
		 CommandId::volume_detach,
		 {{"--host", "H", "the host (required)"}}},
		{{"host", "add"},
		 "NAME",
		 "add a compute host that volumes can be attached to",
		 "Adds compute host NAME (1..63 of A-Z a-z 0-9 . _ -) by its NVMe\n"
		 "host NQN (on the host: cat /etc/nvme/hostnqn), and optionally its\n"
		 "iSCSI initiator name and CHAP secret (for export.iscsi).\n"
		 "Adding a host exactly as it exists succeeds and changes nothing; with\n"
		 "other values it is an error (remove it first).  Kept in hpsd's state\n"
		 "dir (hosts.json), per node.\n",
		 CommandId::host_add,
		 {{"--nqn", "NQN", "the host's NVMe qualified name (required)"},
		  {"--iqn", "IQN", "the host's iSCSI initiator name"},
		  {"--chap-secret", "SECRET", "its iSCSI CHAP secret, 12..255 characters"}}},
		{{"host", "list"},
		 "",
		 "list compute hosts",
		 "Lists the compute hosts of this node with their NQN, IQN, whether a\n"
		 "CHAP secret is set (never the secret) and their attached volumes.\n",
		 CommandId::host_list},
		{{"host", "remove"},
		 "NAME",
		 "remove a compute host",
		 "Removes compute host NAME.  Refused while volumes are attached to it\n"
		 "(detach them first).\n",
		 CommandId::host_remove},
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
