#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# A hostile backend in L0's Dom0, made of xenstore writes: it offers the
# L1 guest a device with the values of one line of hostile-cases and goes
# through the handshake, but maps no ring and answers no request. Its
# directory is under backend/lab-TYPE, where neither blkback nor netback
# looks, so only the guest's driver ever reads it.
#
#   hostile-be.sh create NS    each case's device, its backend in InitWait
#   hostile-be.sh fe NS        the guest's state for each
#   hostile-be.sh connect NS   the backends Connected (the guest Initialised)
#   hostile-be.sh scenario N   a scenario's second act (below)
#   hostile-be.sh unplug NS    the devices taken away, as xl detach does
#   hostile-be.sh junk         junk in the guest's device/ area
#   hostile-be.sh unjunk       and away again
# NS is one case or several, "N,N,...": the guest plays the cases that
# need no scenario all at once. Each prints one line: "ok DETAIL", or
# "failed N: WHY; ..." for the cases that failed (fe: "ok N=S ..."). The
# guest drives the handshake, so that a refusal costs no timeout here.
#
# DOMID is the guest's domain. Scenarios (KEY in hostile-cases), whose
# second act starts once the guest is Connected:
#   @silent      Connected, then silence: the guest's I/O must time out
#   @geometry    Connected at 512-byte sectors, closed, then Connected
#                again at 4096: the guest must refuse the new unit
#   @state-gone  the backend's state node removed while Connected: the
#                guest must go Closed, then connect again when InitWait
#                comes back
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
here=$(dirname "$0")
domid=${DOMID:?}

say() { echo "$*"; exit 0; }
# "--": a value such as -1 is no option.
w() { xenstore-write -- "$@" || say "failed xenstore-write $*"; }
fe_state() { xenstore-read "$fe/state" 2>/dev/null || echo gone; }
fe_of() { say "ok $n=$(fe_state)"; }
# await SECONDS STATE...: the frontend reaches one of STATE.
await() {
	_t=$1
	shift
	while [ "$_t" -gt 0 ]; do
		for _s in "$@"; do
			[ "$(fe_state)" = "$_s" ] && return 0
		done
		_t=$((_t - 1))
		sleep 1
	done
	return 1
}

# case_line N: sets n, type, key, value and expect from hostile-cases.
case_line() {
	set -- $(awk -v n="$1" '$1 == n' "$here/hostile-cases")
	[ $# = 5 ] || say "failed no such case"
	n=$1 type=$2 key=$3 value=$4 expect=$5
	id=$((700 + n))
	fe=/local/domain/$domid/device/$type/$id
	be=/local/domain/0/backend/lab-$type/$domid/$id
}

# each FUNCTION NS: FUNCTION for case after case, each in a subshell of
# its own (say ends it); "ok" and their details, or the failures.
each() {
	_out= _bad=
	for _n in $(echo "$2" | tr , ' '); do
		_l=$(case_line "$_n" && "$1")
		case $_l in
		ok*) _out="$_out ${_l#ok }" ;;
		*) _bad="$_bad; $_n: ${_l#failed }" ;;
		esac
	done
	[ -z "$_bad" ] || say "failed${_bad#;}"
	say "ok${_out}"
}

# set_key DIR KEY VALUE: VALUE as hostile-cases spells it.
set_key() {
	case $3 in
	@gone) xenstore-rm "$1/$2" 2>/dev/null || true ;;
	@empty) w "$1/$2" "" ;;
	*) w "$1/$2" "$3" ;;
	esac
}

# A sane device of its type: what blkback and netback would write. The
# backend's directory is readable by the guest before the guest's own
# directory exists: the guest reads the backend's state when it first
# sees the device, and a change of permissions alone fires no watch.
create() {
	xenstore-rm "$fe" 2>/dev/null
	xenstore-rm "$be" 2>/dev/null
	if [ "$type" = vbd ]; then
		w "$be/sectors" 8192 "$be/info" 0 "$be/sector-size" 512 "$be/mode" w \
			"$be/feature-flush-cache" 1 "$be/feature-discard" 1 \
			"$be/discard-granularity" 4096 "$be/feature-max-indirect-segments" 256 \
			"$be/max-ring-page-order" 4 "$be/multi-queue-max-queues" 4 \
			"$be/feature-persistent" 1
	else
		set --
		for f in rx-copy rx-notify sg gso-tcpv4 gso-tcpv6 ipv6-csum-offload \
			split-event-channels; do
			set -- "$@" "$be/feature-$f" 1
		done
		w "$@" "$be/multi-queue-max-queues" 4
	fi
	w "$be/frontend" "$fe" "$be/frontend-id" "$domid" "$be/online" 1
	case $key in
	fe:* | - | @*) ;;
	*) set_key "$be" "$key" "$value" ;;
	esac
	w "$be/state" 2
	xenstore-chmod -r "$be" n0 "r$domid" || say "failed xenstore-chmod $be"
	# The guest's directory, "backend" last: the guest takes the device
	# once that is there.
	w "$fe/state" 1
	xenstore-chmod -r "$fe" "n$domid" r0 || say "failed xenstore-chmod $fe"
	if [ "$type" = vbd ]; then
		w "$fe/virtual-device" "$id" "$fe/device-type" disk
	else
		w "$fe/mac" "00:16:3e:7a:$(printf '%02x:%02x' $((id >> 8)) $((id & 255)))" \
			"$fe/handle" "$id"
	fi
	case $key in fe:*) set_key "$fe" "${key#fe:}" "$value" ;; esac
	w "$fe/backend-id" 0 "$fe/backend" "$be"
	xenstore-chmod -r "$fe" "n$domid" r0 || say "failed xenstore-chmod $fe"
	say "ok $type-$id"
}

