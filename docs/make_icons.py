"""Draw the app icons (PNG and favicon.ico) from tracker/static/icons/icon.svg.

Run after changing the SVG: `python docs/make_icons.py` (needs Playwright and a Chromium:
the system one is found on the PATH).
"""

import shutil
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "tracker" / "static" / "icons"
SIZES = {32: None, 180: "apple-touch-icon.png", 192: "icon-192.png", 512: "icon-512.png"}


def draw(svg: str) -> dict[int, bytes]:
    """The SVG as a PNG at each size, with a transparent background."""
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f'<body style="margin:0;background:transparent">{sized}</body>')
            out[size] = page.screenshot(omit_background=True,
                                        clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
        browser.close()
    return out


def main() -> None:
    pngs = draw((ICONS / "icon.svg").read_text())
    for size, name in SIZES.items():
        if name:
            (ICONS / name).write_bytes(pngs[size])
    # A one-image .ico holding the 32 px PNG (every current browser reads PNG inside ICO).
    png = pngs[32]
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 6 + 16)
    (ICONS / "favicon.ico").write_bytes(header + entry + png)


if __name__ == "__main__":
    main()
