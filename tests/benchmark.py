"""Benchmark of the notebook's final recipe: accuracy per seed, speed against PyTorch, memory.

    python tests/benchmark.py                  # seeds 0 1 2, threads 2 (about 2 minutes)
    python tests/benchmark.py --threads 1 2    # the speed comparison at each thread count
    python tests/benchmark.py --epochs 60 --weight-decay 2e-4 --strength 1   # another recipe

Not a test: timings belong in a report, not in assertions. Each seed's full training run
(exactly 784-64-10, batch 64, nn_utils' default recipe with the augmentation the notebook
chose, on all 60,000 training images, scored on the test set) happens in a fresh process,
so its peak RSS is its own. The speed comparison alternates one plain NumPy epoch, one
augmented NumPy epoch and one PyTorch epoch of the same model and recipe (nn.Linear/ReLU,
cross_entropy, optim.SGD, batch 64, same data in memory, same thread count) and reports
medians. PyTorch is optional: without it, that column is skipped. The BLAS library and
kernel that ran are printed too (threadpoolctl if installed): forcing OPENBLAS_CORETYPE
changes the speed, and the last bits of the results. Needs MNIST as load_mnist does (data/,
or MNIST_MIRROR).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Multiply-adds of one training example, times 2: forward x W1 and A1 W2, backward
# dW2 = A1^T dZ2, dA1 = dZ2 W2^T and dW1 = x^T dZ1 (no gradient is needed for x itself).
FLOPS_PER_EXAMPLE = 2 * (784 * 64 + 64 * 10) * 2 + 2 * 64 * 10
# The augmentation strength section 6.8 of the notebook chose; tests/test_notebook.py checks
# that the committed notebook still prints this choice.
FINAL_STRENGTH = 0.5


def run_worker(mode: str, threads: int, *args: str) -> dict:
    """Run this script as a worker in a fresh process with ``threads`` BLAS threads."""
    env = dict(os.environ, **{v: str(threads) for v in THREAD_VARIABLES})
    cmd = [sys.executable, __file__, "--worker", mode, "--threads", str(threads), *args]
    out = subprocess.run(cmd, env=env, cwd=REPO, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_data():
    import mnist_data
    import nn_utils as nu

    x_train, y_train, x_test, y_test = mnist_data.load_mnist(REPO / "data")
    return nu.preprocess(x_train), y_train.astype(np.int64), nu.preprocess(x_test), y_test


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_accuracy(seed: int, epochs: int, weight_decay: float, strength: float) -> dict:
    """One full training run; its test accuracy, seconds per epoch and peak RSS."""
    import nn_utils as nu

    x_train, y_train, x_test, y_test = load_data()
    params, history = nu.train(
        nu.init_params(seed=seed),
        x_train,
        y_train,
        epochs=epochs,
        weight_decay=weight_decay,
        seed=seed,
        augment=nu.distortion(strength),
    )
    return {
        "seed": seed,
        "accuracy": nu.accuracy(y_test, nu.predict(params, x_test)),
        "seconds_per_epoch": float(np.mean(history["seconds"])),
        "peak_rss_mb": peak_rss_mb(),
    }


def numpy_epoch(state: dict, x, y, epoch: int) -> float:
    import nn_utils as nu

    start = time.perf_counter()
    state["params"], _ = nu.train(
        state["params"], x, y, epochs=1, seed=epoch, schedule="constant", augment=state["augment"]
    )
    return time.perf_counter() - start


def torch_epoch(state: dict, x, y, epoch: int) -> float:
    import torch

    model, optimiser = state["model"], state["optimiser"]
    start = time.perf_counter()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
    for i in range(0, len(x), 64):
        batch = order[i : i + 64]
        loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return time.perf_counter() - start


def worker_speed(threads: int, epochs: int) -> dict:
    """Alternate NumPy and PyTorch epochs of the same model; median seconds per epoch."""
    import nn_utils as nu

    x, y, _, _ = load_data()
    runners = {
        "numpy": (numpy_epoch, {"params": nu.init_params(), "augment": None}, x, y),
        "numpy_augmented": (
            numpy_epoch,
            {"params": nu.init_params(), "augment": nu.distortion(FINAL_STRENGTH)},
            x,
            y,
        ),
    }
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
        )
        optimiser = torch.optim.SGD(model.parameters(), lr=0.5)
        state = {"model": model, "optimiser": optimiser}
        runners["torch"] = (torch_epoch, state, torch.from_numpy(x), torch.from_numpy(y))
    times: dict[str, list[float]] = {name: [] for name in runners}
    for epoch in range(epochs + 1):  # epoch 0 warms caches and is not counted
        for name, (run, state, xs, ys) in runners.items():
            seconds = run(state, xs, ys, epoch)
            if epoch:
                times[name].append(seconds)
    result = {f"{name}_seconds": float(np.median(t)) for name, t in times.items()}
    result["torch_version"] = torch.__version__ if torch is not None else None
    return result | peak_gflops() | {"blas": describe_blas(blas_info())}


def blas_info() -> dict:
    """Which BLAS library and kernel NumPy runs: OpenBLAS picks its kernel per CPU at load time
    (or as OPENBLAS_CORETYPE forces it), and the kernel changes both speed and the last bits."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                keys = ("internal_api", "version", "architecture", "num_threads")
                return {key: pool.get(key) for key in keys}
    # Without threadpoolctl: NumPy's build configuration, and the loaded OpenBLAS asked directly.
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info = {"internal_api": blas.get("name"), "version": blas.get("version")}
    info["architecture"] = openblas_corename()
    return info


