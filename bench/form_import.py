"""How fast is `editions import`? Reads a blank form of N items (the 2021–22 items repeated, `1★.` numbering,
every third item wrapped onto a second row) and makes its edition, in-process; and a .doc through LibreOffice.

    .venv/bin/python bench/form_import.py [--items 11 200 1000] [--repeat 3] [--doc]

Prints the median wall time of reading the form and of making the edition. Not a test: run it by hand and
compare before and after a change.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))


def make_form(path: Path, items: int) -> Path:
    import docx

    import make_blank_forms as blanks

    doc = docx.Document()
    doc.add_paragraph("一、改革自评表")
    doc.add_paragraph(blanks.LEGEND_2023)
    doc.add_paragraph(blanks.TITLE_2022_SCHOOL)
    rows = []
    for n in range(1, items + 1):
        mark, text, note = blanks.ITEMS_2022[(n - 1) % len(blanks.ITEMS_2022)]
        if n % 3 == 0 and len(text) > 12:
            rows += [(f"{n}{mark}. {text[:12]}", "□是 □否", note), (text[12:], "", "")]
        else:
            rows.append((f"{n}{mark}. {text}", "□是 □否", note))
    table = doc.add_table(rows=1 + len(rows), cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("指标", "结论", "备注")):
        cell.text = text
    for row, texts in zip(table.rows[1:], rows):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    doc.add_paragraph()
    doc.save(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[11, 200, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--doc", action="store_true", help="also a .doc converted by LibreOffice")
    args = parser.parse_args()
    from sureform.intake.form_tables import soffice_path
    from sureform.rules.form_import import edition_from_form, read_form

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for n in args.items:
            path = make_form(work / f"f{n}.docx", n)
            reads, makes = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                form = read_form(path)
                t1 = time.perf_counter()
                edition_from_form(form, "bench")
                makes.append(time.perf_counter() - t1)
                reads.append(t1 - t0)
            print(f"{n:5d} items: read {statistics.median(reads) * 1000:7.1f} ms, "
                  f"edition {statistics.median(makes) * 1000:7.1f} ms ({len(form.tables[0].rows)} rows read)")
        if args.doc and soffice_path():
            path = make_form(work / "f.docx", 11)
            with tempfile.TemporaryDirectory() as profile:
                subprocess.run([soffice_path(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                                "--convert-to", "doc", "--outdir", str(work), str(path)], check=True,
                               capture_output=True, timeout=120)
            t0 = time.perf_counter()
            read_form(work / "f.doc")
            print(f"   .doc (11 items, LibreOffice conversion included): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
