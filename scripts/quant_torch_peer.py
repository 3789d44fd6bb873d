#!/usr/bin/env python3
"""PyTorch peer of Deepwell's GPU quantization benchmark (QuantGpuBench / quantize_check --bench).

The same operations on the same input (BF16 [8192, 16384] = 256 MiB, two rotating buffers), in
PyTorch on the same GPU, eager and torch.compile:
  fp8-tensor ROW       amax = |x|.amax(); q = (x * (448 / amax)).clamp(+-448) -> float8_e4m3fn
  fp8-tensor ROW+COL   the same, plus the transposed copy of q
  mxfp8-e4m3 ROW       32-element blocks along rows: E8M0 scale = 2^ceil(log2(amax / 448)) (the
                       CEIL rule), q = x / scale -> float8_e4m3fn, scale bytes uint8
  mxfp8-e4m3 COL       the same on x.t() (codes stored transposed, as Deepwell's COL copy)
  mxfp8-e4m3 ROW+COL   both
Byte accounting is Deepwell's "min bytes": the input read once plus every output byte; GB/s and
% of the device-to-device copy measured here, both timed as quantize_check times them (8 calls
back to back between two CUDA events, per call, median of the rounds). Prints one JSON object per
line (stdout).

  python3 scripts/quant_torch_peer.py [--iters N] [--no-compile]
"""
import argparse
import json
import math
import time

import torch

R, C = 8192, 16384
FP8 = torch.float8_e4m3fn


def fp8_tensor(x):
    amax = x.abs().amax().float()
    scale = torch.where(amax > 0, 448.0 / amax, torch.ones_like(amax))
    q = (x.float() * scale).clamp(-448.0, 448.0).to(FP8)
    return q, (1.0 / scale)


def fp8_tensor_rc(x):
    q, s = fp8_tensor(x)
    return q, q.t().contiguous(), s


def mx_rows(x):
    r, c = x.shape
    xb = x.float().reshape(r, c // 32, 32)
    amax = xb.abs().amax(-1, keepdim=True)
    e = torch.ceil(torch.log2(amax / 448.0)).clamp(-127.0, 127.0)
    q = (xb * torch.exp2(-e)).to(FP8).reshape(r, c)
    return q, (e + 127.0).to(torch.uint8).reshape(r, c // 32)


def mx_cols(x):
    return mx_rows(x.t())


def mx_rc(x):
    return mx_rows(x), mx_cols(x)


BATCH = 8  # calls between two events: the steady state, as quantize_check --bench times it


def median_ms(fn, xs, iters):
    for i in range(3):
        fn(xs[i % 2])
    torch.cuda.synchronize()
    times = []
    for i in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        a.record()
        for j in range(BATCH):
            fn(xs[(i * BATCH + j) % 2])
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) / BATCH)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--no-compile", action="store_true")
    args = ap.parse_args()
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(0)
    xs = [torch.randn(R, C, device=dev, dtype=torch.float32, generator=g).to(torch.bfloat16) for _ in range(2)]
    n = R * C
    in_bytes = 2 * n
    dst = torch.empty_like(xs[0])
    copy_ms = median_ms(lambda x: dst.copy_(x), xs, args.iters)
    copy_gbs = 2 * in_bytes / (copy_ms * 1e6)
    print(json.dumps({"kind": "copy", "device": torch.cuda.get_device_name(), "torch": torch.__version__,
                      "copy_gbs": round(copy_gbs, 1)}), flush=True)
    fp8_out = n + 4
    mx_out = n + n // 32
    cases = [
        ("fp8-tensor ROW", fp8_tensor, in_bytes + fp8_out),
        ("fp8-tensor ROW+COL", fp8_tensor_rc, in_bytes + 2 * n + 4),
        ("mxfp8-e4m3 ROW", mx_rows, in_bytes + mx_out),
        ("mxfp8-e4m3 COL", mx_cols, in_bytes + mx_out),
        ("mxfp8-e4m3 ROW+COL", mx_rc, in_bytes + 2 * mx_out),
    ]
    modes = [("eager", lambda f: f)]
    if not args.no_compile:
        modes.append(("compile", lambda f: torch.compile(f, dynamic=False)))
    compiled = {"fp8-tensor ROW", "mxfp8-e4m3 ROW", "mxfp8-e4m3 ROW+COL"}  # compile time is device time
    for mode, wrap in modes:
        for name, fn, min_bytes in cases:
            if mode == "compile" and name not in compiled:
                continue
            t0 = time.time()
            try:
                f = wrap(fn)
                ms = median_ms(f, xs, args.iters)
            except Exception as e:  # a torch that cannot do one case should not hide the others
                print(json.dumps({"kind": "torch", "mode": mode, "case": name, "error": str(e)[:300]}), flush=True)
                continue
            gbs = min_bytes / (ms * 1e6)
            print(json.dumps({"kind": "torch", "mode": mode, "case": name, "ms": round(ms, 4),
                              "min_bytes": min_bytes, "gbs": round(gbs, 1),
                              "pct_copy": round(100 * gbs / copy_gbs, 1),
                              "setup_s": round(time.time() - t0, 1)}), flush=True)


if __name__ == "__main__":
    main()
