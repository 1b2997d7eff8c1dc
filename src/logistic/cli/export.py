"""``logistic export MODEL.json --onnx OUT.onnx``: a saved model as an ONNX graph.

The graph gives ``label`` and ``probabilities`` as ``logistic predict`` does
(``io/onnx_export.py``); ``onnx`` is optional (``pip install 'logistic[onnx]'``). Only
argparse and the CLI's own option and error modules load when the command line is parsed;
the model file reader and the exporter load when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from logistic.cli.errors import UsageError
from logistic.cli.options import Subcommands, add_command


def register(commands: Subcommands) -> None:
    """Adds ``export`` and its options."""
    export = add_command(
        commands, "export", help="export a saved model to ONNX",
        description="Writes the saved model as an ONNX graph with the outputs 'label' and "
        "'probabilities' (double). Its input is 'X', double [N, n_features], or for a "
        "formula model one [N, 1] input per raw column. Needs pip install 'logistic[onnx]'.",
    )
    export.add_argument("model", type=Path, metavar="MODEL.json")
    export.add_argument("--onnx", type=Path, metavar="OUT.onnx", required=True,
                        help="write the ONNX model here")
    export.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace, console: Any) -> int:
    """``logistic export``: the model file at ``args.model`` written as ONNX to ``args.onnx``."""
    from logistic.cli.output_paths import check_output_path
    from logistic.exceptions import ExportError
    from logistic.io.model_file import load
    from logistic.io.onnx_graph import require_onnx

    out = check_output_path(args.onnx, args.model)
    try:
        require_onnx()  # before reading the model: the fix is an install, whatever the file
    except ExportError as error:
        raise UsageError(str(error)) from None
    try:
        model = load(args.model)
        if not hasattr(model, "to_onnx"):
            raise UsageError(f"{args.model}: a {type(model).__name__} model has no ONNX "
                             "export; only logistic regression models are exported")
        proto = model.to_onnx(out)
    except ExportError as error:
        raise UsageError(f"{args.model}: cannot export to ONNX: {error}") from None
    names = ", ".join(value.name for value in proto.graph.input)
    console.print(f"ONNX model written to {out} (inputs: {names}; outputs: label, probabilities)")
    return 0
