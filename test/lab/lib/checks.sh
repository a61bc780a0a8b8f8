# The checks every scenario uses, wherever it runs: inside a VM (through
# guest/lib.sh) or on the host (control=host, through lib/control.sh).
# A failed check prints "FAIL: reason", the line the runner quotes.  Sourced.

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# must CMD...: run CMD; fail the scenario if it fails.
must() { "$@" || die "command failed (rc=$?): $*"; }

# must_fail CMD...: run CMD; fail the scenario if it succeeds.
must_fail() {
	if "$@" >/dev/null 2>&1; then
		die "command unexpectedly succeeded: $*"
	fi
}

# expect_eq GOT WANT WHAT
expect_eq() { [ "$1" = "$2" ] || die "$3: got '$1', want '$2'"; }
