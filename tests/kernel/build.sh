#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) a KUnit test kernel, tinyconfig plus
# tests/kernel/blanket.config, from Debian's linux-source-6.1 (the host's
# package), or with "newest" from the newest linux-source that Debian 13's
# backports carry (fetched by headers.sh). The tree is cached under
# build/kernel/<key>/, keyed by the fragment and the source tarball, and is
# built in place (no O=) so that every path ccache sees is relative and a
# fresh clone elsewhere still hits the cache.
#
# Prints the kernel tree's path on the last line of stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
frag=$top/tests/kernel/blanket.config
tarball=${BLANKET_KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
if [ "${1:-}" = newest ]; then
	tarball=$("$top/tests/kernel/headers.sh" source trixie-backports \
		"$top/build/headers/source-trixie-backports" | tail -n 1)
fi

[ -r "$tarball" ] || { echo "build.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

key=$( (cat "$frag"; stat -c '%s %Y' "$tarball") | sha256sum | cut -c1-16)
dir=$top/build/kernel/$key
src=$dir/linux

log() { echo "kernel: $*" >&2; }

if [ ! -f "$dir/.extracted" ]; then
	log "extracting $(basename "$tarball") into build/kernel/$key"
	rm -rf "$dir"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$dir/.extracted"
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/blanket-ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=blanket KBUILD_BUILD_HOST=blanket
mk=(make -C "$src" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc")

if [ ! -f "$src/.config" ] || [ "$frag" -nt "$src/.config" ]; then
	"${mk[@]}" -s tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$frag" >&2
	"${mk[@]}" -s olddefconfig
	# A fragment line that Kconfig dropped is a silent config bug: refuse.
	lost=0
	while read -r line; do
		case $line in
		'# CONFIG_'*' is not set')
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$src/.config" && { log "not unset: $line"; lost=1; } ;;
		CONFIG_*)
			grep -qxF "$line" "$src/.config" || { log "dropped: $line"; lost=1; } ;;
		esac
	done < "$frag"
	[ $lost = 0 ] || { rm -f "$src/.config"; exit 1; }
fi

if [ ! -f "$dir/.built" ] || [ "$src/.config" -nt "$dir/.built" ]; then
	log "building (ccache: $CCACHE_DIR)"
	start=$(date +%s)
	"${mk[@]}" -s bzImage modules_prepare >"$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; exit 1; }
	# Modules.symvers comes from the vmlinux link; modpost needs it.
	"${mk[@]}" -s modules >>"$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; exit 1; }
	touch "$dir/.built"
	log "built in $(( $(date +%s) - start )) s"
fi
echo "$src"