# The guest is in (Initialised; netfront goes Connected at once): the
# backend says Connected.
connect() {
	case $(fe_state) in 3 | 4) ;; *) say "failed the guest is at state $(fe_state)" ;; esac
	w "$be/state" 4
	say "ok $n"
}

# The scenarios' second act, once the guest is Connected.
scenario() {
	await 90 4 || say "failed the guest is not Connected but $(fe_state)"
	case $key in
	@geometry)
		w "$be/state" 5
		await 90 6 || say "failed the guest not Closed after Closing: $(fe_state)"
		w "$be/state" 6
		await 90 1 || say "failed the guest did not start over: $(fe_state)"
		w "$be/sector-size" 4096
		w "$be/state" 2
		await 90 3 || say "failed the guest did not take InitWait: $(fe_state)"
		w "$be/state" 4
		say "ok Connected again at 4096-byte sectors"
		;;
	@state-gone)
		xenstore-rm "$be/state"
		await 90 6 || say "failed the guest not Closed once the backend's state went: $(fe_state)"
		w "$be/state" 2
		await 90 3 4 || say "failed the guest did not take InitWait: $(fe_state)"
		w "$be/state" 4
		[ "$type" = vif ] || await 90 4 || say "failed the guest not Connected again: $(fe_state)"
		say "ok Closed when the state went, Connected again"
		;;
	esac
	say "failed case $n is no scenario"
}

# The devices go in three rounds, so that each waits for the guest only
# once: the backends Closing; those the guest got as far as Initialised
# with close with it, Closed; then away. One the guest refused before
# has nothing to close.
unplug() {
	closing=
	for n in $(echo "$1" | tr , ' '); do
		case_line "$n"
		xenstore-exists "$be" 2>/dev/null || continue
		w "$be/online" 0
		w "$be/state" 5
		case $(fe_state) in 3 | 4 | 5) closing="$closing $n" ;; esac
	done
	for n in $closing; do
		case_line "$n"
		await 30 5 6 gone
		w "$be/state" 6
	done
	for n in $(echo "$1" | tr , ' '); do
		case_line "$n"
		case " $closing " in *" $n "*) await 30 6 gone ;; esac
		xenstore-rm "$fe" 2>/dev/null
		xenstore-rm "$be" 2>/dev/null
	done
	say "ok $1: unplugged"
}

# Entries of the guest's device/ area that describe no device: ids that
# are no numbers or too big, a backend that is no path, too long a path
# or in no domain, a device with no backend at all; and a device of a
# type no driver takes.
junk_dirs="device/lab-junk/1 device/vbd/x1 device/vbd/99999999999999999999
	device/vbd/790 device/vbd/791 device/vbd/792 device/vif/793"
junk() {
	dev=/local/domain/$domid
	w "$dev/device/lab-junk/1/backend" /local/domain/0/backend/lab-junk/1
	w "$dev/device/lab-junk/1/backend-id" 0
	w "$dev/device/vbd/x1/backend" /local/domain/0/backend/vbd/x1
	w "$dev/device/vbd/x1/backend-id" 0
	w "$dev/device/vbd/99999999999999999999/backend" /local/domain/0/backend/vbd/9
	w "$dev/device/vbd/99999999999999999999/backend-id" 0
	w "$dev/device/vbd/790/backend" relative/path
	w "$dev/device/vbd/790/backend-id" 0
	w "$dev/device/vbd/791/backend" /local/domain/0/backend/lab-vbd/nowhere
	w "$dev/device/vbd/791/backend-id" 4294967295
	w "$dev/device/vbd/792/state" 1
	# Longer than any xenstore path, within what xenstored stores.
	w "$dev/device/vif/793/backend" "$(head -c 2000 /dev/zero | tr '\0' a)"
	w "$dev/device/vif/793/backend-id" 0
	for d in $junk_dirs; do
		xenstore-chmod -r "$dev/$d" "n$domid" r0
	done
	say "ok junk written"
}

unjunk() {
	for d in $junk_dirs; do
		xenstore-rm "/local/domain/$domid/$d" 2>/dev/null
	done
	xenstore-rm "/local/domain/$domid/device/lab-junk" 2>/dev/null
	say "ok junk removed"
}

case $1 in
create) each create "$2" ;;
fe) each fe_of "$2" ;;
connect) each connect "$2" ;;
scenario) case_line "$2"; scenario ;;
unplug) unplug "$2" ;;
junk) junk ;;
unjunk) unjunk ;;
*) say "failed unknown $1" ;;
esac
