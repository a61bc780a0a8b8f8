# The iSCSI halves of the export scenarios (export-iscsi, export-acl), on top
# of lib/export-scenarios.sh (sourced first: P, S, C, node, vm_ip, VOL). The
# storage VMs export through LIO; the compute VM logs in with open-iscsi and
# puts its paths together with dm-multipath (multipathd, udevd), as an admin's
# Linux host would.
#
#   export_iscsi_scenario   one active/optimized path and one standby, fio
#                           verify through the multipath map, data equal,
#                           hpsd restarted without a change, clean removal
#   export_acl_iscsi        an IQN not attached is refused; with CHAP a wrong
#                           secret is refused and the right one logs in
#   export_failover_iscsi   the primary powered off under fio, vm1 promoted:
#                           ALUA flips, dm-multipath moves the I/O, no error

IQN_C=iqn.2014-08.org.hps:lab:compute
LIO=/sys/kernel/config/target

# iscsi_json IDX PEER_IDX: vm IDX's "export.iscsi" config member: a portal on
# its lab address, TPG tag IDX + 1, the peer node's tag.
iscsi_json() {
	echo "\"iscsi\": {\"portals\": [{\"address\": \"$(vm_ip "$1")\"}], \"tpg_tag\": $(($1 + 1)), \"peer_tpg_tags\": {\"lab-vm$2\": $(($2 + 1))}}"
}

LIO_MODULES="target_core_mod target_core_iblock iscsi_target_mod"

# iscsi_nodes: LIO, module, blank disk and hpsd on both storage nodes.
iscsi_nodes() {
	vm_must $P "$(node "must modprobe -a $LIO_MODULES; repl_setup lab-vm1 $(vm_ip $S) '\"export\": {$(iscsi_json $P $S)}'; repl_start")"
	vm_must $S "$(node "must modprobe -a $LIO_MODULES; repl_setup lab-vm0 $(vm_ip $P) '\"export\": {$(iscsi_json $S $P)}'; repl_start")"
}

# The compute VM's root is the host's, read-only: open-iscsi's and
# multipath's state directories get a tmpfs each. A path whose node is gone
# fails after 5 s instead of open-iscsi's 120 (what multipath setups
# configure), so dm-multipath moves on. Only LIO's LUNs are multipathed, and
# with no path usable their I/O is queued for 60 checks (120 s) instead of
# the built-in 12: a failover (power-off noticed, promotion, ALUA flip) must
# fit in it, or the application gets an I/O error.
compute_iscsi_setup='must modprobe -a iscsi_tcp sd_mod dm_multipath scsi_dh_alua
	if ! mountpoint -q /etc/iscsi; then
		cp -a /etc/iscsi /tmp/etc-iscsi && must mount -t tmpfs -o mode=0755 tmpfs /etc/iscsi
		cp -a /tmp/etc-iscsi/. /etc/iscsi/
	fi
	echo "InitiatorName=$IQN_C" >/etc/iscsi/initiatorname.iscsi
	sed -i "s/^node.session.timeo.replacement_timeout = .*/node.session.timeo.replacement_timeout = 5/" /etc/iscsi/iscsid.conf
	if ! mountpoint -q /etc/multipath; then
		must mount -t tmpfs -o mode=0755 tmpfs /etc/multipath
		mkdir -p /etc/multipath/conf.d
		cat >/etc/multipath/conf.d/lab.conf <<EOF
defaults {
	find_multipaths "no"
	user_friendly_names "no"
	polling_interval 2
}
blacklist {
	device {
		vendor ".*"
		product ".*"
	}
}
blacklist_exceptions {
	device {
		vendor "LIO-ORG"
		product ".*"
	}
}
devices {
	device {
		vendor "LIO-ORG"
		product ".*"
		no_path_retry 60
	}
}
EOF
	fi
	pgrep -x iscsid >/dev/null || must iscsid
	pgrep -x systemd-udevd >/dev/null || must /lib/systemd/systemd-udevd --daemon
	pgrep -x multipathd >/dev/null || must multipathd'

# compute_iscsi TEXT: TEXT on the compute VM with IQN_C, the target IQN in
# $T and the helpers above.
compute_iscsi() { vm_must $C "IQN_C=$IQN_C; T=$TIQN; $1"; }

# compute_iscsi_login ADDR...: discovery and login to $TIQN at each address.
compute_iscsi_login() {
	local a
	for a in "$@"; do
		compute_iscsi "must iscsiadm -m discovery -t sendtargets -p $a:3260
			must iscsiadm -m node -T \$T -p $a:3260 --login"
	done
}

# The compute host's multipath map of $T's LUN in $m (its WWID) and $d.
compute_map='m=; for i in $(seq 60); do m=$(dmsetup ls --target multipath 2>/dev/null | awk "\$1 != \"No\" {print \$1}" | head -n1 || true); [ -n "$m" ] && break; sleep 1; done
	[ -n "$m" ] || die "no multipath map after the logins: $(multipath -ll 2>&1)"; d=/dev/mapper/$m'

