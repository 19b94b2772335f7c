#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# Dom0's control CGI, http://<Dom0>:8080/cgi-bin/ctl?OP[=ARG]: the L1
# guest's way to have L0's Dom0 act on its devices (dom0/init.sh installs a
# wrapper that runs this with LAB_WORK, LAB_LOG and LAB_T0 set). It answers
# at once with one text line. Slow actions answer "started N OP", run in
# the background a couple of seconds later (so the reply is out before the
# guest loses its vif or disk) and leave their outcome for ctl?status=N:
# "N OP running", "N OP ok DETAIL" or "N OP failed WHY".
#   alloc                 alloc_kib=K: KiB of disk.img allocated (discard
#                         must shrink it)
#   vbd-rebind[=ID]       unbind blkback from the vbd, bind it again: 6.1's
#                         allow_rebind keeps the state, blkback re-attaches the
#                         frontend's rings
#   vbd-restart[=ID]      backend state 5 (Closing), online left 1: blkback
#                         closes with the frontend, then both start over;
#                         done when it is Connected again
#   vbd-replug[=ID]       xl block-detach, xl block-attach of the same disk
#   vif-replug[=ID]       xl network-detach, xl network-attach, same bridge,
#                         MAC and type
#   l0-save[=ID]          xl save of the guest (which blanket answers through
#                         control/shutdown), then xl restore: a new domain;
#                         done when its vbd is Connected
#   l0-save-unasked[=ID]  the same, with the guest's HVM callback cleared
#                         first (hvm-param.py): libxl then saves it without
#                         asking it, and blanket must notice by itself
#   l0-migrate[=ID]       xl migrate of the guest to this host, the same
#                         request: a new domain while the old one is still
#                         there; done when its vbd is Connected
#   hostile-sectors[=ID]  "12x4" as the vbd's sectors, announced the way
#                         blkback announces a resize (its state rewritten)
#   vif-irqs[=ID]         vif_irqs=N tx=T rx=R: netback's interrupts for the
#                         vif, all queues, and those of its TX and RX channels
#                         if split - the notifications that the frontend sent
#                         and that reached Dom0
#   vbd-irqs              vbd_irqs=N: blkback's interrupts, all its rings:
#                         the notifications that the guest's vbd (the only
#                         one doing I/O) sent and that reached Dom0
#   vif-queues[=ID]       vif_queues=N irq_queues=Q fe_num_queues=F: what
#                         netback made of the frontend's queue count (its
#                         netdev's TX queues, the queues with interrupts) and
#                         the frontend's multi-queue-num-queues ("none": 1)
#   hostile-fe=NS, hostile-connect=NS, hostile-junk, hostile-unjunk
#                         cases NS ("N" or "N,N,...") of hostile-cases played
#                         by hostile-be.sh (fe, connect, junk, unjunk there)
#   hostile-create=NS, hostile-scenario=N, hostile-unplug=NS
#                         the same, slow: create, scenario, unplug
# ID is the device id; by default the writable vbd, the first vif. Every
# action and its outcome go to LAB_LOG (dom0.log) and Xen's console.
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
work=${LAB_WORK:?} logf=${LAB_LOG:?}
# xl save's image goes to the host's disk through the share: a forwarded
# L1 machine's memory would not fit this Dom0's tmpfs. Through a pipe:
# the share's 9p pins the pages a write comes from, and libxc writes the
# guest's pages from its foreign mappings, which cannot be pinned (EFAULT).
save=${LAB_SHARE:?}/l1.save
here=$(dirname "$0")
st=$work/ctl
mkdir -p "$st"

log() {
	echo "LAB-DOM0: ctl: $*" >/dev/console
	echo "$(($(cut -d. -f1 /proc/uptime) - ${LAB_T0:-0}))s ctl: $*" >>"$logf"
}

