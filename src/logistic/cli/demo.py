"""``logistic demo``: scikit-learn's breast-cancer data, standardized, an L2-penalized fit, and
its held-out scores."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import UsageError, warnings_to_stderr, writing
from logistic.cli.options import Subcommands, add_command, seed

if TYPE_CHECKING:  # the handler imports these when it runs: parsing imports no NumPy
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from logistic.models.logistic_regression import LogisticRegression

DEMO_MODEL_PATH = "logistic-demo-model.json"

#: What ``logistic demo --write-data`` writes: the files the README's and docs' examples name.
DEMO_DATA_FILES = ("data.csv", "test.csv", "new.csv", "bank.csv", "breast_cancer.csv",
                   "big.parquet", "dataset_dir")


def register(commands: Subcommands) -> None:
    """Adds ``demo`` and its options."""
    demo = add_command(
        commands, "demo", help="fit the breast-cancer data shipped with scikit-learn",
        description="Fits an L2-penalized model to scikit-learn's breast-cancer data and "
        "reports held-out accuracy, log-loss and ROC AUC.",
    )
    demo.add_argument(
        "--out", type=Path, default=Path(DEMO_MODEL_PATH), metavar="PATH",
        help=f"where to write the model (default: ./{DEMO_MODEL_PATH})",
    )
    demo.add_argument("--seed", type=seed, default=0,
                      help="train/test split seed, 0 to 4294967295 (default 0)")
    demo.add_argument(
        "--write-data", nargs="?", const=Path("."), type=Path, metavar="DIR",
        help="instead of the demo, write the small data files the documentation's examples "
        f"read ({', '.join(DEMO_DATA_FILES)}) into DIR (default: the current directory); "
        "existing files are not replaced",
    )
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """``logistic demo``: breast-cancer data, standardized, L2-penalized fit, held-out scores."""
    # imported here, not at the top: building the parser (every command, --help) imports
    # none of NumPy, pandas, scikit-learn or rich (tests/test_startup.py)
    from rich.text import Text
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from logistic.cli.output_paths import check_output_path
    from logistic.cli.render import render_summary
    from logistic.io.model_file import save
    from logistic.models.logistic_regression import LogisticRegression

    if args.write_data is not None:
        return write_demo_data(args.write_data, console)
    out = check_output_path(args.out)
    data = load_breast_cancer(as_frame=True)
    X = data.data
    y = data.target_names[data.target.to_numpy()]  # 'malignant' / 'benign'
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=args.seed
    )
    scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    console.print(
        f"Breast-cancer data (scikit-learn): {len(X)} tumours, {X.shape[1]} features; "
        f"stratified split: {len(X_train)} to train, {len(X_test)} held out (seed {args.seed})."
    )
    console.print(
        "Features are standardized (mean 0, standard deviation 1 on the training rows), so "
        "the coefficients are comparable: each is the change in log-odds per standard "
        "deviation of its feature."
    )
    console.print(
        "Penalty: L2 with C = 1. Without it the fit is (quasi-)separated: a hyperplane "
        "splits the training classes, so the unpenalized maximum-likelihood estimate does not "
        "exist and its coefficients would run off towards infinity."
    )
    model = LogisticRegression(penalty="l2", C=1.0)
    warnings_to_stderr(lambda: model.fit(X_train, y_train))

    console.print()
    render_summary(console, model.summary())
    console.print(_held_out_scores(model, X_test, y_test))
    console.print(
        f"Solver: {model.solver_}, {int(model.n_iter_[0])} iterations "
        f"({'converged' if model.converged_ else 'NOT converged'})."
    )

    with writing(out, "the model"):
        save(model, out)
    console.print(Text(f"Model written to {out}", style="bold"))
    console.print(
        "It expects standardized features: subtract each feature's training mean and divide "
        "by its training scale (below) before `logistic predict`."
    )
    console.print(_scaling_table(scaler))
    return 0


def _held_out_scores(model: LogisticRegression, X_test: pd.DataFrame, y_test) -> Table:
    from rich.table import Table
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score  # as in cmd_demo

    positive = model.classes_[1]
    proba = model.predict_proba(X_test)
    scores = Table(title="Held-out performance", show_header=False, title_justify="left")
    scores.add_column("metric")
    scores.add_column("value", justify="right")
    scores.add_row("test rows", str(len(X_test)))
    scores.add_row("accuracy", f"{accuracy_score(y_test, model.predict(X_test)):.4f}")
    scores.add_row("log-loss", f"{log_loss(y_test, proba, labels=model.classes_):.4f}")
    scores.add_row(f"ROC AUC (positive: {positive})",
                   f"{roc_auc_score(y_test == positive, proba[:, 1]):.4f}")
    return scores


def _scaling_table(scaler) -> Table:
    from rich.table import Table
    from rich.text import Text

    scaling = Table(title="Standardization (training rows)", title_justify="left")
    scaling.add_column("feature")
    scaling.add_column("mean", justify="right")
    scaling.add_column("scale", justify="right")
    for name, mean, scale in zip(scaler.feature_names_in_, scaler.mean_, scaler.scale_,
                                 strict=True):
        scaling.add_row(Text(str(name)), f"{mean:.6g}", f"{scale:.6g}")
    return scaling


def write_demo_data(directory: Path, console: Console) -> int:
    """``logistic demo --write-data``: the documentation's example files, generated (seed 0).

    ``data.csv`` (200 rows; features x1, x2 and the 0/1 label y), ``test.csv`` (100 more rows
    of the same model), ``new.csv`` (10 rows to predict: x1, x2, the bank columns and a
    ``customer`` id; one job level that bank.csv never has), ``bank.csv`` (400 customers: y
    yes/no, age, job, balance), ``breast_cancer.csv`` (scikit-learn's data with its
    ``diagnosis``), ``big.parquet`` (data.csv as Parquet) and ``dataset_dir/`` (two Parquet
    parts: x1, x2, a weight w and y). Nothing existing is replaced: any of these names
    already there stops the command before it writes anything.
    """
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    if not directory.is_dir():
        raise UsageError(f"{directory}: is not a directory")
    existing = [name for name in DEMO_DATA_FILES if (directory / name).exists()]
    if existing:
        raise UsageError(f"{directory / existing[0]}: exists; --write-data replaces nothing "
                         "(remove it, or give another directory)")
    rng = np.random.default_rng(0)

    def binary(rows: int) -> pd.DataFrame:  # P(y = 1) = σ(0.5 + 1.5·x1 − x2)
        x = rng.standard_normal((rows, 2))
        p = 1 / (1 + np.exp(-(0.5 + 1.5 * x[:, 0] - x[:, 1])))
        return pd.DataFrame({"x1": x[:, 0].round(4), "x2": x[:, 1].round(4),
                             "y": (rng.random(rows) < p) * 1})

    jobs = np.array(["admin", "blue-collar", "management", "retired", "services", "technician"])

    def customers(rows: int, job_levels: np.ndarray) -> pd.DataFrame:
        age = rng.integers(18, 90, rows)
        return pd.DataFrame({"age": age, "job": rng.choice(job_levels, rows),
                             "balance": (rng.gamma(1.5, 900, rows) - 300).astype(int)})

    data, test = binary(200), binary(100)
    bank = customers(400, jobs)
    score = -2 + 0.03 * (bank.age - 40) + 0.0004 * bank.balance + 0.8 * (bank.job == "retired")
    bank.insert(0, "y", np.where(rng.random(400) < 1 / (1 + np.exp(-score)), "yes", "no"))
    new = pd.concat([binary(10).drop(columns="y"),
                     customers(10, np.append(jobs, "student"))], axis=1)
    new.insert(0, "customer", [f"c{k:03d}" for k in range(1, 11)])
    new.loc[0, "job"] = "student"  # a level bank.csv never has: predict --unseen-levels
    cancer = load_breast_cancer(as_frame=True)
    breast = cancer.data.assign(diagnosis=cancer.target_names[cancer.target.to_numpy()])
    parts = binary(300).assign(w=np.round(rng.uniform(0.5, 2.0, 300), 2))

    with writing(directory, "the demo data"):
        for name, frame in [("data.csv", data), ("test.csv", test), ("new.csv", new),
                            ("bank.csv", bank), ("breast_cancer.csv", breast)]:
            frame.to_csv(directory / name, index=False)
        data.to_parquet(directory / "big.parquet", index=False)
        (directory / "dataset_dir").mkdir()
        parts.iloc[:150].to_parquet(directory / "dataset_dir" / "part-0.parquet", index=False)
        parts.iloc[150:].to_parquet(directory / "dataset_dir" / "part-1.parquet", index=False)
    for name in DEMO_DATA_FILES:
        console.print(f"wrote {directory / name}")
    return 0
