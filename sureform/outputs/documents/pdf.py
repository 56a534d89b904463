"""Rendering our .docx files with LibreOffice: to PDF, and the first page to PNG (for the README).

The official fonts (仿宋_GB2312, 黑体, 方正小标宋简体) are rarely installed on Linux; for the rendering
only, a private fontconfig file maps them to Noto CJK SC faces of the same kind, so the pictures show
Simplified Chinese glyphs with serif body, sans headings and a heavy title. The documents keep naming
the official fonts.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 240

# official font -> (Noto family, bold?)
FONT_STAND_INS = {
    "仿宋_GB2312": ("Noto Serif CJK SC", False),
    "仿宋": ("Noto Serif CJK SC", False),
    "FangSong": ("Noto Serif CJK SC", False),
    "楷体_GB2312": ("Noto Serif CJK SC", False),
    "楷体": ("Noto Serif CJK SC", False),
    "宋体": ("Noto Serif CJK SC", False),
    "SimSun": ("Noto Serif CJK SC", False),
    "方正小标宋简体": ("Noto Serif CJK SC", True),
    "方正小标宋_GBK": ("Noto Serif CJK SC", True),
    "黑体": ("Noto Sans CJK SC", False),
    "SimHei": ("Noto Sans CJK SC", False),
    "微软雅黑": ("Noto Sans CJK SC", False),
}


class RenderError(RuntimeError):
    pass


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RenderError(f"{name} is not installed (LibreOffice and poppler-utils are needed to render)")
    return found


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig_file(folder: Path) -> Path:
    """A fontconfig file: the system configuration plus stand-ins for the official Chinese fonts."""
    rules = []
    for family, (stand_in, bold) in FONT_STAND_INS.items():
        weight = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if bold else ""
        rules.append(
            f'<match target="pattern"><test name="family"><string>{family}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{stand_in}</string></edit>{weight}</match>'
        )
    system = "/etc/fonts/fonts.conf"
    include = f'<include ignore_missing="yes">{system}</include>' if os.path.exists(system) else ""
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        + include
        + "".join(rules)
        + "</fontconfig>",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx_path: Path, outdir: Path, timeout: int = TIMEOUT) -> Path:
    """Convert with a fresh LibreOffice profile (no clash with a running instance); returns the PDF."""
    soffice = soffice_path()
    if not soffice:
        raise RenderError("soffice is not installed (LibreOffice is needed to render)")
    docx_path, outdir = Path(docx_path).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sureform-lo-") as work:
        work_dir = Path(work)
        env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig_file(work_dir)))
        env.setdefault("LANG", "C.UTF-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={(work_dir / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx_path),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    pdf = outdir / (docx_path.stem + ".pdf")
    if done.returncode != 0 or not pdf.is_file():
        raise RenderError(f"LibreOffice could not convert {docx_path.name}: {done.stderr.strip() or done.stdout.strip()}")
    return pdf


def pdf_text(pdf_path: Path, layout: bool = False) -> str:
    """The text of a PDF (pdftotext): table columns one after another, or as laid out on the page."""
    options = ["-layout"] if layout else []
    done = subprocess.run(
        [_tool("pdftotext"), *options, "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, timeout=TIMEOUT
    )
    if done.returncode != 0:
        raise RenderError(f"pdftotext failed on {pdf_path}: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode("utf-8")


def pdf_page_png(pdf_path: Path, png_path: Path, page: int = 1, dpi: int = 60) -> Path:
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sureform-png-") as work:
        prefix = Path(work) / "page"
        cmd = [_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
        done = subprocess.run(cmd + [str(pdf_path), str(prefix)], capture_output=True, timeout=TIMEOUT)
        made = prefix.with_suffix(".png")
        if done.returncode != 0 or not made.is_file():
            raise RenderError(f"pdftoppm failed on {pdf_path}: {done.stderr.decode(errors='replace')}")
        shutil.move(str(made), png_path)
    return png_path


def render_first_page_png(docx_path: Path, png_path: Path, dpi: int = 60) -> Path:
    """The first page of a .docx as a PNG (soffice → PDF → pdftoppm -png -r 60 -f 1 -l 1)."""
    with tempfile.TemporaryDirectory(prefix="sureform-pdf-") as work:
        pdf = docx_to_pdf(Path(docx_path), Path(work))
        return pdf_page_png(pdf, Path(png_path), page=1, dpi=dpi)
