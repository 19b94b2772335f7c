#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hvm-param.py DOMID callback-irq [VALUE]: read, or set, a guest's
HVM_PARAM_CALLBACK_IRQ through libxenctrl, which xl has no command for.
libxl takes an HVM guest whose callback is 0 for one without PV drivers:
it then saves it without asking it (ctl.sh l0-save-unasked)."""

import ctypes
import sys

HVM_PARAM_CALLBACK_IRQ = 0


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[2] != "callback-irq":
        sys.exit(__doc__.split("\n")[0])
    domid = int(sys.argv[1])
    xc = ctypes.CDLL("libxenctrl.so.4.17", use_errno=True)
    xc.xc_interface_open.restype = ctypes.c_void_p
    xc.xc_interface_open.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_uint]
    xc.xc_hvm_param_get.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                    ctypes.POINTER(ctypes.c_uint64)]
    xc.xc_hvm_param_set.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                    ctypes.c_uint64]
    xch = xc.xc_interface_open(None, None, 0)
    if not xch:
        sys.exit("xc_interface_open failed")
    if len(sys.argv) == 4 and xc.xc_hvm_param_set(
            xch, domid, HVM_PARAM_CALLBACK_IRQ, int(sys.argv[3], 0)):
        sys.exit(f"xc_hvm_param_set: errno {ctypes.get_errno()}")
    value = ctypes.c_uint64()
    if xc.xc_hvm_param_get(xch, domid, HVM_PARAM_CALLBACK_IRQ, ctypes.byref(value)):
        sys.exit(f"xc_hvm_param_get: errno {ctypes.get_errno()}")
    print(f"callback-irq={value.value:#x}")


if __name__ == "__main__":
    main()
