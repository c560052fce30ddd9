"""The operator manual as a printable PDF (docs/manual/06-coordinacion.md, 6.5):

    python -m prep_tools.manual [--out FILE]

The chapters ``docs/manual/[0-9]*.md``, in order, become one HTML page (links between
chapters become links inside it, the screenshots are embedded from docs/screenshots)
that headless Chromium prints to A4 with page numbers. Needs ``markdown-it-py`` and
``playwright`` ([dev]) and Debian's ``chromium``; Playwright never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt

DOCS = Path(__file__).resolve().parents[1] / "docs"
MANUAL = DOCS / "manual"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4;
       color: #111; }
h1 { font-size: 19pt; color: #7a1b3f; border-bottom: 2px solid #7a1b3f;
     padding-bottom: 4px; break-before: page; }
section:first-child h1 { break-before: auto; font-size: 24pt; }
h2 { font-size: 13.5pt; color: #7a1b3f; margin-top: 1.4em; break-after: avoid; }
h3 { font-size: 11.5pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eee; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; }
pre { background: #f3f3f3; border: 1px solid #ccc; padding: 6px 8px; font-size: 8.5pt;
      white-space: pre-wrap; word-break: break-all; break-inside: avoid; }
img { max-width: 100%; max-height: 200mm; display: block; margin: 0.5em auto;
      border: 1px solid #bbb; break-inside: avoid; }
p:has(> img) { break-inside: avoid; }
a { color: #0b4fb5; text-decoration: none; }
li { margin: 0.15em 0; }
[id="04-simulacro--top"] ul { list-style: none; padding-left: 0.4em; }  /* the boxes are the marks */
"""
FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
    'PREP Abierto — Manual de operación · <span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


def chapters() -> list[Path]:
    return sorted(MANUAL.glob("[0-9]*.md"))


def _slug(text: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchor(stem: str, m: re.Match[str]) -> str:
    text = re.sub("<[^>]+>", "", m[2])
    return f'<{m[1]} id="{stem}--{_slug(text)}">{m[2]}</{m[1]}>'


def to_html() -> str:
    md = MarkdownIt("commonmark").enable("table")
    parts = []
    shots = (DOCS / "screenshots").as_uri()
    for path in chapters():
        html = md.render(path.read_text(encoding="utf-8"))
        html = re.sub(r"<(h[1-3])>(.*?)</\1>", partial(_anchor, path.stem), html)
        html = re.sub(
            r'href="(\d\d-[\w-]+)\.md#([^"]+)"', lambda m: f'href="#{m[1]}--{unquote(m[2])}"', html
        )
        html = re.sub(r'href="(\d\d-[\w-]+)\.md"', r'href="#\1--top"', html)
        html = html.replace('src="../screenshots/', f'src="{shots}/')
        parts.append(f'<section id="{path.stem}--top">{html}</section>')
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        f"<title>Manual de operación de PREP Abierto</title><style>{CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def build(out: Path) -> Path:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="prep-manual-") as tmp:
        page_file = Path(tmp) / "manual.html"
        page_file.write_text(to_html(), encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
                margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
            )
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m prep_tools.manual",
        description="manual de operación en PDF / operator manual PDF",
    )
    ap.add_argument("--out", type=Path, default=MANUAL / "manual-de-operacion.pdf")
    a = ap.parse_args(argv)
    out = build(a.out)
    print(f"{out} ({out.stat().st_size // 1024} KB, {len(chapters())} capítulos / chapters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
