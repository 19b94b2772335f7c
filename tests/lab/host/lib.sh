# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034  # sourced: the callers use these
#
# Shared by the lab's host scripts (sourced, not run): paths, logging, the
# package check, the build of blanket's modules, the retry of a run, the
# benchmarks' arithmetic, the config templates' filler and the
# cache keys.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
lab=$top/tests/lab
out=${BLANKET_LAB_DIR:-$top/build/lab}
mirror=${BLANKET_LAB_MIRROR:-http://deb.debian.org/debian}
security_mirror=${BLANKET_LAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Forwarded mode's L1 Xen; its symbols are beside it ("$l1_xen-syms").
l1_xen=${BLANKET_L1_XEN:-$top/build/xen/xen}

log() { echo "lab: $(date +%T) $*" >&2; }
die() { echo "lab: FAIL: $*" >&2; exit 1; }

# apt-get install what is missing. The lists are refreshed only when an
# install fails, so a machine whose lists are fresh does no update at all.
# apt waits for dpkg's lock: `make check` may be installing at the same time.
ensure_packages() {
	local p missing=()

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "run as root, or install: ${missing[*]}"
	log "installing ${missing[*]}"
	mkdir -p "$out"
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -q -o DPkg::Lock::Timeout=1800)
	if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" \
		>"$out/apt.log" 2>&1; then
		{ "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends \
			"${missing[@]}"; } >>"$out/apt.log" 2>&1 ||
			{ tail -n 20 "$out/apt.log" >&2; die "apt-get install ${missing[*]}"; }
	fi
}

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

# l1_xen_line: the L1 Xen's line, e.g. 4.20: what its xen_major_version()
# and xen_minor_version() return (each a "mov $N,%eax"), read from its
# symbols. Before xen/build.sh has built the default L1 Xen: 4.17, its line.
l1_xen_line() {
	local syms=$l1_xen-syms f a v=

	if [ -z "${BLANKET_L1_XEN:-}" ] && [ ! -e "$syms" ]; then
		echo 4.17
		return
	fi
	[ -r "$syms" ] || die "no $syms: the L1 Xen's symbols must be beside it"
	for f in xen_major_version xen_minor_version; do
		a=$(nm "$syms" | awk -v f="$f" '$3 == f { print $1 }')
		[ -n "$a" ] || die "no $f in $syms"
		a=$(objdump -d --no-show-raw-insn --start-address="0x$a" \
			--stop-address="$(printf '0x%x' $((0x$a + 16)))" "$syms" |
			sed -n 's/.*mov  *\$\(0x[0-9a-f]*\),%eax.*/\1/p' | head -n 1)
		[ -n "$a" ] || die "cannot read what $f returns in $syms"
		v=$v${v:+.}$((a))
	done
	echo "$v"
}

# The 6.1 kernel release that linux-image-amd64 points at, e.g. 6.1.0-56-amd64.
kernel_release() {
	dpkg-query -W -f='${Depends}' linux-image-amd64 |
		sed -n 's/.*linux-image-\(6\.1\.[^ ,]*-amd64\).*/\1/p'
}

# The L1 guest's kernel, BLANKET_LAB_L1_KERNEL: "bookworm" (the default),
# the host's Debian 12 kernel that Dom0 runs too; or "trixie", Debian 13's
# kernel as the trixie chroot has it installed with its headers
# (tests/chroot.sh, where the build matrix builds too). The L1 guest's
# images of each are cached apart: l1/ and l2/, or l1-trixie/ and
# l2-trixie/ (images.sh).
l1_kernel=${BLANKET_LAB_L1_KERNEL:-bookworm}
case $l1_kernel in
bookworm) l1_images=l1 l2_images=l2 ;;
trixie) l1_images=l1-trixie l2_images=l2-trixie ;;
*) die "BLANKET_LAB_L1_KERNEL is bookworm or trixie, not '$l1_kernel'" ;;
esac

# l1_kernel_find: sets l1_root, where the L1 guest's kernel is installed
# (its /boot and /lib/modules; empty: the host), and l1_kver, its release.
l1_kernel_find() {
	case $l1_kernel in
	bookworm)
		ensure_packages linux-image-amd64
		l1_root='' l1_kver=$(kernel_release)
		;;
	trixie)
		l1_root=$("$top/tests/chroot.sh" root trixie) || die "the trixie chroot"
		l1_kver=$("$top/tests/chroot.sh" kernel trixie) || die "no kernel in the trixie chroot"
		# Its headers depend on the image of their own version; say so
		# if that ever stops holding.
		[ "$(l1_pkg_version "linux-image-$l1_kver")" = \
		  "$(l1_pkg_version "linux-headers-$l1_kver")" ] ||
			die "linux-image-$l1_kver and linux-headers-$l1_kver differ in the trixie chroot"
		;;
	esac
	[ -n "$l1_kver" ] && [ -r "$l1_root/boot/vmlinuz-$l1_kver" ] &&
		[ -d "$l1_root/lib/modules/$l1_kver/kernel" ] ||
		die "no installed $l1_kernel kernel for the L1 guest (got '$l1_kver')"
}

# l1_pkg_version PKG: PKG's version where the L1 guest's kernel is installed.
l1_pkg_version() { dpkg-query --admindir="$l1_root/var/lib/dpkg" -W -f='${Version}' "$1"; }

