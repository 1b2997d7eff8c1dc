"""``logistic.viz.report``: one self-contained, escaped HTML file; and, where Chromium is
installed, that a browser renders it without script errors or network requests."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from logistic import LogisticRegression, load
from logistic.viz.report import build_report, write_report

EVIL = '<script>alert("x")</script> & "dose"'


class Document(HTMLParser):
    """Collects tags, attributes, table cells and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.cells: list[str] = []
        self.text: list[str] = []
        self.tables: list[list[list[str]]] = []  # table → rows → cells
        self._cell: list[str] | None = None
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag not in ("img", "meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self.tables[-1][-1].append(self.cells[-1])
            self._cell = None
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def table(self, first_header: str) -> dict[str, list[str]]:
        """The table whose first header cell is ``first_header``: {first cell: other cells}."""
        (found,) = [t for t in self.tables if t and t[0] and t[0][0] == first_header]
        return {row[0]: row[1:] for row in found}

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(document: str) -> Document:
    parser = Document()
    parser.feed(document)
    parser.close()
    assert not parser.open, f"unclosed tags: {parser.open}"
    return parser


def make_data(m: int = 250, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(m, 3)), columns=["age", EVIL, "weight"])
    z = 0.2 + X.to_numpy() @ np.array([1.0, -1.5, 0.5])
    y = np.where(rng.random(m) < 1 / (1 + np.exp(-z)), "R&D <yes>", "no")
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = make_data()
    return LogisticRegression().fit(X, y), X, y


@pytest.fixture(scope="module")
def report(fitted):
    model, X, y = fitted
    return build_report(model, X, y, title="Trial <1>", data_name="<data>.csv",
                        model_name="m&m.json")


def test_the_report_parses_and_holds_no_script_and_no_url(report):
    document = parse(report)
    assert report.startswith("<!DOCTYPE html>")
    assert "script" not in document.tags
    assert "link" not in document.tags and "iframe" not in document.tags
    assert "http://" not in report and "https://" not in report
    for _, name, value in document.attributes:
        assert not name.startswith("on"), name  # no event handlers
        if name in ("src", "href"):
            assert value.startswith("data:image/png;base64,"), value[:40]
    assert "<style>" in report


def test_user_strings_are_escaped(report):
    document = parse(report)
    text = "".join(document.text)
    assert EVIL in text  # shown as text ...
    assert EVIL not in report  # ... because it is escaped in the source
    assert "R&D <yes>" in text and "<yes>" not in report
    assert "Trial <1>" in text and "<data>.csv" in text and "m&m.json" in text


def test_images_are_embedded_pngs(report):
    document = parse(report)
    sources = [value for tag, name, value in document.attributes if tag == "img"
               and name == "src"]
    assert len(sources) >= 4  # ROC, calibration, coefficients, scores
    for source in sources:
        data = base64.b64decode(source.removeprefix("data:image/png;base64,"), validate=True)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    alts = [value for tag, name, value in document.attributes if tag == "img" and name == "alt"]
    assert {"ROC curve", "Calibration", "Coefficients", "Scores"} <= set(alts)


