#!/usr/bin/env python3
"""Asks an X11 window to close the way a window manager's close button does: a WM_PROTOCOLS /
WM_DELETE_WINDOW client message. Xvfb has no window manager and WebDriver's "close window"
destroys the webview instead, so the end-to-end test sends this itself (libX11 via ctypes, no
extra package). Usage: wm-close.py TITLE  (exit 1 when no window has that title).
window-shot.py uses its `find`."""
import ctypes
import ctypes.util
import sys

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", Window),
        ("message_type", Atom),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                           ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
x11.XFlush.argtypes = [ctypes.c_void_p]

# A window can be destroyed while the tree is walked (GTK's short-lived windows). Xlib's default
# handler would end this process on its BadWindow; ignored, the window is skipped (XQueryTree
# and XFetchName return 0 for it).
XErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_x_errors = XErrorHandler(lambda display, event: 0)
x11.XSetErrorHandler.argtypes = [XErrorHandler]
x11.XSetErrorHandler(_ignore_x_errors)


def windows(display, window):
    root, parent = Window(), Window()
    children = ctypes.POINTER(Window)()
    count = ctypes.c_uint()
    if x11.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent),
                      ctypes.byref(children), ctypes.byref(count)):
        for i in range(count.value):
            yield children[i]
            yield from windows(display, children[i])


def find(display, title):
    """The X windows whose name is `title`."""
    found = []
    for w in list(windows(display, x11.XDefaultRootWindow(display))):
        name = ctypes.c_char_p()
        if x11.XFetchName(display, w, ctypes.byref(name)) and name.value == title.encode():
            found.append(w)
    return found


def main(title):
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("no X display")
    sent = 0
    for w in find(display, title):
        event = XEvent()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = w
        event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        event.xclient.data[1] = 0  # CurrentTime
        x11.XSendEvent(display, w, 0, 0, ctypes.byref(event))
        sent += 1
    x11.XFlush(display)
    sys.exit(0 if sent else 1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Clickdial")
