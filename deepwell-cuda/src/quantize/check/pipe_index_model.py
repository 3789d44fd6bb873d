#!/usr/bin/env python3
"""Index-level model of quant_pipe_kernel (quant_pipe.cuh); needs no GPU.

Checks, for both kernel versions (pipe1: 64x128 tiles except FP8 blocks; pipe: 128x128 tiles and
the row-code exchange between lanes) and several grids and band heights:
  - the shared-memory swizzle is a bijection and every shared-memory instruction of the kernel
    (the cp.async stores, the row pass's 16-byte reads, the column pass's word reads) is free of
    bank conflicts;
  - the band order visits every tile exactly once (with the multiply-high divisions);
  - every input element reaches its address in the row copy and in the transposed copy;
  - the elements a thread (or a group of lanes) reduces into one block scale are exactly a block.
Mirrors the kernel's index arithmetic line by line; run it after changing any of it.
"""


def pipe_word(r, w):
    c, g = w >> 2, (r >> 4) & 7
    s = (((g & 3) << 1) | ((g >> 2) & 1)) ^ (r & 1) ^ (((c >> 3) & 1) << 1)
    return r * 64 + (((c ^ s) << 2) | (w & 3))


def make_fastdiv(d):
    s = 0
    while (1 << s) < d:
        s += 1
    return d, ((1 << 32) * ((1 << s) - d)) // d + 1, s


def fast_div(n, fd):
    assert n < (1 << 31)
    return (((n * fd[1]) >> 32) + n) >> fd[2]


def geom(tiles_x, tiles_y, group):
    gr = max(1, min(group, tiles_y))
    bands = (tiles_y + gr - 1) // gr
    return dict(tx=tiles_x, ty=tiles_y, n=tiles_x * tiles_y, group=gr, band=make_fastdiv(gr * tiles_x),
                full=make_fastdiv(gr), last=make_fastdiv(tiles_y - (bands - 1) * gr))


def pipe_tile(t, g):
    b = fast_div(t, g['band'])
    i = t - b * g['band'][0]
    hd = g['full'] if (b + 1) * g['group'] <= g['ty'] else g['last']
    tc = fast_div(i, hd)
    return b * g['group'] + (i - tc * hd[0]), tc


def config(kind, v2):
    tr = 128 if (kind == 'fp8b' or v2) else 64
    threads = tr * 128 // 32
    return tr, threads, tr // 16, 32 // (tr // 16)


