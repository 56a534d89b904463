"""The org chart picture: a 主席团 box on top, lines down to one box per work department, head counts."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from sureform.model import OrgChart
from sureform.outputs.documents.fonts import FontFile, find_cjk_font, load_font
from sureform.outputs.documents.wording import ORG_CHART_ALT, ORG_CHART_HEADCOUNT, ORG_CHART_PRESIDIUM

WIDTH = 1800  # pixels; embedded 15 cm wide, i.e. about 300 dpi
DPI = 300
MARGIN = 40
GAP = 24  # between department boxes
LEVEL_GAP = 150  # vertical room for the connectors
LINE = 4
MAX_FONT, MIN_FONT = 52, 22
ONE_LINE_MIN_FONT = 40  # below this, wrapping a long name reads better than shrinking all
PADDING = 12
MAX_BOX_WIDTH = 380  # a few departments get boxes of a sensible size, centred
MAX_NAME_LINES = 4
INK, PAPER, FILL = (0, 0, 0), (255, 255, 255), (235, 235, 235)


@dataclass
class _Box:
    left: int
    top: int
    right: int
    bottom: int
    lines: list[str]

    @property
    def center(self) -> int:
        return (self.left + self.right) // 2


def headcount(n: int) -> str:
    return ORG_CHART_HEADCOUNT.format(n=n)


def alt_text(chart: OrgChart) -> str:
    """The chart in words, for the picture's description (screen readers, searches)."""
    departments = "、".join(f"{name}{headcount(n)}" for name, n in chart.departments) or "—"
    return ORG_CHART_ALT.format(presidium=ORG_CHART_PRESIDIUM + headcount(chart.presidium), departments=departments)


def _wrap(text: str, font, width: int, max_lines: int | None = None) -> list[str]:
    """Break Chinese text between characters so each line fits `width` pixels, lines of even length. With
    `max_lines`, stops as soon as the text needs more (a name thousands of characters long costs no more)."""
    lines, line = [], ""
    for char in text:
        if line and font.getlength(line + char) > width:
            lines.append(line)
            line = char
            if max_lines is not None and len(lines) >= max_lines:
                return lines + [line]  # more than `max_lines`: the caller only needs to know that
        else:
            line += char
    lines = lines + [line] if line else lines
    if len(lines) > 1:  # 生活纪 / 安部 rather than 生活纪安 / 部
        per_line = -(-len(text) // len(lines))
        balanced = [text[i : i + per_line] for i in range(0, len(text), per_line)]
        if len(balanced) == len(lines):
            return balanced
    return lines


def _department_lines(name: str, count: int, font, width: int, max_name_lines: int) -> list[str] | None:
    """`宣传部` over `（8人）`; None when the name needs more lines than allowed at this size."""
    name_lines = _wrap(name, font, width, max_name_lines)
    count_text = headcount(count)
    if len(name_lines) > max_name_lines or font.getlength(count_text) > width:
        return None
    return name_lines + [count_text]


def _fit_departments(departments, inner_width: int, font_file: FontFile | None):
    """The largest font at which every department fits its box: names on one line if that stays large."""
    for max_name_lines, smallest in ((1, ONE_LINE_MIN_FONT), (MAX_NAME_LINES, MIN_FONT)):
        for size in range(MAX_FONT, smallest - 1, -2):
            font = load_font(size, font_file)
            laid_out = [_department_lines(name, n, font, inner_width, max_name_lines) for name, n in departments]
            if all(lines is not None for lines in laid_out):
                return font, size, laid_out
    font = load_font(MIN_FONT, font_file)
    return font, MIN_FONT, [_cut(name, font, inner_width) + [headcount(n)] for name, n in departments]


def _cut(name: str, font, width: int) -> list[str]:
    """A name too long for its box even at the smallest size: its first lines, the last ending in …"""
    lines = _wrap(name, font, width, MAX_NAME_LINES)
    if len(lines) <= MAX_NAME_LINES:
        return lines
    last = lines[MAX_NAME_LINES - 1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    return lines[: MAX_NAME_LINES - 1] + [last + "…"]


def _draw_box(draw: ImageDraw.ImageDraw, box: _Box, font, line_height: int, fill) -> None:
    draw.rectangle((box.left, box.top, box.right, box.bottom), outline=INK, width=LINE, fill=fill)
    text_height = line_height * len(box.lines)
    y = (box.top + box.bottom - text_height) // 2
    for line in box.lines:
        try:
            draw.text((box.center, y + line_height // 2), line, font=font, fill=INK, anchor="mm")
        except ValueError:  # an old bitmap font knows no anchors
            draw.text((box.left + PADDING, y), line, font=font, fill=INK)
        y += line_height


_FIND = object()


def draw_org_chart(chart: OrgChart, font_file: FontFile | None = _FIND) -> bytes:  # type: ignore[assignment]
    """The chart as PNG bytes; the font is looked up on this machine unless given (None: built-in font)."""
    if font_file is _FIND:
        font_file = find_cjk_font()
    departments = list(chart.departments)
    n = max(len(departments), 1)
    box_width = min((WIDTH - 2 * MARGIN - (n - 1) * GAP) // n, MAX_BOX_WIDTH)
    row_left = (WIDTH - (n * box_width + (n - 1) * GAP)) // 2
    font, size, laid_out = _fit_departments(departments, box_width - 2 * PADDING, font_file)
    line_height = int(size * 1.35)

    top_font = load_font(MAX_FONT, font_file)
    top_text = ORG_CHART_PRESIDIUM + headcount(chart.presidium)
    top_width = int(top_font.getlength(top_text)) + 4 * PADDING
    top_height = int(MAX_FONT * 1.35) + 2 * PADDING
    top = _Box((WIDTH - top_width) // 2, MARGIN, (WIDTH + top_width) // 2, MARGIN + top_height, [top_text])

    dept_top = top.bottom + LEVEL_GAP
    dept_height = max((len(lines) for lines in laid_out), default=1) * line_height + 2 * PADDING
    boxes = []
    for index, lines in enumerate(laid_out):
        left = row_left + index * (box_width + GAP)
        boxes.append(_Box(left, dept_top, left + box_width, dept_top + dept_height, lines))
    height = dept_top + dept_height + MARGIN if boxes else top.bottom + MARGIN

    image = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    if boxes:
        bus_y = top.bottom + LEVEL_GAP // 2
        draw.line((top.center, top.bottom, top.center, bus_y), fill=INK, width=LINE)
        draw.line((boxes[0].center, bus_y, boxes[-1].center, bus_y), fill=INK, width=LINE)
        for box in boxes:
            draw.line((box.center, bus_y, box.center, box.top), fill=INK, width=LINE)
    _draw_box(draw, top, top_font, int(MAX_FONT * 1.35), FILL)
    for box in boxes:
        _draw_box(draw, box, font, line_height, PAPER)

    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()
