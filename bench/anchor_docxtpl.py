"""Anchor: the naive merge a user could write with docxtpl, one template load per letter.

``python bench/anchor_docxtpl.py TEMPLATE DATA.xlsx OUT N``: the first N rows of DATA
(openpyxl, values only), each rendered with ``DocxTemplate(TEMPLATE).render(row)`` (a
Jinja environment with a plain ``datum`` filter) and saved as OUT/brief-NNNNN.docx.
"""

import sys
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from openpyxl import load_workbook


def main() -> int:
    template, data, out, count = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(
        sys.argv[4])
    out.mkdir(parents=True, exist_ok=True)
    environment = jinja2.Environment(autoescape=True)
    environment.filters["datum"] = lambda value: f"{value:%d-%m-%Y}" if value else ""
    rows = load_workbook(data, read_only=True).active.iter_rows(values_only=True)
    header = [str(name) for name in next(rows)]
    for number, row in enumerate(rows, start=1):
        if number > count:
            break
        document = DocxTemplate(template)
        document.render(dict(zip(header, row, strict=False)), environment, autoescape=True)
        document.save(out / f"brief-{number:05d}.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
