# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the blanket modules. `make` builds against KDIR;
# `make check` runs the whole test suite (see README.md).

# The version is set in one place, Kbuild's BLANKET_VERSION: dkms.conf,
# the modules' MODULE_VERSION and the .deb take it from there.
VERSION := $(shell sed -n 's/^BLANKET_VERSION := //p' $(CURDIR)/Kbuild)

# KDIR is worked out only when a target needs it, so that `make check` can
# run on a machine that has no kernel headers yet (it installs them).
kdir_running = /lib/modules/$(shell uname -r)/build
kdir_newest = $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
KDIR ?= $(if $(wildcard $(kdir_running)/Makefile),$(kdir_running),$(if $(kdir_newest),$(info blanket: no headers for the running kernel $(shell uname -r); building against $(kdir_newest) (set KDIR to choose))$(kdir_newest),$(error no kernel headers for $(shell uname -r): install linux-headers-amd64 or set KDIR=<kernel build dir>)))

PWD := $(shell pwd)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# The release of the kernel in KDIR, which need not be the running one.
KVER = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

# The modules into lib/modules/<release>/ (kbuild's directory for external
# modules there) and the udev rule for stable disk names into
# lib/udev/rules.d/, both below $(DESTDIR)$(INSTALL_MOD_PATH), / if unset.
# depmod runs on the installed tree, except below a DESTDIR: a package's
# staging tree gets no modules.dep, the package's installation runs depmod.
ROOT = $(DESTDIR)$(INSTALL_MOD_PATH)

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) $(if $(ROOT),INSTALL_MOD_PATH=$(ROOT)) modules_install
	install -D -m 0644 dist/60-blanket.rules $(ROOT)/lib/udev/rules.d/60-blanket.rules
	$(if $(DESTDIR),,depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER))

# Not kbuild's M= clean: that deletes every object below this directory,
# the cached test kernel in build/ included.
CLEAN_DIRS := . blanket_xenbus blanket_net blanket_blk tests/kunit tests/harness
clean:
	rm -f $(foreach d,$(CLEAN_DIRS),$(addprefix $(d)/,*.o .*.cmd *.ko *.mod *.mod.c)) \
		modules.order Module.symvers

# dkms builds from a copy of the tree in /usr/src/blanket-$(VERSION): the
# sources without build products, and dkms.conf stamped with the version.
DKMS_SRC := /usr/src/blanket-$(VERSION)
DKMS_FILES := Kbuild Makefile include blanket_xenbus blanket_net blanket_blk

version:
	@echo $(VERSION)

dkms-tree:
	test -n "$(DEST)" || { echo "usage: make dkms-tree DEST=<dir>"; exit 1; }
	rm -rf $(DEST)
	mkdir -p $(DEST)
	cp -r $(DKMS_FILES) $(DEST)/
	$(MAKE) -C $(DEST) clean
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in >$(DEST)/dkms.conf

dkms-install:
	$(MAKE) dkms-tree DEST=$(DKMS_SRC)
	dkms add -m blanket -v $(VERSION)
	dkms build -m blanket -v $(VERSION) -k $(KVER)
	dkms install -m blanket -v $(VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m blanket -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# blanket-dkms_$(VERSION)_all.deb, in build/deb/ (scripts/deb.sh).
deb:
	scripts/deb.sh

check:
	tests/run.sh

# The same without the end-to-end runs in the nested lab: a quick inner loop.
check-quick:
	tests/run.sh quick

# The main job: the nested lab, a real Xen L0 in QEMU (tests/lab/).
lab:
	tests/lab/main.sh

# The L1 Xen patch: applies to Debian's Xen source, builds warning-free.
xen-check:
	xen/build.sh

# The newest lab result file's table: each run's verdict, fault and
# checks, and the benchmark figures (tests/lab/README.md).
lab-results:
	tests/lab/results.py

# Forwarded mode alone: the patched L1 Xen in an L0 HVM guest, blanket in
# its Dom0, an L2 guest on top (`make lab` runs it too).
lab-forwarded: xen-check
	tests/lab/blanket-direct.sh forwarded

# What `make lab` leaves out for its cost (tests/lab/full.sh): forwarded
# mode against L0's emulated NIC and disk, and an L2 guest's benchmark.
lab-full: xen-check
	tests/lab/full.sh

# Proves that `make check` fails on each class of fault it claims to catch.
check-harness:
	tests/run.sh harness

.PHONY: all modules install clean version dkms-tree deb dkms-install dkms-remove check check-quick \
	check-harness lab lab-results xen-check lab-forwarded lab-full
