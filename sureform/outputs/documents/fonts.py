"""Finding a font file that draws Chinese, for the pictures we draw ourselves (the org chart)."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

ENV_VAR = "SUREFORM_CJK_FONT"
BUNDLED_DIR = Path(__file__).resolve().parents[2] / "fonts"  # sureform/fonts
KNOWN_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
# in a collection, the face for Simplified Chinese
SIMPLIFIED_MARKERS = (" SC", "CN", "GB", "Hei", "Song", "Micro", "Zen", "PingFang")


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.path, size, index=self.index)


def _candidates() -> list[str]:
    paths: list[str] = []
    if os.environ.get(ENV_VAR):
        paths.append(os.environ[ENV_VAR])
    if BUNDLED_DIR.is_dir():
        paths += sorted(str(p) for p in BUNDLED_DIR.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    paths += list(KNOWN_FILES)
    paths += _fontconfig_files()
    return paths


def _fontconfig_files() -> list[str]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.strip().rstrip(":").strip() for line in out.splitlines() if line.strip()})
    # regular weights first: "Bold"/"Light" files are a last resort
    return sorted(files, key=lambda f: any(w in Path(f).name for w in ("Bold", "Black", "Light", "Thin")))


def _simplified_face(path: str) -> FontFile | None:
    """The Simplified Chinese face of a file (index 0 for a single font); None when unreadable."""
    faces = []
    for index in range(32):
        try:
            font = ImageFont.truetype(path, 20, index=index)
        except OSError:
            break
        faces.append((index, " ".join(font.getname())))
        if not path.lower().endswith((".ttc", ".otc")):
            break
    if not faces:
        return None
    for index, name in faces:
        if any(marker in name for marker in SIMPLIFIED_MARKERS) and "Mono" not in name:
            return FontFile(path, index)
    return FontFile(path, faces[0][0])


@lru_cache(maxsize=1)
def find_cjk_font() -> FontFile | None:
    """A font file with Chinese glyphs on this machine, or None (then a warning, and boxes without Chinese)."""
    for path in _candidates():
        if path and os.path.isfile(path):
            face = _simplified_face(path)
            if face is not None:
                return face
    log.warning(
        "没有找到中文字体（请安装 fonts-noto-cjk 或设置 %s），组织结构图中的文字将无法显示",
        ENV_VAR,
    )
    return None


def load_font(size: int, font_file: FontFile | None) -> ImageFont.ImageFont:
    """`font_file` at `size` pixels, or Pillow's built-in font (no Chinese glyphs) when it is None."""
    if font_file is not None:
        return font_file.load(size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one fixed size
        return ImageFont.load_default()
