"""Train the MNIST MLP on all 60,000 training images and report test accuracy as one JSON line.

    .venv/bin/python benchmarks/mnist.py --data DIR [--framework numpy|torch]

DIR holds the four official files (train-images-idx3-ubyte.gz, ...); their SHA-256 is checked.
Both frameworks train the same architecture with the same hyper-parameters and schedule.
"""

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is itself called mnist.py: put snippets/ (the mnist package) in place of its folder.
sys.path[:] = [str(ROOT / "snippets")] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from mnist.idx import load_split  # noqa: E402
from mnist.mlp import predict, preprocess, train_mlp  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, required=True, help="directory of the official .gz files"
    )
    parser.add_argument("--framework", choices=("numpy", "torch"), default="numpy")
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads for numpy (default 1: OpenBLAS threads busy-wait and slow down badly "
        "when other processes share the cores) or torch threads (default 2)",
    )
    args = parser.parse_args()
    if args.threads is None:
        args.threads = 1 if args.framework == "numpy" else 2
    wall_start = time.perf_counter()

    train_images, train_labels = load_split(args.data, "train")
    test_images, test_labels = load_split(args.data, "t10k")
    x_train, x_test = preprocess(train_images), preprocess(test_images)
    hyper = dict(
        hidden=tuple(args.hidden),
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
    )

    start = time.perf_counter()
    if args.framework == "numpy":
        with threadpool_limits(limits=args.threads):
            params, _ = train_mlp(x_train, train_labels, **hyper)
            predicted = predict(params, x_test)
    else:
        import torch
        from mnist.torch_mlp import predict_torch, train_torch_mlp

        torch.set_num_threads(args.threads)
        model = train_torch_mlp(x_train, train_labels, **hyper)
        predicted = predict_torch(model, x_test)
    seconds = time.perf_counter() - start

    result = {
        "framework": args.framework,
        "test_accuracy": round(float((predicted == test_labels).mean()), 4),
        "seconds": round(seconds, 1),  # training + evaluation
        "wall_seconds": round(time.perf_counter() - wall_start, 1),  # including reading the data
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "hidden": list(args.hidden),
        "threads": args.threads,
        "train_images": len(x_train),
        "test_images": len(x_test),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
