#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Minimal chroots of Debian suites, for what the Debian 12 host cannot do
# itself: build against a newer suite's kernel headers with that suite's
# own compiler and kbuild tools (the host's gcc 12 rejects the flags of
# headers built with gcc 14 or newer), and install blanket's .deb where a
# user would, dkms and all, without touching the host's /lib/modules.
#
#   chroot.sh root SUITE          make (or reuse) build/chroot/SUITE and
#                                 print its path
#   chroot.sh run SUITE CMD...    CMD inside it, as root, /proc mounted
#   chroot.sh install SUITE PKG...
#                                 apt-get install those of PKG missing
#   chroot.sh kernel SUITE        the release of the kernel its
#                                 linux-headers-amd64 points at, e.g.
#                                 6.12.118+deb13-amd64
#
# A chroot is cached like the lab's images (scripts/cache.sh): rebuilt when
# its recipe, suite or package list changes, its package lists refreshed
# when a day old (and then upgraded, so that linux-headers-amd64 follows
# the suite's newest kernel). Mounts are made in a mount namespace of the
# command's own, so nothing stays mounted inside a chroot after it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=${BLANKET_CHROOT_DIR:-$top/build/chroot}
mirror=${BLANKET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${BLANKET_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

. "$top/scripts/cache.sh"

die() { echo "chroot.sh: $*" >&2; exit 1; }

cmd=${1:-}
suite=${2:-}
[ -n "$suite" ] || die "usage: chroot.sh root|run|install SUITE [ARGS...]"
shift 2
root=$base/$suite/root
aptopts=()

# What each suite's chroot is for. bookworm and trixie: the .deb install
# test, against the kernel a user of the release runs (linux-headers-amd64,
# with the release's updates and security fixes); trixie also builds
# against trixie-backports' headers; sid builds against experimental's,
# whose compiler only sid has, and runs sparse on 7.x headers.
case $suite in
bookworm | trixie)
	sources=("deb $mirror $suite main" "deb $mirror $suite-updates main"
		 "deb $security $suite-security main")
	pkgs=(dkms kmod linux-headers-amd64)
	;;&
trixie)
	sources+=("deb $mirror trixie-backports main")
	pkgs+=(make sparse)
	;;
sid)
	sources=("deb $mirror sid main")
	# The archive this machine reaches may serve a sid older than its
	# Release file's week of validity; its packages are still sid's.
	aptopts=('Acquire::Check-Valid-Until "false"')
	pkgs=(kmod make sparse)
	;;
bookworm)
	;;
*)
	die "no recipe for a $suite chroot"
	;;
esac

# inside CMD...: CMD in the chroot, in a private mount namespace, with a
# clean environment.
inside() {
	unshare --mount --propagation private -- /bin/sh -c '
		root=$1
		shift
		mount -t proc proc "$root/proc" || exit
		exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "$@"
}

make_chroot() {
	local include

	include=$(IFS=,; echo "${pkgs[*]}")
	rm -rf "$root" "$root.key"
	mkdir -p "$(dirname "$root")"
	echo "chroot.sh: mmdebstrap --variant=minbase $suite (a few minutes)" >&2
	mmdebstrap --variant=minbase --include="$include" \
		--aptopt='APT::Install-Recommends "false"' \
		"${aptopts[@]/#/--aptopt=}" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$suite" "$root" "${sources[@]}" >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; die "mmdebstrap $suite"; }
}

refresh() {
	[ -n "$(find "$root/var/lib/apt/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ] &&
		return 0
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	inside sh -c 'apt-get -q update && apt-get -q -y dist-upgrade &&
		apt-get -q -y autoremove --purge && apt-get clean' >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; die "apt-get upgrade in the $suite chroot"; }
}

ensure_root() {
	local key

	mkdir -p "$base"
	exec 9>"$base/.$suite.lock"
	flock -w 1800 9 || die "another chroot.sh holds $base/.$suite.lock"
	key=$(cache_key "$(declare -f make_chroot)" "$suite" "${sources[*]}" "${pkgs[*]}" \
		"${aptopts[*]}")
	if ! cache_fresh "$base/$suite" root "$key"; then
		make_chroot
		cache_mark "$base/$suite" root "$key"
	fi
	refresh
}

case $cmd in
root)
	ensure_root
	echo "$root"
	;;
run)
	[ -f "$root.key" ] || die "no $suite chroot: chroot.sh root $suite first"
	inside "$@"
	;;
install)
	ensure_root
	missing=()
	for p in "$@"; do
		inside dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && exit 0
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	inside sh -c 'apt-get -q -y install "$@" || { apt-get -q update &&
		apt-get -q -y install "$@"; }' sh "${missing[@]}" >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; die "apt-get install ${missing[*]} in the $suite chroot"; }
	inside apt-get clean
	;;
kernel)
	ensure_root
	inside dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		grep -o 'linux-headers-[^ ,]*-amd64' | head -n 1 | sed 's/^linux-headers-//'
	;;
*)
	die "unknown command $cmd"
	;;
esac
