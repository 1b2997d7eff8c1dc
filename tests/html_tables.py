"""The HTML report's tables read back, for the tests of the report and of its command
(imported as ``html_tables``: pytest puts tests/, tests/conftest.py's folder, on the path)."""

from __future__ import annotations

from html.parser import HTMLParser

Rows = list[list[tuple[str, float | None]]]


class HTMLTables(HTMLParser):
    """Each table of a document as rows of (text, data-value or None) cells, keyed by its
    first header cell (the last such table where two share it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, Rows] = {}
        self._rows: list | None = None
        self._cell: list[str] | None = None
        self._value: float | None = None

    @classmethod
    def read(cls, document: str):
        """The parser of ``cls`` fed the whole document."""
        parser = cls()
        parser.feed(document)
        parser.close()
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            self._value = float(attrs["data-value"]) if "data-value" in attrs else None

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._rows[-1].append(("".join(self._cell).strip(), self._value))
            self._cell = None
        elif tag == "table":
            self.tables[self._rows[0][0][0]] = self._rows

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(document: str, first: str) -> Rows:
    """The rows of the table whose first header cell is ``first``."""
    tables = HTMLTables.read(document).tables
    assert first in tables, first
    return tables[first]
