# The one definition of a kernel log line that means the kernel is broken:
# the runner scans every VM console with it, scenarios their dmesg.  Sourced.
KERNEL_BUG_RE='BUG:|Oops|Kernel panic|WARNING:|general protection|KASAN|UBSAN|kernel BUG|Call Trace'