# --- the background half: one action, its outcome in $st/N ------------------
if [ "${1:-}" = --run ]; then
	n=$2 op=$3 id=$4
	done_() { echo "$n $op $*" >"$st/$n"; log "$n $op $*"; exit 0; }
	ok() { done_ ok "$@"; }
	fail() { done_ failed "$@"; }
	# Commands' output goes to the log, not to the guest.
	run() { echo "+ $*" >>"$logf"; timeout 180 "$@" >>"$logf" 2>&1; }
	# What L0's device model said, when a restored guest's would not start.
	dm_log() { tail -n 20 /var/log/xen/qemu-dm-l1*.log >>"$logf" 2>&1; }
	state() { xenstore-read "$1/state" 2>/dev/null || echo gone; }
	# trace BACKEND SECONDS WANT...: polls backend and frontend states
	# until the backend's is one of WANT; $seen is the backend/frontend
	# pairs met on the way, for the log.
	trace() {
		_be=$1 _t=$2 _fe=$(xenstore-read "$1/frontend" 2>/dev/null)
		shift 2
		seen='' _last=''
		while [ "$_t" -gt 0 ]; do
			_now=$(state "$_be")/$(state "$_fe")
			[ "$_now" = "$_last" ] || seen="$seen $_now"
			_last=$_now
			for _w in "$@"; do
				[ "${_now%/*}" = "$_w" ] && return 0
			done
			_t=$((_t - 1))
			sleep 1
		done
		return 1
	}

	# The reply out first, but for a hostile device: not one the guest
	# needs to hear from Dom0.
	case $op in hostile-*) ;; *) sleep 2 ;; esac
	log "$n $op begins (domain $domid, backend $be)"
	case $op in
	vbd-rebind)
		dev=vbd-$domid-$id
		sys=/sys/bus/xen-backend/devices/$dev
		[ -e "$sys/driver" ] || fail "blkback does not hold $dev"
		echo "$dev" >/sys/bus/xen-backend/drivers/vbd/unbind || fail "unbind $dev"
		[ -e "$sys/driver" ] && fail "$dev still bound after unbind"
		s=$(state "$be")
		sleep 1
		echo "$dev" >/sys/bus/xen-backend/drivers/vbd/bind || fail "bind $dev"
		trace "$be" 60 4 || fail "backend not Connected 60 s after bind:$seen"
		ok "state $s while unbound; bound again:$seen"
		;;
	vbd-restart)
		[ "$(state "$be")" = 4 ] || fail "backend not Connected but $(state "$be")"
		xenstore-write "$be/state" 5 || fail "xenstore-write $be/state"
		# Closed and InitWait pass quicker than a poll: once Connected
		# again, it went round (the guest counts its reconnects).
		trace "$be" 180 4 || fail "backend not Connected again:$seen"
		ok "closing, then connected again:$seen"
		;;
	vbd-replug)
		target=$(xenstore-read "$be/params") && vdev=$(xenstore-read "$be/dev") &&
			mode=$(xenstore-read "$be/mode") || fail "cannot read $be"
		access=ro
		[ "$mode" = w ] && access=rw
		spec=format=raw,vdev=$vdev,access=$access,target=$target
		run xl block-detach l1 "$id" || fail "xl block-detach l1 $id"
		trace "$be" 60 gone || fail "backend still there after block-detach:$seen"
		run xl block-attach l1 "$spec" || fail "xl block-attach l1 $spec"
		trace "$be" 120 4 || fail "attached ($spec), backend not Connected:$seen"
		ok "detached, attached $spec:$seen"
		;;
	hostile-create | hostile-scenario | hostile-unplug)
		r=$(DOMID=$domid /bin/busybox sh "$here/hostile-be.sh" "${op#hostile-}" "$id")
		case $r in ok*) ok "${r#ok }" ;; esac
		fail "${r#failed }"
		;;
	l0-save | l0-save-unasked)
		if [ "$op" = l0-save-unasked ]; then
			cb=$(python3 "$here/hvm-param.py" "$domid" callback-irq 0 2>&1)
			echo "+ cleared the callback: $cb" >>"$logf"
			[ "$cb" = callback-irq=0x0 ] || fail "cannot clear the callback: $cb"
		fi
		# dom0/init.sh does not take the guest for gone meanwhile. The
		# restored domain's QEMU starts the console file anew: what the
		# guest wrote before joins the consoles so far, as at its end.
		touch "$work/l1-saving"
		echo "+ xl save l1" >>"$logf"
		rm -f "$work/l1.pipe"
		mkfifo "$work/l1.pipe" || { rm -f "$work/l1-saving"; fail "mkfifo"; }
		cat "$work/l1.pipe" >"$save" &
		timeout 900 xl save l1 "$work/l1.pipe" >>"$logf" 2>&1
		rc=$?
		# Done, cat drains the pipe; failed, it may never have been opened.
		[ $rc = 0 ] || kill $! 2>/dev/null
		wait $!
		rm -f "$work/l1.pipe"
		[ $rc = 0 ] || { rm -f "$save" "$work/l1-saving"; fail "xl save l1"; }
		cat "$work/l1-console.log" >>"$work/l1-consoles.log"
		rm -f "$work/l1-console.log"
		echo "+ xl restore" >>"$logf"
		timeout 900 xl restore "$save" >>"$logf" 2>&1
		rc=$?
		rm -f "$save" "$work/l1-saving"
		[ $rc = 0 ] || { dm_log; fail "xl restore (rc $rc)"; }
		domid=$(timeout 30 xl domid l1) || fail "no domain l1 after xl restore"
		trace "/local/domain/0/backend/vbd/$domid/$id" 180 4 ||
			fail "restored as domain $domid, vbd not Connected:$seen"
		ok "saved, and restored as domain $domid:$seen"
		;;
	l0-migrate)
		# -s "": the "host" is the command the stream is piped to. The new
		# domain's QEMU opens the console file anew while the old one still
		# writes: the old one's output goes on in the file moved aside.
		old=$domid
		touch "$work/l1-saving"
		mv "$work/l1-console.log" "$work/l1-console.old"
		echo "+ xl migrate l1 to this host" >>"$logf"
		timeout 900 xl migrate -s "" l1 "xl migrate-receive" >>"$logf" 2>&1
		rc=$?
		if [ $rc = 0 ]; then
			cat "$work/l1-console.old" >>"$work/l1-consoles.log"
			rm -f "$work/l1-console.old"
		else
			# The old domain goes on, and writes where it wrote.
			mv "$work/l1-console.old" "$work/l1-console.log"
		fi
		rm -f "$work/l1-saving"
		[ $rc = 0 ] || { dm_log; fail "xl migrate (rc $rc)"; }
		domid=$(timeout 30 xl domid l1) || fail "no domain l1 after xl migrate"
		[ "$domid" != "$old" ] || fail "still domain $domid after xl migrate"
		trace "/local/domain/0/backend/vbd/$domid/$id" 180 4 ||
			fail "migrated to domain $domid, vbd not Connected:$seen"
		ok "migrated from domain $old to domain $domid:$seen"
		;;
	vif-replug)
		mac=$(xenstore-read "$be/mac") && bridge=$(xenstore-read "$be/bridge") &&
			type=$(xenstore-read "$be/type") || fail "cannot read $be"
		# The type too: libxl makes a vif attached to a running HVM
		# guest PV only unless told, and L0's device model would then
		# lose the guest's emulated NIC at its next start, which a
		# later l0-save's restore cannot load the saved NIC state into.
		case $type in vif_ioemu) type=ioemu ;; *) type=vif ;; esac
		run xl network-detach l1 "$id" || fail "xl network-detach l1 $id"
		trace "$be" 60 gone || fail "backend still there after network-detach:$seen"
		run xl network-attach l1 "bridge=$bridge" "mac=$mac" "type=$type" ||
			fail "xl network-attach l1 bridge=$bridge mac=$mac type=$type"
		# libxl takes the lowest free id, which is this one again.
		new=$(xenstore-list "${be%/*}" 2>/dev/null | head -n 1)
		trace "${be%/*}/$new" 120 4 || fail "attached as vif $new, backend not Connected:$seen"
		ok "detached, attached as vif $new with $mac:$seen"
		;;
	esac
	fail "unknown action"