# mods_for ROOT KVER MODULE...: the module files of release KVER installed
# under ROOT (empty: the host) that MODULEs need, in load order.
mods_for() {
	local root=${1:-/} kver=$2 m

	shift 2
	for m in "$@"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

# put_mods DIR ROOT KVER MODULE...: mods_for's files into DIR, and their
# names in load order on stdout. A .ko.xz (Debian 13's) is unpacked: the
# initramfs is compressed as a whole, and busybox's insmod in the guests
# then needs no decompressor.
put_mods() {
	local dir=$1 m name

	shift
	for m in $(mods_for "$@"); do
		name=${m##*/}
		case $name in
		*.ko.xz) name=${name%.xz}; xz -dc "$m" >"$dir/$name" ;;
		*) cp "$m" "$dir/" ;;
		esac
		echo "$name"
	done
}

# build_modules DIR [REV]: blanket's modules from REV (the work tree if
# none) built in DIR against the headers of the kernel the L1 guest boots
# (for trixie's, inside the trixie chroot, with its compiler), and
# stripped: the guest reads its initramfs through the HVM firmware, at
# minutes per MB.
build_modules() {
	local src=$1 rev=${2:-} kdir at run=()
	local srcs=(Kbuild Makefile include blanket_xenbus blanket_net blanket_blk)

	[ "$l1_kernel" != bookworm ] || ensure_packages linux-headers-amd64
	l1_kernel_find
	kdir=/usr/src/linux-headers-$l1_kver
	[ -d "$l1_root$kdir" ] || die "no $l1_root$kdir: the L1 guest's kernel has no headers"
	# Where the build runs, and the sources' path seen from there.
	at=$src
	if [ -n "$l1_root" ]; then
		at=/build/lab$src
		run=("$top/tests/chroot.sh" run "$l1_kernel")
	fi
	rm -rf "$src" "$l1_root$at"
	mkdir -p "$src" "$l1_root$at"
	if [ -n "$rev" ]; then
		git -C "$top" archive "$rev" "${srcs[@]}" | tar -x -C "$l1_root$at"
	else
		(cd "$top" && git ls-files -co --exclude-standard -z -- "${srcs[@]}" |
			xargs -0 cp --parents -t "$l1_root$at")
	fi
	"${run[@]}" make -s -C "$kdir" M="$at" modules >"$src.log" 2>&1 ||
		{ tail -n 20 "$src.log" >&2; die "building blanket's modules from ${rev:-the work tree}"; }
	[ -z "$l1_root" ] || cp "$l1_root$at"/blanket_*.ko "$src/"
	strip --strip-debug "$src"/blanket_*.ko
}

# lab_attempts LOG COMMAND...: one lab run (run.sh or a script that ends
# in it), logged to LOG. A run that died of a known emulator fault (fault.py
# printed retry=yes) gets exactly one more go, and says so; the first log is
# kept as LOG.1. Any other failure stands. Not for bench.sh, which boots
# again by itself for the cycles a fault cut short.
lab_attempts() {
	local log=$1

	shift
	BLANKET_LAB_ATTEMPT=1 "$@" >"$log" 2>&1 && return 0
	grep -qx 'retry=yes' "$log" || return 1
	echo "note: ${log##*/}: $(sed -n 's/^fault=//p' "$log" | head -n 1)" \
		"($(sed -n 's/^why=//p' "$log" | head -n 1)): running it once more"
	mv "$log" "$log.1"
	BLANKET_LAB_ATTEMPT=2 "$@" >"$log" 2>&1
}

# --- the benchmarks' arithmetic (bench-report.sh, compare-report.sh) ----------
# ratio A B: the throughput of A over B's, from their times for the same
# bytes: B / A.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", b / a; else print "n/a" }'
}
# over A B: A over B, rates (higher is better for A).
over() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'
}
# per N MIB [DECIMALS]: N per MiB.
per() {
	awk -v n="$1" -v m="$2" -v d="${3:-0}" \
		'BEGIN { if (m > 0 && n != "") printf "%.*f", d, n / m; else print "n/a" }'
}
# lab_blk_bench's jobs (guest/lib.sh), and the field that rates JOB:
# IOPS for random jobs, KiB/s for sequential ones.
blk_jobs="randread_qd1 randread_qd32 randwrite_qd1 randwrite_qd32 seqread_qd1 seqread_qd32
	seqwrite_qd1 seqwrite_qd32"
blk_field() { case $1 in rand*) echo iops ;; *) echo kib_s ;; esac; }

# quartile Q TIMES: the lower (1) or upper (3) quartile of comma-separated
# times, or their median (2).
quartile() {
	tr ',' '\n' <<<"$2" | sort -n |
		awk -v q="$1" '{ t[NR] = $1 } END { if (NR) print t[int((NR - 1) * q / 4) + 1] }'
}

# fill TEMPLATE TAG [NAME=VALUE...]: TEMPLATE (host/*.in) with each @NAME@
# replaced by its VALUE; a line marked "[TAG] " is kept without the mark, a
# line marked for another tag is dropped, and so are comments.
fill() {
	local line kv tag=$2 tpl=$1

	shift 2
	while IFS= read -r line; do
		case $line in
		"#"*) continue ;;
		"[$tag] "*) line=${line#"[$tag] "} ;;
		"["*"] "*) continue ;;
		esac
		for kv; do line=${line//"@${kv%%=*}@"/"${kv#*=}"}; done
		printf '%s\n' "$line"
	done <"$tpl"
}

# The lab's artifacts are cached under $out (scripts/cache.sh).
. "$top/scripts/cache.sh"
key_of() { cache_key "$@"; }
is_cached() { cache_fresh "$out" "$@"; }
set_cached() { cache_mark "$out" "$@"; }
