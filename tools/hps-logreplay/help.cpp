// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/help.hpp"

namespace hps::logreplay {

std::string main_help()
{
	return "Usage: hps-logreplay COMMAND ARGS...\n"
	       "\n"
	       "Reads a dm-log-writes log device (the kernel's log-writes target) and replays\n"
	       "it onto a device up to a chosen entry, for crash-consistency tests.\n"
	       "\n"
	       "Commands:\n"
	       "  list LOG [--format table|json]       every entry: index, sector, length, flags, mark\n"
	       "  points LOG [--between N] [--format table|json]\n"
	       "                                       the replay points a crash test should visit\n"
	       "  replay LOG DEV --to ENTRY|--to-mark NAME [--from ENTRY|--from-start] [--verify]\n"
	       "                                       apply entries 0..ENTRY to DEV (or compare)\n"
	       "\n"
	       "Options:\n"
	       "  -h, --help      this help; 'hps-logreplay COMMAND --help' for a command\n"
	       "  -V, --version   print the version\n"
	       "\n"
	       "Exit codes: 0 ok, 1 failure (corrupt log, I/O error), 2 bad arguments,\n"
	       "3 --verify found a difference.\n";
}

std::string list_help()
{
	return "Usage: hps-logreplay list LOG [--format table|json]\n"
	       "\n"
	       "Prints every entry of the log: its index, the sector it wrote (in the log's\n"
	       "sectorsize units, also as a byte offset in json), its length, its flags\n"
	       "(FLUSH, FUA, DISCARD, MARK, META) and a mark's name; then counts per kind.\n"
	       "Only the super block's nr_entries entries are read.\n";
}

std::string points_help()
{
	return "Usage: hps-logreplay points LOG [--between N] [--format table|json]\n"
	       "\n"
	       "Prints the entries a crash test should replay to: every FLUSH or FUA entry\n"
	       "(kind flush, fua or flush+fua) and every mark (kind mark, with its name).\n"
	       "\n"
	       "  --between N   also up to N evenly spaced entries (kind between) inside each\n"
	       "                gap between consecutive FLUSH/FUA entries, including before\n"
	       "                the first and after the last; N is 0..1000 (default 0)\n";
}

std::string replay_help()
{
	return "Usage: hps-logreplay replay LOG DEV (--to ENTRY | --to-mark NAME)\n"
	       "                            [--from ENTRY | --from-start] [--verify]\n"
	       "\n"
	       "Applies log entries 0..ENTRY (inclusive) to DEV, a block device or a regular\n"
	       "file: each write at byte sector * sectorsize, each discard as zeroes\n"
	       "(BLKZEROOUT on a block device, else written zeroes; never BLKDISCARD, so the\n"
	       "result is the same on every device), then one fdatasync.  Replaying onto a\n"
	       "zeroed device gives the same result however often it is done.\n"
	       "\n"
	       "  --to ENTRY      the last entry to apply\n"
	       "  --to-mark NAME  up to and including the first mark called NAME\n"
	       "  --from ENTRY    apply only entries ENTRY..: DEV already holds the replay up\n"
	       "                  to ENTRY - 1 (to visit several points in order cheaply)\n"
	       "  --from-start    first zero every byte range any entry of the log touches,\n"
	       "                  so the result does not depend on what DEV held\n"
	       "  --verify        write nothing: compare DEV with what replaying 0..ENTRY onto\n"
	       "                  a zeroed device gives, over the bytes those entries touch;\n"
	       "                  reports the first entry whose surviving bytes differ (exit 3)\n";
}

} // namespace hps::logreplay