fi

# --- the CGI ---------------------------------------------------------------------
reply() {
	printf 'Content-Type: text/plain\r\n\r\n%s\n' "$*"
	exit 0
}
q=${QUERY_STRING:-}
op=${q%%=*} arg=
[ "$op" = "$q" ] || arg=${q#*=}
# A number; a list of them "N,N,..." for the hostile cases played at once.
case $arg in *[!0-9,]* | ,* | *, | *,,*) reply "bad argument" ;; esac
case $op:$arg in
hostile-create:* | hostile-fe:* | hostile-connect:* | hostile-unplug:*) ;;
*:*,*) reply "bad argument" ;;
esac

case $op in
alloc)
	# Allocated blocks, not the size: the file is sparse.
	set -- $(stat -c '%b %B' "$work/disk.img" 2>/dev/null)
	[ $# = 2 ] || reply "no $work/disk.img"
	reply "alloc_kib=$(($1 * $2 / 1024))"
	;;
status)
	[ -f "$st/$arg" ] || reply "$arg unknown"
	reply "$(cat "$st/$arg")"
	;;
esac

domid=$(timeout 30 xl domid l1 2>/dev/null) || reply "no domain l1"
case $op in
vbd-*|hostile-sectors|l0-save|l0-save-unasked|l0-migrate) type=vbd ;;
vif-*) type=vif ;;
hostile-fe | hostile-connect | hostile-junk | hostile-unjunk)
	r=$(DOMID=$domid /bin/busybox sh "$here/hostile-be.sh" "${op#hostile-}" "$arg")
	# The guest polls hostile-fe: only what changes something is logged.
	[ "$op" = hostile-fe ] || log "$op $arg: $r"
	reply "$r"
	;;
