"""Draw the app's two icons with the standard library alone; run once, commit the PNGs.

    .venv/bin/python manifest/make_icons.py

- color.png, 192×192: a white speech bubble with three dots on the accent colour (the
  manifest's accentColor), full bleed, as Teams asks for the colour icon.
- outline.png, 32×32: the same bubble as a white outline on transparent; every pixel is white,
  only its alpha varies (Teams: white and transparent only).

Shapes are sampled 8×8 per pixel for smooth edges. Not part of the build: build.py only copies
the committed PNGs into the package.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x6E, 0x5A)
WHITE = (255, 255, 255)
SAMPLES = 8

Shape = Callable[[float, float], bool]
"""A shape in unit coordinates (0..1 both ways, y down): is this point inside?"""


def png(width: int, height: int, rgba: list[tuple[int, int, int, int]]) -> bytes:
    """An 8-bit RGBA PNG, no filtering."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw.extend(rgba[y * width + x])
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def coverage(size: int, shape: Shape) -> list[float]:
    """The share of each pixel inside the shape."""
    step = 1 / (size * SAMPLES)
    result = []
    for py in range(size):
        for px in range(size):
            hits = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    y = (py * SAMPLES + sy + 0.5) * step
                    hits += shape(x, y)
            result.append(hits / (SAMPLES * SAMPLES))
    return result


def rounded_rect(left: float, top: float, right: float, bottom: float, radius: float) -> Shape:
    def inside(x: float, y: float) -> bool:
        if not (left <= x <= right and top <= y <= bottom):
            return False
        cx = min(max(x, left + radius), right - radius)
        cy = min(max(y, top + radius), bottom - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2

    return inside


def triangle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> Shape:
    def side(p: tuple[float, float], q: tuple[float, float], x: float, y: float) -> float:
        return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])

    def inside(x: float, y: float) -> bool:
        s1, s2, s3 = side(a, b, x, y), side(b, c, x, y), side(c, a, x, y)
        return (s1 >= 0 and s2 >= 0 and s3 >= 0) or (s1 <= 0 and s2 <= 0 and s3 <= 0)

    return inside


def disc(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def union(*shapes: Shape) -> Shape:
    return lambda x, y: any(s(x, y) for s in shapes)


def minus(shape: Shape, *holes: Shape) -> Shape:
    return lambda x, y: shape(x, y) and not any(h(x, y) for h in holes)


def bubble(left: float, top: float, right: float, bottom: float) -> Shape:
    """A speech bubble: a rounded box with a tail at the lower left."""
    height = bottom - top
    box = rounded_rect(left, top, right, bottom, height * 0.28)
    width = right - left
    tail = triangle(
        (left + width * 0.16, bottom - height * 0.05),
        (left + width * 0.40, bottom - height * 0.05),
        (left + width * 0.10, bottom + height * 0.30),
    )
    return union(box, tail)


def color_icon() -> bytes:
    size = 192
    # The symbol stays inside the middle of the icon, leaving the accent colour around it.
    left, top, right, bottom = 0.22, 0.27, 0.78, 0.63
    cy, r = (top + bottom) / 2, 0.042
    dots = [disc(x, cy, r) for x in (0.36, 0.50, 0.64)]
    symbol = minus(bubble(left, top, right, bottom), *dots)
    share = coverage(size, symbol)
    pixels = []
    for s in share:
        rgb = tuple(round(a * (1 - s) + w * s) for a, w in zip(ACCENT, WHITE))
        pixels.append((*rgb, 255))
    return png(size, size, pixels)


def outline_icon() -> bytes:
    size = 32
    outer = (0.08, 0.14, 0.92, 0.70)
    stroke = 0.09
    inner = (outer[0] + stroke, outer[1] + stroke, outer[2] - stroke, outer[3] - stroke)
    ring = minus(
        bubble(*outer),
        rounded_rect(*inner, (inner[3] - inner[1]) * 0.22),
    )
    cy = (outer[1] + outer[3]) / 2
    dots = [disc(x, cy, 0.055) for x in (0.33, 0.50, 0.67)]
    share = coverage(size, union(ring, *dots))
    return png(size, size, [(*WHITE, round(255 * s)) for s in share])


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())
    print(f"Wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
