#!/usr/bin/env python3
"""Saves an X11 window's pixels as a PNG, as the X server has them: window-shot.py TITLE OUT.png
(exit 1 when no window has that title). The end-to-end tests' screenshots come from here, not
from WebDriver: WebKitWebDriver's screenshot never returns while WebKit's DMA-BUF renderer is
off, and Clickdial turns it off (src-tauri/lib.rs, `lighter_webkit`). Uses ImageMagick's
`import` (installed with the test packages) on the window found by wm-close.py's `find`."""
import importlib.util
import os
import subprocess
import sys
import time

spec = importlib.util.spec_from_file_location(
    "wm_close", os.path.join(os.path.dirname(os.path.abspath(__file__)), "wm-close.py"))
wm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wm)

title, out = sys.argv[1], sys.argv[2]
display = wm.x11.XOpenDisplay(None)
if not display:
    sys.exit("no X display")
# A window can go between being found and being read (GTK replaces short-lived windows of the
# same title): `import` then fails with BadWindow, and the window is looked up again.
for attempt in range(3):
    found = wm.find(display, title)
    if not found:
        sys.exit(f"no window named {title!r}")
    shot = subprocess.run(["import", "-window", hex(found[0]), out], stderr=subprocess.PIPE)
    if shot.returncode == 0:
        sys.exit(0)
    time.sleep(0.3)
sys.stderr.write(shot.stderr.decode(errors="replace"))
sys.exit(shot.returncode)