def check_banks(tr, threads, groups, qw):
    assert sorted(pipe_word(r, w) for r in range(tr) for w in range(64)) == list(range(tr * 64))
    for warp in range(threads // 32):
        for k in range(4):  # cp.async: 16-byte stores, 8 lanes per phase
            for q in range(4):
                lanes = [warp * 32 + l + k * threads for l in range(8 * q, 8 * q + 8)]
                assert len({(pipe_word(v >> 4, (v & 15) * 4) // 4) % 8 for v in lanes}) == 8
        for j in range(4):  # row pass: 16-byte reads
            for q in range(4):
                tids = [warp * 32 + l for l in range(8 * q, 8 * q + 8)]
                assert len({(pipe_word(t >> 2, (4 * (t & 3) + j) * 4) // 4) % 8 for t in tids}) == 8
        for h in range(16):  # column pass: word reads, all 32 lanes
            banks = {pipe_word((l % groups) * 16 + h, warp * qw + l // groups) % 32 for l in range(32)}
            assert len(banks) == 32


def run(kind, v2, rows, cols, group, ctas):
    tr, threads, groups, qw = config(kind, v2)
    fp8 = kind in ('mx', 'fp8b', 'fp8t')  # 'mx' stands for MXFP8 here (MXFP4 stores like NVFP4)
    g = geom(cols // 128, rows // tr, group)
    tiles = []
    for b in range(ctas):
        tiles += [pipe_tile(t, g) for t in range(b, g['n'], ctas)]
    assert sorted(tiles) == [(a, c) for a in range(rows // tr) for c in range(cols // 128)]
    row_out, col_out = {}, {}
    for tr_i, tc_i in tiles:
        r0, c0 = tr_i * tr, tc_i * 128
        smem = {}
        for tid in range(threads):
            for k in range(4):
                rr, cv = (tid >> 4) + k * (threads // 16), tid & 15
                for i in range(4):
                    smem[pipe_word(rr, cv * 4) + i] = (r0 + rr, c0 + cv * 8 + 2 * i)
        seg_elems = {}
        for tid in range(threads):
            rr, seg = tid >> 2, tid & 3
            words = []
            for j in range(4):
                a = pipe_word(rr, (4 * seg + j) * 4)
                words += [smem[a + i] for i in range(4)]
            elems = [e for (r, c) in words for e in ((r, c), (r, c + 1))]
            r, c = r0 + rr, c0 + seg * 32
            assert elems == [(r, c + e) for e in range(32)]  # one MX block, two NVFP4 blocks
            seg_elems[tid] = elems
            if not (v2 and fp8):
                for e, el in enumerate(elems):
                    row_out[el] = r * cols + c + e
        if v2 and fp8:  # the exchange: lane seg stores chunk seg, then chunk 4 + seg, of its row
            for tid in range(threads):
                seg = tid & 3
                src1 = (tid & ~3) + (seg >> 1)
                half = seg & 1
                base = (r0 + (tid >> 2)) * cols + c0 + seg * 16
                for e in range(16):
                    row_out[seg_elems[src1][16 * half + e]] = base + e
                    row_out[seg_elems[src1 + 2][16 * half + e]] = base + 64 + e
        for tid in range(threads):
            lane, warp = tid & 31, tid >> 5
            qi, gr = lane // groups, lane % groups
            q = warp * qw + qi
            base = [pipe_word(gr * 16, q), pipe_word(gr * 16 + 1, q) - 64]
            cw = [smem[base[h & 1] + h * 64] for h in range(16)]
            r = r0 + gr * 16
            assert cw == [(r + h, c0 + 2 * q) for h in range(16)]
            for sd in range(2):
                for h in range(16):
                    col_out[(r + h, c0 + 2 * q + sd)] = (c0 + 2 * q + sd) * rows + r + h
            # MX column blocks: row groups 2k, 2k+1 = lane bit 0; FP8 1x128: lane bits 0..2
            if kind == 'mx':
                assert r // 32 == (r0 + ((lane ^ 1) % groups) * 16) // 32
            if kind == 'fp8b':
                assert {(lane ^ m) % groups for m in range(8)} == set(range(8))
    assert len(row_out) == rows * cols and all(v == r * cols + c for (r, c), v in row_out.items())
    assert len(col_out) == rows * cols and all(v == c * rows + r for (r, c), v in col_out.items())


def main():
    for v2 in (False, True):
        for kind in ('mx', 'nv', 'fp8b', 'fp8t'):
            check_banks(*config(kind, v2))
    for n in list(range(1, 3000)) + [(1 << 31) - 1, 1 << 30, 12345677]:
        fd = make_fastdiv(n)
        for x in (0, 1, n - 1, n, n + 1, 3 * n + 2, (1 << 31) - 1):
            if x < (1 << 31):
                assert fast_div(x, fd) == x // n
    shapes = {'mx': [(640, 1024), (128, 384)], 'nv': [(384, 256)], 'fp8b': [(1152, 384), (128, 128)],
              'fp8t': [(256, 640)]}
    for v2 in (False, True):
        for kind, sh in shapes.items():
            tr = config(kind, v2)[0]
            for rows, cols in sh:
                for group, ctas in ((8, 7), (5, 7), (1, 3), (16, 64), (3, 1000)):
                    run(kind, v2, rows, cols, group, min(ctas, (rows // tr) * (cols // 128)))
    print("pipe index model: all checks passed")


if __name__ == '__main__':
    main()
