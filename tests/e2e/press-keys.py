#!/usr/bin/env python3
"""Presses a key combination on the X server as a keyboard would (the XTEST extension, which
Xvfb has; libX11 and libXtst via ctypes, no extra package), so a global shortcut's grab sees
it. Usage: press-keys.py Control_L+Alt_L+d  (X keysym names; exit 1 when one is unknown)."""
import ctypes
import ctypes.util
import sys

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
xtst = ctypes.cdll.LoadLibrary(ctypes.util.find_library("Xtst") or "libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XStringToKeysym.restype = ctypes.c_ulong
x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
x11.XKeysymToKeycode.restype = ctypes.c_ubyte
x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]


def main():
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("press-keys: cannot open the display")
    codes = []
    for name in sys.argv[1].split("+"):
        code = x11.XKeysymToKeycode(display, x11.XStringToKeysym(name.encode()))
        if not code:
            print(f"press-keys: no key for {name!r}", file=sys.stderr)
            sys.exit(1)
        codes.append(code)
    for code in codes:
        xtst.XTestFakeKeyEvent(display, code, True, 0)
    for code in reversed(codes):
        xtst.XTestFakeKeyEvent(display, code, False, 0)
    x11.XSync(display, False)


if __name__ == "__main__":
    main()
