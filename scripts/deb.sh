#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: build/deb/blanket-dkms_<version>_all.deb, with debhelper and
# dh-dkms, from a copy of the tree (so the work tree gets no build
# products). debian/changelog is written here, for the version Kbuild sets,
# so that the version stays in one place; its date is the last commit's,
# so that two builds of one commit are alike. Prints the .deb's path.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
ver=$(make -s -C "$top" --no-print-directory version)
stage=$out/blanket-$ver
files=(Kbuild Makefile dkms.conf.in include blanket_xenbus blanket_net blanket_blk
       debian dist)

rm -rf "$out"
mkdir -p "$stage"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -co --exclude-standard -z -- "${files[@]}" |
		xargs -0 cp --parents -t "$stage")
	when=$(git -C "$top" log -1 --format=%ct)
	what="built from $(git -C "$top" describe --always --dirty)"
else
	(cd "$top" && cp -r --parents "${files[@]}" "$stage")
	when=$(date +%s)
	what="built from a source tree"
fi

maint=$(sed -n 's/^Maintainer: //p' "$stage/debian/control")
cat >"$stage/debian/changelog" <<EOT
blanket ($ver) unstable; urgency=medium

  * blanket $ver, $what.

 -- $maint  $(date -R -u -d "@$when")
EOT

(cd "$stage" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; exit 1; }
echo "$out/blanket-dkms_${ver}_all.deb"
