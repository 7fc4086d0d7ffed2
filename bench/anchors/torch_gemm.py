"""PyTorch's GEMM on a CUDA device, measured the way Suanli measures its own: random inputs
uniform in [-1, 1) in the precision's storage type, WARMUP seconds of untimed products, then
REPEATS samples of at least SAMPLE seconds each, timed with CUDA events around the batch.
torch.matmul for FP64/FP32/TF32/FP16/BF16 (TF32 through allow_tf32), torch._scaled_mm for FP8
E4M3 (unit scales, BF16 output, B column-major as it requires), torch._int_mm for INT8 (INT32
output). Prints one JSON line per precision: {"precision", "n", "rates", "device"}.

usage: torch_gemm.py N WARMUP SAMPLE REPEATS PRECISION...
"""
import json
import sys
import time

import torch


def inputs(precision, n):
    def uniform(dtype=torch.float32):
        return (torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1).to(dtype)

    if precision == "fp64":
        return lambda a, b: torch.matmul(a, b), uniform(torch.float64), uniform(torch.float64)
    if precision in ("fp32", "tf32"):
        return lambda a, b: torch.matmul(a, b), uniform(), uniform()
    if precision == "fp16":
        return lambda a, b: torch.matmul(a, b), uniform(torch.float16), uniform(torch.float16)
    if precision == "bf16":
        return lambda a, b: torch.matmul(a, b), uniform(torch.bfloat16), uniform(torch.bfloat16)
    if precision == "fp8":
        one = torch.ones((), device="cuda", dtype=torch.float32)
        a = uniform().to(torch.float8_e4m3fn)
        b = uniform().to(torch.float8_e4m3fn).t().contiguous().t()  # column-major
        return (
            lambda a, b: torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16),
            a,
            b,
        )
    if precision == "int8":
        a = torch.randint(-128, 128, (n, n), device="cuda", dtype=torch.int8)
        b = torch.randint(-128, 128, (n, n), device="cuda", dtype=torch.int8)
        return lambda a, b: torch._int_mm(a, b), a, b
    raise SystemExit(f"unknown precision {precision}")


def measure(precision, n, warmup, sample, repeats):
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    multiply, a, b = inputs(precision, n)
    spent, batch, per = 0.0, 1, 0.0
    while spent < warmup:
        start = time.perf_counter()
        for _ in range(batch):
            multiply(a, b)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        spent += seconds
        per = seconds / batch
        if seconds < 0.05:
            batch *= 2
    iterations = max(1, int(sample / max(per, 1e-9)) + 1)
    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    rates = []
    for _ in range(repeats):
        begin.record()
        for _ in range(iterations):
            multiply(a, b)
        end.record()
        end.synchronize()
        rates.append(2.0 * n * n * n * iterations / (begin.elapsed_time(end) * 1e-3))
    return rates


def main():
    n, warmup, sample, repeats = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    for precision in sys.argv[5:]:
        record = {"precision": precision, "n": n, "device": torch.cuda.get_device_name(0),
                  "torch": torch.__version__}
        try:
            record["rates"] = measure(precision, n, warmup, sample, repeats)
        except Exception as error:  # one precision PyTorch cannot run must not hide the others
            record["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
