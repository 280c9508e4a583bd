"""Train an MNIST model on all 60,000 training images and report test accuracy as one JSON line.

    .venv/bin/python benchmarks/mnist.py --data DIR [--framework numpy|torch]
    .venv/bin/python benchmarks/mnist.py --data DIR --model cnn

DIR holds the four official files (train-images-idx3-ubyte.gz, ...); their SHA-256 is checked.
For the MLP both frameworks train the same architecture with the same hyper-parameters and
schedule. The CNN (the original notes' conv32-conv64-pool-dense128) is trained in PyTorch.
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
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument(
        "--framework", choices=("numpy", "torch"), default=None, help="mlp: numpy; cnn: torch"
    )
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 128], help="mlp only")
    parser.add_argument("--epochs", type=int, default=None, help="default 10 (mlp), 3 (cnn)")
    parser.add_argument("--batch-size", type=int, default=None, help="default 256 (mlp), 128 (cnn)")
    parser.add_argument("--lr", type=float, default=None, help="default 2e-3 (mlp), 1e-3 (cnn)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads for numpy (default 1: OpenBLAS threads busy-wait and slow down badly "
        "when other processes share the cores) or torch threads (default 2)",
    )
    args = parser.parse_args()
    if args.framework is None:
        args.framework = "numpy" if args.model == "mlp" else "torch"
    if args.model == "cnn" and args.framework != "torch":
        parser.error("--model cnn is trained in PyTorch: use --framework torch")
    if args.epochs is None:
        args.epochs = 10 if args.model == "mlp" else 3
    if args.batch_size is None:
        args.batch_size = 256 if args.model == "mlp" else 128
    if args.lr is None:
        args.lr = 2e-3 if args.model == "mlp" else 1e-3
    if args.threads is None:
        args.threads = 1 if args.framework == "numpy" else 2
    wall_start = time.perf_counter()

    train_images, train_labels = load_split(args.data, "train")
    test_images, test_labels = load_split(args.data, "t10k")
    if args.model == "cnn":
        return run_cnn(args, train_images, train_labels, test_images, test_labels, wall_start)
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
        "model": "mlp",
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


def run_cnn(args, train_images, train_labels, test_images, test_labels, wall_start) -> None:
    """Train the notes' CNN in PyTorch on uint8 images and print the same JSON line."""
    import torch
    from mnist.torch_cnn import predict_torch_cnn, train_torch_cnn

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = train_torch_cnn(
        train_images,
        train_labels,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
    )
    predicted = predict_torch_cnn(model, test_images)
    seconds = time.perf_counter() - start
    result = {
        "model": "cnn",
        "framework": "torch",
        "test_accuracy": round(float((predicted == test_labels).mean()), 4),
        "seconds": round(seconds, 1),  # training + evaluation
        "wall_seconds": round(time.perf_counter() - wall_start, 1),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "threads": args.threads,
        "train_images": len(train_images),
        "test_images": len(test_images),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