# On the compute host: the map $m's ready path in $ready (sdX) and the portal
# its session goes to in $portal (ADDR:3260,TAG).
ready_portal='ready=$(multipath -ll $m 2>/dev/null | grep -oE "sd[a-z]+ +[0-9]+:[0-9]+ +active ready" | awk "{print \$1}" | head -n1 || true)
	portal=$(iscsiadm -m session -P 3 2>/dev/null | awk "/Current Portal:/ {p=\$3} /Attached scsi disk/ {print \$4, p}" | awk -v d="$ready" "\$1 == d {print \$2}" || true)'

# compute_iscsi_paths SECS: until the map has one path ready (the primary's
# portal, active/optimized) and one ghost (standby); logs multipath -ll.
compute_iscsi_paths() {
	compute_iscsi "$compute_map; end=\$((SECONDS + $1)); got=
		while [ \$SECONDS -lt \$end ]; do
			got=\$(multipath -ll \$m | grep -oE 'active (ready|ghost) running' | sort | tr '\n' ' ')
			[ \"\$got\" = 'active ghost running active ready running ' ] && break
			sleep 1
		done
		multipath -ll \$m | tee \$LAB_OUT/multipath.txt
		[ \"\$got\" = 'active ghost running active ready running ' ] ||
			die \"paths of \$m: '\$got', not one ready and one ghost\"
		$ready_portal
		log \"the ready path \$ready goes to \$portal\"
		case \$portal in $(vm_ip $P):3260*) ;; *) die \"the ready path goes to '\$portal', not the primary\" ;; esac"
}

# compute_iscsi_ready_on ADDR SECS: until the map's ready path is the one
# to the portal on ADDR.
compute_iscsi_ready_on() {
	compute_iscsi "$compute_map; end=\$((SECONDS + $2)); portal=
		while [ \$SECONDS -lt \$end ]; do
			$ready_portal
			case \$portal in $1:3260*) break ;; esac
			sleep 0.5
		done
		multipath -ll \$m
		case \$portal in $1:3260*) ;; *) die \"the ready path goes to '\$portal', not $1\" ;; esac"
}

# iscsi_volume: $VOL on vm0 with its copy on vm1, in sync, the compute
# host attached on both; sets TIQN and checks each node exports it under
# it, active/optimized on vm0 and standby on vm1.
iscsi_volume() {
	vm_must $P "$(node 'must ctl volume create $VOL --size 128M --replica-node lab-vm1; wait_replica $VOL in_sync 120')"
	local n id
	id=$(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get id')" | tail -n1)
	TIQN=iqn.2014-08.org.hps:vol.$id
	for n in $P $S; do
		vm_must $n "$(node "must ctl host add compute --nqn nqn.2014-08.org.hps:lab:compute --iqn $IQN_C
			must ctl volume attach \$VOL --host compute; ctl volume show \$VOL")"
		local got want=active/optimized
		[ "$n" = $S ] && want=standby
		got=$(vm_run $n "$(node 'ctl --format json volume show $VOL | json_get export.iscsi.iqn export.iscsi.exported export.iscsi.alua_state | tr "\n" " "')" | tail -n1)
		log "vm$n exports: $got"
		[ "$(echo $got)" = "$TIQN true $want" ] || die "vm$n: iSCSI export is '$got', not '$TIQN true $want'"
	done
}

export_iscsi_scenario() {
	VOL=export-iscsi
	log "storage nodes vm0, vm1: LIO, hpsd replicating over tcp and exporting over iSCSI"
	iscsi_nodes
	iscsi_volume

	log "compute host (vm2): iscsiadm login to both nodes, dm-multipath"
	compute_iscsi "$compute_iscsi_setup"
	compute_iscsi_login "$(vm_ip $P)" "$(vm_ip $S)"
	compute_iscsi_paths 90

	log "fio verify through the multipath map"
	compute_verify "$compute_map"

	log "hpsd restarted on the primary: configfs kept, nothing to change, the paths stay"
	primary_restart_unchanged LIO
	compute_iscsi_paths 30

	log "logout, detach: target, backstore and HBA go on both nodes"
	compute_iscsi "$compute_map; must multipath -f \$m; must iscsiadm -m node -T \$T --logout"
	for n in $P $S; do
		vm_must $n "$(node "must ctl volume detach \$VOL --host compute; must ctl host remove compute
			[ ! -e $LIO/iscsi/$TIQN ] || die 'target $TIQN is still in LIO'
			[ ! -e $LIO/core/iblock_8400 ] || die \"iblock_8400 is still in LIO: \$(ls $LIO/core/iblock_8400)\"")"
	done
	vm_must $P "$(node 'repl_stop')"
	vm_must $S "$(node 'repl_stop')"
}

