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
pipe3 (quant_pipe3.cuh, DEEPWELL_QUANT_GRID=pipe3) is modelled the same way: the swizzle, the
bank-conflict freedom of its cp.async, row and column reads, the group/band order of the tile
stream thread 0 publishes, every element's ROW and COL address, the lanes of each block, and
every staged block scale reaching its reference position exactly once when a group is flushed
(partial groups at the edges included, fixed shares and groups claimed from a counter in
random orders), the launch rule (group shape and grid), and the input ring. Both fills are
modelled: every thread's cp.async (the default, layout pipe3_word) and the TMA fill
(DEEPWELL_QUANT_FETCH=tma), whose
stage is derived here from what the copies do (box rows, the 128-byte swizzle as a function of the
shared-memory address), not from the kernel's pipe3_tma_word, which is then checked against it.
What the bank model does not cover, and why Nsight Compute's "excessive shared wavefronts" differ
from it (H100, 2026-11-26, MXFP8 and FP8 1x128 ROW+COL both 6,156,288 excessive of 13.3 M): the
cp.async instructions themselves. The ring layout gives each 8-lane phase of a copy 8 distinct
16-byte bank groups (checked here), yet the branch-guarded LDGSTS ran at ~15 shared wavefronts and
~30 L2 sectors per warp instruction (4 and 16 if coalesced; L2 read sectors 16.4 M against the
copy kernel's 8.4 M for the same bytes): the lanes' requests were not merged. That is a property of
how the copies are issued, not of the addresses (a zero-fill form measured no faster), hence
the TMA fill.
"""
import random


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


# ---- pipe3 (quant_pipe3.cuh): 128x128 tiles, 512 threads, groups of gr x gc tiles ----------

def pipe3_word(r, w):
    f = ((r >> 4) & 7) ^ (r & 1)
    return r * 64 + (((w >> 2) ^ f) << 2) + (w & 3)


def pipe3_tma_word(r, w):
    slot = ((r & 15) << 3) | (r >> 4)
    return (w >> 5) * 4096 + slot * 32 + ((((w >> 2) & 7) ^ (slot & 7)) << 2) + (w & 3)


def pipe3_tma_row(q):
    return (q & ~0x11) | ((q & 1) << 4) | ((q >> 4) & 1)


def pipe3_tma_fill():
    """Stage word -> (tile row, column of the word's first element), from the 32 TMA copies: copy
    (half, h) has box (64 columns, 1, 8) at (64 half, h, 8 tile row): box row g is tile row
    16 g + h, written densely from byte half * 16384 + h * 1024 (1024-aligned), then swizzled:
    bits 4-6 of the byte address XOR bits 7-9."""
    smem = {}
    for half in range(2):
        for h in range(16):
            base = half * 16384 + h * 1024
            for g in range(8):
                for c in range(0, 64, 2):
                    a = base + g * 128 + c * 2
                    phys = a ^ (((a >> 7) & 7) << 4)
                    assert (phys // 4) not in smem
                    smem[phys // 4] = (16 * g + h, 64 * half + c)
    assert sorted(smem) == list(range(128 * 64))
    return smem


def pipe3_group_start(g, gidx):
    if gidx >= g['ngroups']:
        return (gidx, 0, 0, 0)
    b = fast_div(gidx, g['band_div'])
    i = gidx - b * g['band_div'][0]
    hd = g['full'] if (b + 1) * g['band'] <= g['groups_y'] else g['last']
    gx = fast_div(i, hd)
    gy = b * g['band'] + (i - gx * hd[0])
    return (gidx, 0, gy * g['gr'], gx * g['gc'])


def pipe3_geom(tiles_x, tiles_y, gr, gc, band_tiles):
    g = dict(tiles_x=tiles_x, tiles_y=tiles_y, gr=gr, gc=gc)
    g['groups_x'] = (tiles_x + gc - 1) // gc
    g['groups_y'] = (tiles_y + gr - 1) // gr
    g['ngroups'] = g['groups_x'] * g['groups_y']
    band = max(1, min(band_tiles // gr, g['groups_y']))
    bands = (g['groups_y'] + band - 1) // band
    g['band'] = band
    g['band_div'] = make_fastdiv(band * g['groups_x'])
    g['full'] = make_fastdiv(band)
    g['last'] = make_fastdiv(g['groups_y'] - (bands - 1) * band)
    return g


def pipe3_stream(g, cta, grid, claims=None):
    """The tiles CTA `cta` works on, as thread 0 publishes them: (tr, tc, jr, jc, rows, cols, last).
    claims: the group ids this CTA drew from the counter after its first group (dynamic groups),
    else the fixed share cta, cta + grid, ..."""
    c = pipe3_group_start(g, cta)
    drawn = iter(claims) if claims is not None else None
    out = []
    while c[0] < g['ngroups']:
        rows = min(g['gr'], g['tiles_y'] - c[2])
        cols = min(g['gc'], g['tiles_x'] - c[3])
        jr, jc = c[1] & 0xFF, c[1] >> 8
        last = jr + 1 == rows and jc + 1 == cols
        out.append((c[2] + jr, c[3] + jc, jr, jc, rows, cols, last))
        if jc + 1 < cols:
            c = (c[0], jr | ((jc + 1) << 8), c[2], c[3])
        elif jr + 1 < rows:
            c = (c[0], jr + 1, c[2], c[3])
        else:
            c = pipe3_group_start(g, next(drawn) if drawn is not None else c[0] + grid)
    return out


def pipe3_claims(g, grid, seed):
    """What the kernel's atomicAdd hands out when the CTAs finish their groups in a random order:
    per CTA, the ids grid + counter it drew (the last one past the groups ends its stream)."""
    rnd = random.Random(seed)
    ctas = min(grid, g['ngroups'])
    drawn = {cta: [] for cta in range(ctas)}
    live, counter = list(range(ctas)), 0
    while live:
        cta = rnd.choice(live)
        gid = grid + counter
        counter += 1
        drawn[cta].append(gid)
        if gid >= g['ngroups']:
            live.remove(cta)
    return drawn


def pipe3_launch(kind, rows, cols, tiles_r, tiles_c, sms, fit, want=1, max_ctas=0):
    """launch_pipe3_kernel's group shape and grid: (gr, gc, ctas)."""
    sb = {'mx': 4, 'nv': 8, 'fp8b': 4}.get(kind, 1)
    tx, ty = cols // 128, rows // 128
    gr, gc = tiles_r, tiles_c

    def groups():
        return ((tx + gc - 1) // gc) * ((ty + gr - 1) // gr)

    while gr * gc * sb > 64 or (gr * gc > 1 and groups() < sms):
        if gc >= gr:
            gc >>= 1
        else:
            gr >>= 1
    ngroups = groups()
    slots = min(fit, want) * sms
    if max_ctas > 0:
        slots = min(slots, max_ctas)
    rounds = (ngroups + slots - 1) // slots
    return gr, gc, (ngroups + rounds - 1) // rounds


def pipe3_check_launch():
    """The grid never exceeds the slots, takes the fewest rounds of groups, and gives every CTA
    that many groups or one fewer; groups are never empty and at least as many as SMs where the
    tensor has the tiles."""
    for kind in ('mx', 'nv', 'fp8b', 'fp8t'):
        for ty in list(range(1, 20)) + [64, 128]:
            for tx in list(range(1, 20)) + [128]:
                for sms, fit, want, cap in ((132, 2, 1, 0), (132, 2, 2, 0), (7, 2, 1, 0), (3, 1, 2, 0), (132, 2, 2, 7)):
                    gr, gc, ctas = pipe3_launch(kind, ty * 128, tx * 128, 8, 2, sms, fit, want, cap)
                    ngroups = ((tx + gc - 1) // gc) * ((ty + gr - 1) // gr)
                    slots = min(fit, want) * sms if cap == 0 else min(min(fit, want) * sms, cap)
                    rounds = (ngroups + slots - 1) // slots
                    per_cta = [len(range(b, ngroups, ctas)) for b in range(ctas)]
                    assert 1 <= ctas <= slots and max(per_cta) == rounds and min(per_cta) >= rounds - 1
                    assert gr * gc * {'mx': 4, 'nv': 8, 'fp8b': 4}.get(kind, 1) <= 64
                    assert ngroups >= sms or gr * gc == 1


def pipe3_check_row_pass_banks(warp, rowb_of, half_words):
    """The row pass's 16-byte reads of one warp, 8 lanes per phase, are free of bank conflicts:
    thread t reads words rowb, rowb ^ 4 (chunks 2s, 2s + 1) and both + half_words (2s + 8, 2s + 9)."""
    for j in range(4):
        for ph in range(4):
            addrs = []
            for t in range(warp * 32 + 8 * ph, warp * 32 + 8 * ph + 8):
                rowb = rowb_of(t)
                addrs.append(((rowb ^ 4) if j & 1 else rowb) + (j >> 1) * half_words)
            assert len({(a // 4) % 8 for a in addrs}) == 8


def pipe3_check_banks():
    assert sorted(pipe3_word(r, w) for r in range(128) for w in range(64)) == list(range(128 * 64))
    for t in range(512):  # cp.async: byte offset cp_s ^ 32k + 8 KB k == swizzled (row + 32k, chunk)
        cp_s = pipe3_word(t >> 4, (t & 15) * 4) * 4
        for k in range(4):
            assert (cp_s ^ (32 * k)) + 8192 * k == pipe3_word((t >> 4) + 32 * k, (t & 15) * 4) * 4
    for warp in range(16):
        for k in range(4):  # cp.async 16-byte stores, 8 lanes per phase
            for ph in range(4):
                lanes = [warp * 32 + l for l in range(8 * ph, 8 * ph + 8)]
                assert len({((pipe3_word(t >> 4, (t & 15) * 4) * 4 ^ (32 * k)) // 16) % 8 for t in lanes}) == 8
        pipe3_check_row_pass_banks(warp, lambda t: pipe3_word(t >> 2, (t & 3) * 8), 32)
        for h in range(16):  # column pass word reads
            banks = set()
            for lane in range(32):
                gg, q = lane & 7, warp * 4 + (lane >> 3)
                colb = 16 * gg * 64 + (((q >> 2) ^ gg) << 2) + (q & 3)
                banks.add((((colb ^ 4) if h & 1 else colb) + 64 * h) % 32)
            assert len(banks) == 32


def pipe3_check_banks_tma():
    fill = pipe3_tma_fill()
    for r in range(128):
        for w in range(64):
            assert fill[pipe3_tma_word(r, w)] == (r, 2 * w)
    assert sorted(pipe3_tma_row(q) for q in range(128)) == list(range(128))
    for warp in range(16):
        pipe3_check_row_pass_banks(warp, lambda t: pipe3_tma_word(pipe3_tma_row(t >> 2), (t & 3) * 8), 4096)
        for h in range(16):  # column pass word reads
            banks = set()
            for lane in range(32):
                gg, q = lane & 7, warp * 4 + (lane >> 3)
                assert pipe3_tma_word(16 * gg, q) + 256 * h == pipe3_tma_word(16 * gg + h, q)
                banks.add((pipe3_tma_word(16 * gg, q) + 256 * h) % 32)
            assert len(banks) == 32


def pipe3_check_ring_tma(rows, cols, gr, gc, band_tiles, grid):
    """The TMA ring, as the kernel's loop drives it without barrier (A): in iteration n every
    thread waits on s_full[n % 3] with parity `phase` = (n / 3) % 2; warp 0 then waits on
    s_empty[prev] (prev = (n - 1) % 3, tile n - 1's stage) with the parity the kernel computes
    from (prev, stage, phase), and fetches tile n + 2 into prev, a slot past the end completing
    the phase without bytes (the end marker the other warps wait for). Checked: each full wait is
    for the completion of tile n's own fetch (the end marker at n = stream length), each empty wait
    for the releases of tile n - 1, and no stage is refilled before its tile was released."""
    g = pipe3_geom(cols // 128, rows // 128, gr, gc, band_tiles)
    for cta in range(min(grid, g['ngroups'])):
        s = pipe3_stream(g, cta, grid)
        full = {0: [], 1: [], 2: []}   # stage -> stream index completing each phase of s_full
        empty = {0: [], 1: [], 2: []}  # stage -> stream index released in each phase of s_empty
        holds = {}                     # stage -> stream index last fetched into it

        def fetch(i, st):
            assert st not in holds or holds[st] in empty[st], "stage refilled before its tile was released"
            holds[st] = i
            full[st].append(i)

        fetch(0, 0)
        fetch(1, 1)
        stage, phase, n = 0, 0, 0
        while True:
            assert full[stage][n // 3] == n and phase == (n // 3) % 2  # the full wait of iteration n
            if n >= len(s):
                break  # the end marker
            prev = 2 if stage == 0 else stage - 1
            if n > 0:
                parity = phase if prev < stage else phase ^ 1
                assert empty[prev][(n - 1) // 3] == n - 1 and parity == ((n - 1) // 3) % 2
            fetch(n + 2, prev)
            empty[stage].append(n)  # every warp done with tile n
            stage += 1
            if stage == 3:
                stage, phase = 0, phase ^ 1
            n += 1


def pipe3_check_ring(rows, cols, gr, gc, band_tiles, grid):
    """The 3-stage input ring of each CTA with the LDGSTS fill, as the kernel's loop drives it
    (fetch of stream index n + 2 into stage (n + 2) % 3 after barrier (A) of iteration n,
    wait_group 1 before it): every live tile is read from the stage that holds it, and no copy
    lands in a stage being read."""
    g = pipe3_geom(cols // 128, rows // 128, gr, gc, band_tiles)
    for cta in range(min(grid, g['ngroups'])):
        s = pipe3_stream(g, cta, grid)
        stage_holds = {}
        committed = []  # stream index of each commit group

        def fetch(i, st):
            if i < len(s):
                stage_holds[st] = i
            committed.append(i)

        fetch(0, 0)
        fetch(1, 1)
        n = 0
        while True:
            landed = committed[:len(committed) - 1]  # cp.async.wait_group 1
            if n >= len(s):
                break
            assert n in landed and stage_holds[n % 3] == n
            fetch(n + 2, (n + 2) % 3)
            assert (n + 2) % 3 != n % 3 and (n + 2) % 3 != (n + 1) % 3
            n += 1


def pipe3_run(kind, rows, cols, gr, gc, band_tiles, grid, layout=0, tma=False, claims_seed=None):
    """Every element to its ROW / COL address, every block's lanes, every staged scale to its
    reference position exactly once (byte scales: MX 32, NV 16; FP8 1x128: FP32)."""
    g = pipe3_geom(cols // 128, rows // 128, gr, gc, band_tiles)
    SB = {'mx': 4, 'nv': 8, 'fp8b': 4}.get(kind, 0)
    B = {'mx': 32, 'nv': 16, 'fp8b': 128}.get(kind, 0)
    seen = []
    row_out, col_out = {}, {}
    scale_pos = {0: {}, 1: {}}
    claims = pipe3_claims(g, grid, claims_seed) if claims_seed is not None else {}
    for cta in range(min(grid, g['ngroups'])):
        staging = {0: {}, 1: {}}
        for (tr, tc, jr, jc, grows, gcols, last) in pipe3_stream(g, cta, grid, claims.get(cta)):
            seen.append((tr, tc))
            r0, c0 = tr * 128, tc * 128
            smem = {}
            if tma:
                for a, (r, c) in pipe3_tma_fill().items():
                    smem[a] = (r0 + r, c0 + c)
            else:
                for t in range(512):
                    for k in range(4):
                        rr, cv = (t >> 4) + 32 * k, t & 15
                        a = pipe3_word(rr, cv * 4)
                        for i in range(4):
                            smem[a + i] = (r0 + rr, c0 + cv * 8 + 2 * i)
            for t in range(512):  # row pass
                rr, seg = (pipe3_tma_row(t >> 2) if tma else t >> 2), t & 3
                rowb = (pipe3_tma_word if tma else pipe3_word)(rr, seg * 8)
                words = []
                for j in range(4):
                    a = ((rowb ^ 4) if j & 1 else rowb) + (j >> 1) * (4096 if tma else 32)
                    words += [smem[a + i] for i in range(4)]
                elems = [e for (r, c) in words for e in ((r, c), (r, c + 1))]
                r = r0 + rr
                assert elems == [(r, c0 + 16 * seg + e) for e in range(16)] + [(r, c0 + 64 + 16 * seg + e) for e in range(16)]
                e0 = r * cols + c0 + 16 * seg  # row_elem
                for e in range(16):
                    row_out[(r, c0 + 16 * seg + e)] = e0 + e
                    row_out[(r, c0 + 64 + 16 * seg + e)] = e0 + 64 + e
                if kind == 'mx':  # blocks of A and B: this lane's and lane seg ^ 1's halves
                    assert (16 * seg) // 32 == (16 * (seg ^ 1)) // 32
                    bA, bB = (16 * seg) // 32, (64 + 16 * seg) // 32
                    byte = (seg & 1) * 2 + (seg >> 1)  # row_stoff's slot: A's block (seg even) or B's
                    assert byte == (bA if seg % 2 == 0 else bB)
                    staging[0][(jr * 128 + rr, jc * 4 + byte)] = ('row', r, (c0 // 32) + byte)
                elif kind == 'nv':
                    staging[0][(jr * 128 + rr, jc * 8 + seg)] = ('row', r, c0 // 16 + seg)
                    staging[0][(jr * 128 + rr, jc * 8 + 4 + seg)] = ('row', r, c0 // 16 + 4 + seg)
                elif kind == 'fp8b' and seg == 0:
                    staging[0][(jr * 128 + rr, jc * 4)] = ('row', r, c0 // 128)
            for t in range(512):  # column pass
                lane, warp = t & 31, t >> 5
                gg, q = lane & 7, warp * 4 + (lane >> 3)
                if tma:
                    colb = pipe3_tma_word(16 * gg, q)
                    cw = [smem[colb + 256 * h] for h in range(16)]
                else:
                    colb = 16 * gg * 64 + (((q >> 2) ^ gg) << 2) + (q & 3)
                    cw = [smem[((colb ^ 4) if h & 1 else colb) + 64 * h] for h in range(16)]
                assert cw == [(r0 + 16 * gg + h, c0 + 2 * q) for h in range(16)]
                e0 = (c0 + 2 * q) * rows + r0 + 16 * gg  # col_elem
                for sd in range(2):
                    for h in range(16):
                        col_out[(r0 + 16 * gg + h, c0 + 2 * q + sd)] = e0 + sd * rows + h
                if kind == 'mx':
                    assert (16 * gg) // 32 == (16 * (gg ^ 1)) // 32
                    sd = gg & 1
                    staging[1][(jc * 128 + 2 * q + sd, jr * 4 + (gg >> 1))] = ('col', c0 + 2 * q + sd, (r0 + 16 * gg) // 32)
                elif kind == 'nv':
                    for sd in range(2):
                        staging[1][(jc * 128 + 2 * q + sd, jr * 8 + gg)] = ('col', c0 + 2 * q + sd, (r0 + 16 * gg) // 16)
                elif kind == 'fp8b' and gg < 2:
                    staging[1][(jc * 128 + 2 * q + gg, jr * 4)] = ('col', c0 + 2 * q + gg, r0 // 128)
            if last and SB:
                tr0, tc0 = tr - jr, tc - jc
                for o, (rt0, ct0, nrt, nct, pitch_tiles) in ((0, (tr0, tc0, grows, gcols, g['gc'])),
                                                             (1, (tc0, tr0, gcols, grows, g['gr']))):
                    # pipe3_flush_scales: 4-byte units (r, k) of staged row r, unit k < ncolt * SB / 4
                    upt = SB // 4
                    for r in range(nrt * 128):
                        for k in range(nct * upt):
                            for b in range(4):
                                pos = (r, 4 * k + b) if kind != 'fp8b' else (r, 4 * k)
                                if kind == 'fp8b' and b:
                                    continue
                                entry = staging[o].pop(pos)
                                srow = rt0 * 128 + r
                                scol = ct0 * (128 // B) + (4 * k + b if kind != 'fp8b' else k)
                                assert entry[1] == srow and entry[2] == scol, (entry, srow, scol)
                                assert (srow, scol) not in scale_pos[o]
                                scale_pos[o][(srow, scol)] = True
                assert not staging[0] and not staging[1]
    assert sorted(seen) == [(a, c) for a in range(rows // 128) for c in range(cols // 128)]
    assert len(row_out) == rows * cols and all(v == r * cols + c for (r, c), v in row_out.items())
    assert len(col_out) == rows * cols and all(v == c * rows + r for (r, c), v in col_out.items())
    if SB:
        assert len(scale_pos[0]) == rows * (cols // B) and len(scale_pos[1]) == cols * (rows // B)


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
    pipe3_check_banks()
    # group shapes with partial groups at both edges (3 x 5 tiles), a single tile, 1x1 groups,
    # groups larger than the tensor, several bands, grids smaller and larger than the group count
    configs = ((384, 640, 4, 4, 8, 7), (384, 640, 2, 4, 5, 3), (640, 384, 4, 2, 1, 5), (128, 128, 4, 4, 8, 1),
               (256, 384, 1, 1, 8, 1000), (384, 256, 8, 8, 16, 2), (1152, 384, 8, 2, 8, 5))
    pipe3_check_banks_tma()
    for kind in ('mx', 'nv', 'fp8b', 'fp8t'):
        for rows, cols, gr, gc, band, grid in configs:
            for tma in (False, True):
                pipe3_run(kind, rows, cols, gr, gc, band, grid, tma=tma)
    pipe3_check_launch()
    for kind in ('mx', 'nv', 'fp8b', 'fp8t'):  # what the launch rule picks for a few SM counts
        for rows, cols, sms in ((640, 1024, 3), (1024, 384, 5), (384, 640, 16)):
            gr, gc, ctas = pipe3_launch(kind, rows, cols, 8, 2, sms, 2)
            pipe3_run(kind, rows, cols, gr, gc, 8, ctas)
            for seed in range(3):  # groups claimed from the counter, CTAs finishing in random orders
                pipe3_run(kind, rows, cols, gr, gc, 8, ctas, claims_seed=seed)
    for rows, cols, gr, gc, band, grid in configs:
        pipe3_check_ring(rows, cols, gr, gc, band, grid)
        pipe3_check_ring_tma(rows, cols, gr, gc, band, grid)
    print("pipe index model: all checks passed")


if __name__ == '__main__':
    main()
