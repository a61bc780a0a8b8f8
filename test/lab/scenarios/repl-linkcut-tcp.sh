#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1800 control=host
# about: replication over TCP under fio verify: the link cut (ip link down) on the primary's side, then on the secondary's, and repaired; then the primary's hpsd SIGKILLed and restarted (its peer kept its copy: only what changed is resynced): each time I/O goes on without an error (degraded), resync, in sync, equal copies
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

repl_linkcut_scenario tcp