hostile-create | hostile-scenario | hostile-unplug) type=hostile ;;
*) reply "unknown op $op" ;;
esac
dir=/local/domain/0/backend/$type/$domid
id=$arg
if [ $type = hostile ]; then
	be=$dir/$id	# its own: hostile-be.sh knows where
elif [ -z "$id" ]; then
	for i in $(xenstore-list "$dir" 2>/dev/null); do
		[ $type = vif ] || [ "$(xenstore-read "$dir/$i/mode" 2>/dev/null)" = w ] || continue
		id=$i
		break
	done
fi
be=$dir/$id
[ $type = hostile ] || { [ -n "$id" ] && xenstore-exists "$be" 2>/dev/null; } ||
	reply "no $type ${id:-at all} for domain $domid"

# irqs NAME: "ALL TX RX", the interrupts so far of the IRQs whose name
# begins with NAME, all of them and those whose name ends in -tx and -rx.
# Per-CPU columns as many as the header's CPUs.
irqs() {
	awk -v p="$1" 'NR == 1 { n = NF; next }
		index($NF, p) == 1 { c = 0; for (i = 2; i <= n + 1; i++) c += $i
			all += c; if ($NF ~ /-tx$/) tx += c; if ($NF ~ /-rx$/) rx += c }
		END { printf "%d %d %d", all, tx, rx }' /proc/interrupts
}
if [ "$op" = vif-irqs ]; then
	# Netback names its interrupts vif<domid>.<id>-q<N>, with -tx and -rx
	# if split.
	set -- $(irqs "vif$domid.$id-q")
	reply "vif_irqs=$1 tx=$2 rx=$3"
fi
if [ "$op" = vbd-irqs ]; then
	# Blkback names every ring's interrupt blkif-backend, whichever the
	# domain and device: the guest's vbd is the only one that does I/O.
	set -- $(irqs blkif-backend)
	reply "vbd_irqs=$1"
fi
if [ "$op" = vif-queues ]; then
	fe=$(xenstore-read "$be/frontend" 2>/dev/null)
	reply "vif_queues=$(ls -d "/sys/class/net/vif$domid.$id/queues"/tx-* 2>/dev/null | wc -l)" \
		"irq_queues=$(grep -o "vif$domid\.$id-q[0-9]*" /proc/interrupts | sort -u | wc -l)" \
		"fe_num_queues=$(xenstore-read "$fe/multi-queue-num-queues" 2>/dev/null || echo none)"
fi
if [ "$op" = hostile-sectors ]; then
	# Quick, so done here: what the guest reads next is what this wrote.
	old=$(xenstore-read "$be/sectors")
	xenstore-write "$be/sectors" 12x4 &&
		xenstore-write "$be/state" "$(xenstore-read "$be/state")" ||
		{ log "hostile-sectors on $be failed"; reply "failed"; }
	log "hostile-sectors: $be/sectors $old -> 12x4, state rewritten"
	reply "ok sectors $old -> 12x4"
fi

n=$(($(cat "$st/seq" 2>/dev/null || echo 0) + 1))
echo "$n" >"$st/seq"
echo "$n $op running" >"$st/$n"
log "$n $op requested (domain $domid, $be)"
# Detached and with no tie to the reply's pipe, so httpd can finish it.
export domid be
setsid /bin/busybox sh "$0" --run "$n" "$op" "$id" </dev/null >/dev/null 2>&1 &
reply "started $n $op"
