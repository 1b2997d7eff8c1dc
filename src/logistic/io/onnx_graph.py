"""An ONNX graph assembled node by node, with names that never collide.

``onnx`` is optional (``pip install 'logistic[onnx]'``): it is imported by ``require_onnx``
when a graph is built, never when logistic is imported. The graphs use the default domain
only, at opset ``OPSET`` (19: the first where ``Equal`` compares strings), IR version 9, which
onnxruntime ≥ 1.15 runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.exceptions import ExportDependencyError, ExportError

__all__ = ["INSTALL_HINT", "IR_VERSION", "OPSET", "GraphBuilder", "require_onnx"]

OPSET = 19
IR_VERSION = 9
INSTALL_HINT = "pip install 'logistic[onnx]'"


def require_onnx() -> Any:
    """The ``onnx`` package, or ``ExportDependencyError`` saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise ExportDependencyError(
            f"exporting to ONNX needs the optional package 'onnx': {INSTALL_HINT}"
        ) from None
    return onnx


class GraphBuilder:
    """Nodes, constants, inputs and outputs of one graph; each value gets a fresh name."""

    def __init__(self) -> None:
        self.onnx = require_onnx()
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self._used: set[str] = set()
        self._count = 0

    def claim(self, name: str, what: str) -> str:
        """Reserves ``name`` (an input's or output's, chosen by the model)."""
        if name in self._used:
            raise ExportError(f"the ONNX graph would have two values named {name!r} ({what}); "
                              "rename the column")
        self._used.add(name)
        return name

    def fresh(self, hint: str) -> str:
        """A new internal name, unlike any input, output or other value."""
        while True:
            self._count += 1
            name = f"{hint}.{self._count}"
            if name not in self._used:
                self._used.add(name)
                return name

    def add_input(self, name: str, elem_type: int, width: int | None) -> str:
        """An input of shape [N] (width None) or [N, width], N free."""
        self.claim(name, "an input")
        shape = ["N"] if width is None else ["N", width]
        self.inputs.append(self.onnx.helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def add_output(self, name: str, elem_type: int, shape: list[Any]) -> None:
        self.outputs.append(self.onnx.helper.make_tensor_value_info(name, elem_type, shape))

    def constant(self, values: Any, hint: str = "const") -> str:
        """An initializer holding ``values`` (a NumPy array: float64, int64, bool or str)."""
        array = np.asarray(values)
        if array.dtype.kind in "UO":
            array = array.astype(object)
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        """Appends the node ``op_type(inputs)`` and returns the name of its (one) output."""
        out = output if output is not None else self.fresh(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [out], **attributes))
        return out

    def model(self, doc: str, metadata: dict[str, str]) -> Any:
        """The finished ``onnx.ModelProto``, checked by ``onnx.checker`` (shapes inferred)."""
        from logistic import __version__

        helper = self.onnx.helper
        graph = helper.make_graph(self.nodes, "logistic", self.inputs, self.outputs,
                                  self.initializers, doc_string=doc)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="logistic", producer_version=__version__,
                                  doc_string=doc)
        model.ir_version = IR_VERSION
        helper.set_model_props(model, metadata)
        self.onnx.checker.check_model(model, full_check=True)
        return model
