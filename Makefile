# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the blanket modules. `make` builds against KDIR;
# `make check` runs the whole test suite (see README.md).

VERSION := 0.1

# KDIR is worked out only when a target needs it, so that `make check` can
# run on a machine that has no kernel headers yet (it installs them).
kdir_running = /lib/modules/$(shell uname -r)/build
kdir_newest = $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
KDIR ?= $(if $(wildcard $(kdir_running)/Makefile),$(kdir_running),$(if $(kdir_newest),$(info blanket: no headers for the running kernel $(shell uname -r); building against $(kdir_newest) (set KDIR to choose))$(kdir_newest),$(error no kernel headers for $(shell uname -r): install linux-headers-amd64 or set KDIR=<kernel build dir>)))

PWD := $(shell pwd)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(shell $(MAKE) -s -C $(KDIR) kernelrelease)

# Not kbuild's M= clean: that deletes every object below this directory,
# the cached test kernel in build/ included.
CLEAN_DIRS := . blanket_xenbus blanket_net blanket_blk tests/kunit
clean:
	rm -f $(foreach d,$(CLEAN_DIRS),$(addprefix $(d)/,*.o .*.cmd *.ko *.mod *.mod.c)) \
		modules.order Module.symvers

# dkms builds from a copy of the tree in /usr/src/blanket-$(VERSION).
DKMS_SRC := /usr/src/blanket-$(VERSION)
DKMS_FILES := Kbuild Makefile dkms.conf include blanket_xenbus blanket_net blanket_blk

dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r $(DKMS_FILES) $(DKMS_SRC)/
	dkms add -m blanket -v $(VERSION)
	dkms build -m blanket -v $(VERSION)
	dkms install -m blanket -v $(VERSION)

dkms-remove:
	dkms remove -m blanket -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

check:
	tests/run.sh

.PHONY: all modules install clean dkms-install dkms-remove check