def openblas_corename() -> str | None:
    """The kernel the loaded OpenBLAS chose (e.g. Haswell, SkylakeX), or None if not found."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:  # Linux: the shared libraries this process loaded
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for symbol in ("openblas_get_corename", "scipy_openblas_get_corename64_"):
            function = getattr(library, symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return None


def describe_blas(info: dict) -> str:
    kernel = info.get("architecture") or "unknown kernel"
    forced = os.environ.get("OPENBLAS_CORETYPE")
    how = f"forced by OPENBLAS_CORETYPE={forced}" if forced else "chosen for this CPU"
    return f"BLAS: {info.get('internal_api')} {info.get('version')}, kernel {kernel} ({how})"


def peak_gflops() -> dict:
    """Best of a few large float32 matrix products: this machine's practical sgemm peak."""
    n = 4096
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), np.float32), rng.random((n, n), np.float32)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return {"peak_gflops": 2 * n**3 / best / 1e9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    parser.add_argument("--speed-epochs", type=int, default=5, help="timed epochs per library")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each accuracy run")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--strength", type=float, default=FINAL_STRENGTH, help="augmentation")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = {
            "accuracy": lambda: worker_accuracy(
                args.seeds[0], args.epochs, args.weight_decay, args.strength
            ),
            "speed": lambda: worker_speed(args.threads[0], args.speed_epochs),
        }[args.worker]()
        print(json.dumps(result))
        return

    threads = args.threads[-1]
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(describe_blas(blas_info()))
    print(
        f"\naccuracy: 784-64-10, {args.epochs} epochs, batch 64, lr 0.5 cosine, weight decay "
        f"{args.weight_decay:g}, augmentation strength {args.strength:g}, {threads} threads"
    )
    print("| seed | test accuracy | s/epoch | peak RSS |\n|---|---|---|---|")
    accuracies = []
    for seed in args.seeds:
        recipe = ["--epochs", str(args.epochs), "--weight-decay", str(args.weight_decay)]
        recipe += ["--strength", str(args.strength)]
        r = run_worker("accuracy", threads, "--seeds", str(seed), *recipe)
        accuracies.append(r["accuracy"])
        print(
            f"| {seed} | {r['accuracy']:.2%} | {r['seconds_per_epoch']:.3f} "
            f"| {r['peak_rss_mb']:.0f} MB |",
            flush=True,
        )
    print(
        f"mean {np.mean(accuracies):.2%}, standard deviation {np.std(accuracies, ddof=1):.2%}"
        if len(accuracies) > 1
        else ""
    )

    flops_per_epoch = FLOPS_PER_EXAMPLE * 60000
    print(f"\nspeed: median of {args.speed_epochs} epochs each, alternating, same threads;")
    print("peak: the best 4096x4096 float32 matrix product at that thread count")
    print(
        "| threads | NumPy s/epoch | augmented s/epoch (× plain) | PyTorch s/epoch | ratio "
        "| NumPy GFLOP/s (of peak) |"
    )
    print("|---|---|---|---|---|---|")
    for t in args.threads:
        r = run_worker("speed", t, "--speed-epochs", str(args.speed_epochs))
        ours, augmented = r["numpy_seconds"], r["numpy_augmented_seconds"]
        theirs = r.get("torch_seconds")
        torch_cell = f"{theirs:.3f}" if theirs else "(PyTorch not installed)"
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        gflops = flops_per_epoch / ours / 1e9
        share = f"{gflops:.1f} ({gflops / r['peak_gflops']:.0%} of {r['peak_gflops']:.0f})"
        aug_cell = f"{augmented:.3f} ({augmented / ours:.2f}×)"
        print(f"| {t} | {ours:.3f} | {aug_cell} | {torch_cell} | {ratio} | {share} |", flush=True)
    print(f"in the speed workers: {r['blas']}")
    if r["torch_version"]:
        print(f"PyTorch {r['torch_version']}")


if __name__ == "__main__":
    # Thread counts must be in the environment before NumPy loads its BLAS.
    if "--worker" in sys.argv and "--threads" in sys.argv:
        count = sys.argv[sys.argv.index("--threads") + 1]
        os.environ.update({v: count for v in THREAD_VARIABLES})
    sys.path.insert(0, str(REPO))
    import numpy as np

    main()