# export_acl_iscsi: with vm0 exporting standalone volume $VOL over iSCSI
# (and NVMe), the compute VM logs in only under an attached IQN, and with
# CHAP only with the right secret.
export_acl_iscsi() {
	local id other=iqn.2014-08.org.hps:lab:intruder a
	a=$(vm_ip $P)
	id=$(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get id')" | tail -n1)
	TIQN=iqn.2014-08.org.hps:vol.$id
	vm_must $P "$(node "must ctl host add chap --nqn nqn.2014-08.org.hps:lab:chap --iqn $IQN_C --chap-secret lab-chap-secret-1
		must ctl host add other-iscsi --nqn nqn.2014-08.org.hps:lab:other --iqn $other
		must ctl volume attach \$VOL --host chap; ctl volume show \$VOL")"
	compute_iscsi "$compute_iscsi_setup"
	log "iSCSI: an IQN not attached is refused (its own iface names it; CHAP right)"
	compute_iscsi "must iscsiadm -m iface -I intruder -o new
		must iscsiadm -m iface -I intruder -o update -n iface.initiatorname -v $other
		must iscsiadm -m node -o new -T \$T -p $a:3260 -I intruder
		iscsiadm -m node -T \$T -p $a:3260 -I intruder -o update -n node.session.auth.authmethod -v CHAP
		iscsiadm -m node -T \$T -p $a:3260 -I intruder -o update -n node.session.auth.username -v $other
		iscsiadm -m node -T \$T -p $a:3260 -I intruder -o update -n node.session.auth.password -v lab-chap-secret-1
		if iscsiadm -m node -T \$T -p $a:3260 -I intruder --login 2>\$LAB_OUT/refused-iqn.txt; then
			die 'initiator $other logged in to \$T, which it is not attached to'
		fi
		grep -q 'authorization failure' \$LAB_OUT/refused-iqn.txt ||
			die \"refused, but not for authorization: \$(cat \$LAB_OUT/refused-iqn.txt)\"
		log \"refused: \$(grep 'reported error' \$LAB_OUT/refused-iqn.txt)\"
		must iscsiadm -m node -T \$T -p $a:3260 -I intruder -o delete"
	log "iSCSI: the attached IQN with a wrong CHAP secret is refused, with the right one logs in"
	compute_iscsi "must iscsiadm -m node -o new -T \$T -p $a:3260
		iscsiadm -m node -T \$T -p $a:3260 -o update -n node.session.auth.authmethod -v CHAP
		iscsiadm -m node -T \$T -p $a:3260 -o update -n node.session.auth.username -v \$IQN_C
		iscsiadm -m node -T \$T -p $a:3260 -o update -n node.session.auth.password -v wrong-secret-12
		if iscsiadm -m node -T \$T -p $a:3260 --login 2>\$LAB_OUT/refused-chap.txt; then
			die 'a wrong CHAP secret logged in'
		fi
		grep -q 'authorization failure' \$LAB_OUT/refused-chap.txt ||
			die \"refused, but not for authorization: \$(cat \$LAB_OUT/refused-chap.txt)\"
		log \"refused: \$(grep 'reported error' \$LAB_OUT/refused-chap.txt)\"
		iscsiadm -m node -T \$T -p $a:3260 -o update -n node.session.auth.password -v lab-chap-secret-1
		must iscsiadm -m node -T \$T -p $a:3260 --login
		log \"logged in: \$(iscsiadm -m session)\"
		must iscsiadm -m node -T \$T -p $a:3260 --logout"
	log "iSCSI: once detached the host cannot log in"
	vm_must $P "$(node 'must ctl volume detach $VOL --host chap')"
	compute_iscsi "if iscsiadm -m node -T \$T -p $a:3260 --login 2>/dev/null; then
			die 'a detached initiator logged in'
		fi"
}

# export_failover_iscsi: export-failover through iSCSI and dm-multipath: the
# primary VM powered off under fio, vm1 promoted, ALUA flips and multipathd
# moves the I/O queued meanwhile to vm1's path.
export_failover_iscsi() {
	VOL=export-failover-iscsi
	log "storage nodes vm0, vm1 exporting over iSCSI; the compute host (vm2) logged in to both"
	iscsi_nodes
	iscsi_volume
	compute_iscsi "$compute_iscsi_setup"
	compute_iscsi_login "$(vm_ip $P)" "$(vm_ip $S)"
	compute_iscsi_paths 90
	failover_under_fio "$compute_map" "compute_iscsi_ready_on $(vm_ip $S) 90"
	local got
	got=$(vm_run $S "$(node 'ctl --format json volume show $VOL | json_get export.iscsi.alua_state')" | tail -n1)
	log "vm1 exports with ALUA state $got"
	[ "$got" = active/optimized ] || die "vm1's ALUA state after the promotion is '$got', not active/optimized"
	vm_must $S "$(node 'repl_stop')"
}
