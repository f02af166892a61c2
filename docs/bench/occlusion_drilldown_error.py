#!/usr/bin/env python3
"""How far Krypton's adaptive drill-down could go on a layer-occlusion map (issue 22): the map at a stride
twice as coarse (every other window of each axis) is exact, and the windows between are interpolated
bilinearly from it, as a drill-down does before it refines. Prints the largest error against the exact map,
relative to the map's largest magnitude (the `approxError` of `dnnvis bench`), and the share of the
interpolated windows whose error is above 1 %. Input: maps saved by
`dnnvis occlusion MODEL --image IMG --layer L --window 15 --stride 8 --save-npy MAP.npy` ([C, Hs, Ws]).
Usage: python3 docs/bench/occlusion_drilldown_error.py MAP.npy [MAP.npy ...]. Needs numpy; not used by the
build or the tests."""
import sys

import numpy as np


def interpolated(exact):
    """The map from its even rows and columns: bilinear between them, the last odd row/column from its
    neighbour."""
    c, h, w = exact.shape
    coarse = exact[:, ::2, ::2]
    ch, cw = coarse.shape[1:]
    out = np.empty_like(exact, dtype=np.float64)
    for y in range(h):
        y0 = min(y // 2, ch - 1)
        y1 = min(y0 + 1, ch - 1)
        fy = (y - 2 * y0) / 2 if y1 > y0 else 0.0
        for x in range(w):
            x0 = min(x // 2, cw - 1)
            x1 = min(x0 + 1, cw - 1)
            fx = (x - 2 * x0) / 2 if x1 > x0 else 0.0
            out[:, y, x] = ((1 - fy) * (1 - fx) * coarse[:, y0, x0] + (1 - fy) * fx * coarse[:, y0, x1]
                            + fy * (1 - fx) * coarse[:, y1, x0] + fy * fx * coarse[:, y1, x1])
    return out


for path in sys.argv[1:]:
    exact = np.load(path).astype(np.float64)
    scale = np.abs(exact).max()
    error = np.abs(interpolated(exact) - exact) / scale
    between = np.ones(exact.shape[1:], bool)
    between[::2, ::2] = False
    per_window = error.max(axis=0)[between]
    print(f"{path}: max error {error.max():.3f}, interpolated windows above 1 %: {(per_window > 0.01).mean():.0%}")
