#!/usr/bin/python3
"""Writes the small CMYK JPEGs of testdata/images/cmyk/ (32x24, twelve 8x8 blocks of known colours).

Run once with Debian's python3-pil (Pillow), from the repository root:
    /usr/bin/python3 testdata/scripts/make_cmyk_jpeg.py testdata/images/cmyk
then make the YCCK variant from the first file with testdata/scripts/MakeYcckJpeg.java.
The build and the tests never run it; they read the files it wrote.

- cmyk-adobe.jpg: as Photoshop writes CMYK: an Adobe APP14 marker (transform 0) and inverted
  samples (255 - C, ...). Pillow writes it this way.
- cmyk-plain.jpg: no Adobe marker and plain samples (C, M, Y, K as they are), as a few non-Adobe
  encoders write CMYK.

Every block lies on the 8x8 DCT grid and is one colour, so JPEG's loss is a level or two.
"""
import io
import sys

from PIL import Image, ImageChops

# (C, M, Y, K) of the blocks, row by row, four per row; the tests expect
# R = (255 - C) * (255 - K) / 255 (G from M, B from Y) for each.
BLOCKS = [
    (0, 0, 0, 0), (255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0),
    (0, 0, 0, 255), (0, 255, 255, 0), (0, 0, 0, 128), (255, 255, 0, 0),
    (128, 0, 0, 0), (0, 0, 0, 64), (0, 128, 255, 0), (255, 0, 0, 128),
]


def blocks():
    im = Image.new("CMYK", (32, 24))
    for i, colour in enumerate(BLOCKS):
        left, top = (i % 4) * 8, (i // 4) * 8
        im.paste(colour, (left, top, left + 8, top + 8))
    return im


def without_adobe_marker(data):
    """The JPEG bytes without their APP14 'Adobe' segment (Pillow puts it right after SOI)."""
    assert data[2:4] == b"\xff\xee" and data[6:11] == b"Adobe", "no Adobe segment after SOI"
    length = int.from_bytes(data[4:6], "big")
    return data[:2] + data[4 + length:]


def main(folder):
    im = blocks()
    im.save(folder + "/cmyk-adobe.jpg", quality=95)
    # Pillow inverts CMYK samples when it writes them: write the inverted image to store plain ones
    out = io.BytesIO()
    ImageChops.invert(im).save(out, "JPEG", quality=95)
    with open(folder + "/cmyk-plain.jpg", "wb") as f:
        f.write(without_adobe_marker(out.getvalue()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "testdata/images/cmyk")
