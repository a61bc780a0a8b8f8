#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=2100 control=host
# about: after a power-off and promotion (as repl-poweroff-tcp) the old primary boots again with its disk and state: it finds itself replaced, writes none of its stale dirty blocks back, becomes the new primary's secondary and is resynced to its data
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl_failover.sh"
repl_failover tcp 1
log "PASS"