def test_the_coefficient_table_metrics_and_checks(fitted, report):
    model, X, y = fitted
    document = parse(report)
    summary = model.summary().table
    table = document.table("term")
    assert table["term"] == ["coef", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    assert list(table)[1:] == list(summary.index)
    for term in summary.index:
        coef, std_err, z, _, low, high = table[term]
        assert coef == f"{summary.loc[term, 'coef']:.4f}"
        assert std_err == f"{summary.loc[term, 'std err']:.4f}"
        assert [low, high] == [f"{summary.loc[term, c]:.4f}" for c in ("[0.025", "0.975]")]
    proba = model.predict_proba(X)
    positive = model.classes_[1]
    metrics = document.table("metric")
    expected = {
        "accuracy": accuracy_score(y, model.predict(X)),
        "log-loss": log_loss(y, proba, labels=model.classes_),
        f"ROC AUC (positive: {positive})": roc_auc_score(y == positive, proba[:, 1]),
    }
    for name, value in expected.items():
        assert metrics[name] == [f"{value:.4f}"], name
    checks = document.table("step")
    assert len(checks) == 1 + 9
    assert all(row[-1].startswith("✓ rel. err") for name, row in checks.items() if name != "step")
    features = document.table("feature")
    assert list(features)[1:] == ["age", EVIL, "weight"]


@pytest.mark.slow
def test_penalized_and_multiclass_models_report_what_they_have():
    X, y = make_data()
    penalized = LogisticRegression(penalty="l2").fit(X, y)
    document = build_report(penalized, X, y)
    table = parse(document).table("term")
    assert table["term"] == ["coef"]
    assert "penalized estimate is biased" in document

    rng = np.random.default_rng(2)
    Xm = pd.DataFrame(rng.normal(size=(150, 2)), columns=["u", "v"])
    ym = np.array(["a", "b", "c"])[np.argmax(Xm.to_numpy() @ [[2, -1, 0], [0, 1, -2]], axis=1)]
    multi = LogisticRegression(penalty="l2").fit(Xm, ym)
    document = build_report(multi, Xm, ym)
    parse(document)
    assert "3 classes" in document and "ROC AUC (one vs rest" in document
    assert 'alt="Scores"' not in document


@pytest.mark.slow
def test_write_report_is_atomic_and_checks_the_labels(fitted, tmp_path):
    model, X, y = fitted
    target = tmp_path / "report.html"
    target.write_text("old")
    write_report(target, model, X, y)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with pytest.raises(ValueError, match="'maybe'"):
        write_report(target, model, X, np.where(y == "no", "maybe", y))
    with pytest.raises(FileNotFoundError):
        write_report(tmp_path / "no" / "r.html", model, X, y)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- separation: the summary's † marks and note ----------------------------------------------
FLAG = 'flag <b>†&"'  # an indicator set only in class 1, its name to be escaped


def separated_fit():
    """Quasi-complete separation by FLAG (as ``make_data``, plus the indicator)."""
    import warnings

    X, y = make_data()
    rng = np.random.default_rng(5)
    X[FLAG] = ((y == "R&D <yes>") & (rng.random(len(y)) < 0.15)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SeparationWarning
        model = LogisticRegression().fit(X, y)
    assert model.summary().separated == (FLAG,)
    return model, X, y


def _marked_terms(document: Document) -> list[str]:
    table = document.table("term")
    return [term.removesuffix(" †") for term in list(table)[1:] if term.endswith(" †")]


def test_a_separated_fit_reports_the_marks_and_the_note(tmp_path):
    model, X, y = separated_fit()
    summary = model.summary()
    footnote = summary.note.splitlines()[-1]
    assert footnote.startswith("† Quasi-complete separation") and FLAG in footnote
    for shown in (model, load(_saved(model, tmp_path))):
        page = build_report(shown, X, y)
        document = parse(page)
        assert _marked_terms(document) == [FLAG]  # exactly the separated term, escaped
        assert list(document.table("term"))[1:] == list(summary.marked_table().index)
        paragraphs = [t.strip() for t in document.text]
        assert footnote in paragraphs  # the note's own paragraph, the summary's text
        assert FLAG not in page and "<b>" not in page.split("<body>")[1]  # escaped
        assert document.table("field")["Separation"] == ["quasi-complete"]


def _saved(model, tmp_path: Path) -> Path:
    path = tmp_path / "separated.json"
    model.save(path)
    return path


def test_a_fit_without_separation_reports_no_marks(fitted, report):
    model, _, _ = fitted
    assert model.separation_ is None
    document = parse(report)
    assert _marked_terms(document) == [] and "†" not in report
    assert "Separation" not in document.table("field")


# -- in a real browser -----------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _render(page: Path, tmp_path: Path) -> tuple[Path, str, list[str]]:
    """Screenshots ``page`` in headless Chromium: (screenshot, stderr, http(s) URLs the page
    itself requested, from Chromium's network log)."""
    shot, netlog = tmp_path / "shot.png", tmp_path / "net.json"
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
        "--window-size=1200,2000", "--enable-logging=stderr", "--v=0",
        f"--log-net-log={netlog}", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    requested = []
    if netlog.exists():
        events = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))["events"]
        for event in events:
            params = event.get("params") or {}
            url = str(params.get("url", ""))
            # requests made for the page (from a file:// document), not Chromium's own
            from_page = ("file://" in str(params.get("network_isolation_key", ""))
                         or params.get("initiator") == "null")
            if url.startswith(("http://", "https://")) and from_page:
                requested.append(url)
    return shot, done.stderr, requested


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "Uncaught" in line or ("ERR_" in line and "http" in line)]


needs_chromium = pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")


@pytest.mark.slow
@needs_chromium
def test_chromium_renders_the_report_without_errors_or_requests(fitted, tmp_path):
    import matplotlib.image

    model, X, y = fitted
    page = tmp_path / "report.html"
    write_report(page, model, X, y)
    shot, stderr, requested = _render(page, tmp_path)
    assert shot.exists(), stderr[-2000:]
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.std() > 0.05  # not a blank page
    assert (pixels.min(axis=2) < 0.5).mean() > 0.005  # some dark ink: text, tables, plots
    assert _console_errors(stderr) == []
    assert requested == []


@needs_chromium
def test_the_browser_check_catches_a_bad_page(tmp_path):
    """The detectors above have teeth: an external image and a script error are seen."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><p>bad</p><img src="https://example.invalid/x.png">'
                    "<script>not_defined();</script></body></html>", encoding="utf-8")
    _, stderr, requested = _render(page, tmp_path)
    assert any("Uncaught" in line for line in _console_errors(stderr))
    assert requested == ["https://example.invalid/x.png"] or any(
        "example.invalid" in url for url in requested)
