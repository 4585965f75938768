"""Charts drawn on the server as SVG (pure: no Django), each readable without colour and with its
table beside it on the page (no chart is the only way to read a figure).

    bar_chart("Open cases by stage", [("Logged", 12), ("Locating", 30)])
    line_chart("Referred and closed", ["2026-01", ...], {"Referred": [...], "Closed": [...]})

Each returns SVG markup with role="img", a <title> (its name, repeated as aria-labelledby for
readers that skip SVG titles) and a <desc> that says the figures in words, so that a screen reader
announces the chart whole; the table gives them one by one.
"""

from __future__ import annotations

from html import escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 210
VALUE_WIDTH = 60
WIDTH = 640
# Two series are told apart by line style and marker shape as well as by colour.
SERIES_STYLE = [("#1d70b8", "", "circle"), ("#d4351c", "6 4", "square"), ("#00703c", "2 3", "diamond")]


def _svg(title: str, desc: str, width: int, height: int, body: str, ident: str) -> str:
    # An SVG <title> names the chart (it is not the document's title); aria-labelledby points at it.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="cme-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">'
            f'<title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(desc)}</desc>{body}</svg>')


def _ident(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:40]


def bar_chart(title: str, rows: list[tuple[str, int]], *, ident: str = "") -> str:
    ident = ident or _ident(title)
    top = max((v for _, v in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        length = round(span * value / top) if value else 0
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end" font-size="14" '
            f'fill="#0b0c0c">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#1d70b8"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}" font-size="14" '
            f'fill="#0b0c0c">{value:,}</text>')
    height = max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT)
    desc = "; ".join(f"{label}: {value:,}" for label, value in rows) or "No figures"
    return _svg(title, desc, WIDTH, height, "".join(parts), ident)


def line_chart(title: str, labels: list[str], series: dict[str, list[int]], *, ident: str = "") -> str:
    ident = ident or _ident(title)
    left, right, top_pad, bottom = 48, 16, 28, 40
    height = 260
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    top = max((v for values in series.values() for v in values), default=0) or 1
    n = max(len(labels) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + plot_w * i / n, top_pad + plot_h * (1 - v / top)

    parts = [f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - right}" y2="{top_pad + plot_h}" '
             f'stroke="#0b0c0c"/>',
             f'<text x="{left - 6}" y="{top_pad + 5}" text-anchor="end" font-size="12">{top:,}</text>',
             f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="12">0</text>']
    for i, label in enumerate(labels):
        if i % 3 == 0 or i == len(labels) - 1:
            x, _ = xy(i, 0)
            # The last label ends at its point, so that it is not cut at the chart's edge.
            anchor = "end" if i == len(labels) - 1 and i else "middle"
            parts.append(f'<text x="{x:.0f}" y="{height - 20}" text-anchor="{anchor}" font-size="11">'
                         f'{escape(label)}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour, dash, marker = SERIES_STYLE[k % len(SERIES_STYLE)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for i, v in enumerate(values):
            x, y = xy(i, v)
            if marker == "circle":
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            elif marker == "square":
                parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>')
            else:
                parts.append(f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y:.1f} L{x:.1f} {y + 4:.1f} '
                             f'L{x - 4:.1f} {y:.1f} Z" fill="{colour}"/>')
        lx = left + 10 + k * 160
        parts.append(f'<line x1="{lx}" y1="12" x2="{lx + 24}" y2="12" stroke="{colour}" stroke-width="2"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                     f'<text x="{lx + 30}" y="16" font-size="13">{escape(name)}</text>')
    desc = "; ".join(f"{name}: " + ", ".join(f"{label} {v:,}" for label, v in zip(labels, values, strict=False))
                     for name, values in series.items())
    return _svg(title, desc, WIDTH, height, "".join(parts), ident)
