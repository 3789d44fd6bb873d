# Writes scale_swizzle_vectors.txt: python3 scale_vectors.py > scale_swizzle_vectors.txt
# Derives offsets from CUTLASS's definition of the block-scale layout (not from Deepwell's
# formula): Sm1xxBlockScaledBasicChunk::SfKMajorAtom = Layout<Shape<Shape<_32,_4>, Shape<SF,_4>>,
# Stride<Stride<_16,_4>, Stride<_0,_1>>> repeated by tile_to_shape(atom, (M, K, L), Step<_2,_1,_3>):
# K tiles innermost, then M tiles. cute layouts are colexicographic (first sub-mode fastest).
import random
def atom(m, k, sf):           # m in [0,128), k in [0, 4*sf)
    m0, m1 = m % 32, m // 32
    k0, k1 = k % sf, k // sf
    return m0 * 16 + m1 * 4 + k0 * 0 + k1 * 1
def cute_offset(m, k, M, K, sf):
    n_k = -(-K // (4 * sf))    # tiles along K (ceil)
    return atom(m % 128, k % (4 * sf), sf) + (k // (4 * sf)) * 512 + (m // 128) * 512 * n_k
rnd = random.Random(20261125)
shapes = [(1, 1), (1, 7), (31, 2), (32, 4), (127, 3), (128, 4), (129, 5), (200, 8), (256, 63), (300, 33), (1000, 32), (4097, 257)]
print("# Byte offsets of the 128x4 tiled block-scale layout (gemm.h DW_GEMM_SCALES_SWIZZLED_128X4), derived")
print("# from CUTLASS's SfKMajorAtom tiled by tile_to_shape(..., Step<_2,_1,_3>) by tests/gemm/scale_vectors.py.")
print("# Checked against dev.deepwell.quant.ScaleLayout (GemmScaleLayoutContractTest) and against the native")
print("# formula and CUTLASS itself (tests/gemm/scale_layout_check.cpp).")
print("# size ROWS COLS BYTES            total bytes, padding included")
print("# at ROWS COLS R C OFFSET         entry (R, C) of a [ROWS, COLS] scale matrix")
for rows, cols in shapes:
    K = cols * 32              # any K with ceil(K/32) == cols gives the same layout; the SF=32 view
    print(f"size {rows} {cols} {-(-rows // 128) * 128 * (-(-cols // 4) * 4)}")
    pts = {(0, 0), (rows - 1, cols - 1), (rows - 1, 0), (0, cols - 1)}
    for r in (31, 32, 33, 63, 64, 95, 96, 127, 128, 129, 255, 256):
        for c in (0, 1, 3, 4, 5, cols - 1):
            if r < rows and 0 <= c < cols: pts.add((r, c))
    while len(pts) < min(rows * cols, 40):
        pts.add((rnd.randrange(rows), rnd.randrange(cols)))
    for r, c in sorted(pts):
        o32 = cute_offset(r, c * 32, rows, K, 32)
        o16 = cute_offset(r, c * 16, rows, cols * 16, 16)   # NVFP4's 16-deep view: the same bytes
        assert o32 == o16
        print(f"at {rows} {cols} {r} {c} {o32}")
