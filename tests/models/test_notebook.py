"""``model.summary()`` as a notebook's last expression shows a titled HTML table, and at a
REPL (``text/plain``, its ``__repr__``) the same table ``print`` shows: a real notebook run by
nbclient on a python3 kernel."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

SETUP = """\
from sklearn.datasets import load_breast_cancer
from logistic import LogisticRegression
X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X = X[["mean radius", "mean texture", "mean smoothness"]]
model = LogisticRegression().fit(X, y)"""


def run_notebook() -> list[dict]:
    """The outputs of the summary cell, or a skip where no python3 kernel can start."""
    from jupyter_client.kernelspec import NoSuchKernel

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP),
                      nbformat.v4.new_code_cell("model.summary()")]
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120)
    try:
        client.execute()
    except (NoSuchKernel, RuntimeError) as error:  # no kernel spec, or it failed to start
        pytest.skip(f"no python3 Jupyter kernel could start ({error}); "
                    "python -m ipykernel install --user registers one")
    return notebook.cells[1].outputs


@pytest.mark.slow
def test_summary_in_a_notebook_is_a_titled_html_table_and_the_plain_table():
    from sklearn.datasets import load_breast_cancer

    from logistic import LogisticRegression

    outputs = run_notebook()
    results = [o for o in outputs if o["output_type"] == "execute_result"]
    assert len(results) == 1, outputs
    data = results[0]["data"]
    page, plain = data["text/html"], data["text/plain"]
    assert "<caption>Logistic Regression Results</caption>" in page
    for name in ("Intercept", "mean radius", "mean texture", "mean smoothness"):
        assert f"<th>{name}</th>" in page
        assert name in plain

    # the same fit here: the notebook's text is the table str() prints (what a REPL shows)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X[["mean radius", "mean texture", "mean smoothness"]]
    summary = LogisticRegression().fit(X, y).summary()
    assert repr(summary) == str(summary)
    assert plain == str(summary)
