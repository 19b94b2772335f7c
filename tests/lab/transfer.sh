#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# transfer.sh PEER TAG: in the L1 guest, TCP both ways through whatever
# interface reaches PEER (Dom0's bridge, where dom0.sh serves /down.bin,
# its digest, and a CGI returning the digest of a POSTed body). Prints
#   TAG_rx bytes=N centiseconds=T digest_match=yes|no
#   TAG_tx bytes=N centiseconds=T digest_match=yes|no
#   TAG_pps echoes=N centiseconds=T     (ping -A: one echo in flight)
# and exits non-zero unless both digests match and echoes come back. Used by the baseline run
# and by blanket-check.sh alike, so that their numbers compare.
peer=$1 tag=$2 url=http://$1:8080 rc=0

now() { tr -d . </proc/uptime | cut -d' ' -f1; }

t0=$(now)
wget -q -O /tmp/down.bin "$url/down.bin" && want=$(wget -q -O - "$url/down.sha256")
t1=$(now)
got=$(sha256sum /tmp/down.bin 2>/dev/null | cut -d' ' -f1)
bytes=$(wc -c </tmp/down.bin 2>/dev/null)
ok=no
[ -n "$got" ] && [ "$got" = "$want" ] && ok=yes
echo "${tag}_rx bytes=${bytes:-0} centiseconds=$((t1 - t0)) digest_match=$ok"
[ $ok = yes ] || rc=1

t0=$(now)
back=$(wget -q -O - --post-file=/tmp/down.bin "$url/cgi-bin/sink")
t1=$(now)
ok=no
[ -n "$got" ] && [ "$back" = "$got" ] && ok=yes
echo "${tag}_tx bytes=${bytes:-0} centiseconds=$((t1 - t0)) digest_match=$ok"
[ $ok = yes ] || rc=1

# Small packets, one in flight at a time: a request/response packet rate.
t0=$(now)
got=$(ping -A -q -c 200 -W 5 "$peer" 2>/dev/null | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
t1=$(now)
echo "${tag}_pps echoes=${got:-0} centiseconds=$((t1 - t0))"
[ "${got:-0}" -gt 0 ] || rc=1
exit $rc
