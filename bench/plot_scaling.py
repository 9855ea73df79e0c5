#!/usr/bin/env python3
"""Draws bench/scaling.sh's results as an SVG of three log-log panels and prints the markdown tables.

    plot_scaling.py OUT [BACKEND]                 reads OUT/*.json (bench --json files), writes OUT/scaling.svg
    plot_scaling.py --from-results RESULTS.md SVG [TITLE]
                                                  redraws from the tables bench/RESULTS.md carries
"""
import glob
import json
import math
import os
import re
import sys

KEYS = [("households", "households", "pairs/s", "choice stage vs households"),
        ("products", "products", "pairs/s", "choice stage vs products"),
        ("stores", "stores", "weeks/s", "end to end vs stores")]


def from_json(out, backend):
    points, tables = {}, []
    for f in glob.glob(os.path.join(out, "*.json")):
        kind, value = os.path.basename(f)[:-5].split("-")
        points.setdefault(kind, []).append((int(value), json.load(open(f))))
    for k in points:
        points[k].sort()
    row = lambda j: j["backends"][backend]
    tables.append(f"| households | products | pairs/s ({backend}) | peak RSS MB |\n|---:|---:|---:|---:|")
    for v, j in points.get("households", []):
        tables.append(f"| {v:,} | {j['sizes']['products']:,} | {row(j)['choice']['pairs_per_s']:.3g} | {row(j)['peak_rss_mb']:.0f} |")
    tables.append(f"\n| products | households | pairs/s ({backend}) | peak RSS MB |\n|---:|---:|---:|---:|")
    for v, j in points.get("products", []):
        tables.append(f"| {v:,} | {j['sizes']['households']:,} | {row(j)['choice']['pairs_per_s']:.3g} | {row(j)['peak_rss_mb']:.0f} |")
    tables.append(f"\n| stores | households x products x weeks | weeks/s end to end ({backend}) | market build weeks/s |\n"
                  "|---:|---|---:|---:|")
    for v, j in points.get("stores", []):
        s = j["sizes"]
        tables.append(f"| {v} | {s['households']:,} x {s['products']:,} x {s['weeks']} | "
                      f"{row(j)['end_to_end']['weeks_per_s']:.3g} | {j['market']['weeks_per_s']:.3g} |")
    series = {"households": [(v, row(j)["choice"]["pairs_per_s"]) for v, j in points.get("households", [])],
              "products": [(v, row(j)["choice"]["pairs_per_s"]) for v, j in points.get("products", [])],
              "stores": [(v, row(j)["end_to_end"]["weeks_per_s"]) for v, j in points.get("stores", [])]}
    return series, "\n".join(tables)


def from_results(path):
    """The three scaling tables of bench/RESULTS.md: first column the size, third the rate."""
    series, current = {}, None
    for line in open(path):
        m = re.match(r"\|\s*(households|products|stores)\s*\|", line)
        if m:
            current = m.group(1)
            series[current] = []
            continue
        if current and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            series[current].append((int(cells[0].replace(",", "")), float(cells[2])))
        elif current and not line.startswith("|"):
            current = None
    return series


def ticks(lo, hi):
    """1-2-5 ticks per decade within [lo, hi] (log axis); 1..9 when that gives fewer than three."""
    for mults in ((1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        out = [m * 10 ** d for d in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
               for m in mults if lo <= m * 10 ** d <= hi]
        if len(out) >= 3:
            break
    return out


def label(v, digits=None):
    """6e8, 6.08e8 (with `digits` significant digits), 1,000, 2.5."""
    if v >= 1e6:
        e = math.floor(math.log10(v))
        m = v / 10 ** e
        return (f"{m:.{digits - 1}f}" if digits else f"{m:g}") + f"e{e}"
    if digits:
        return f"{v:.{digits}g}"
    return f"{v:,.0f}" if v >= 100 else f"{v:g}"


def svg(series, title):
    W, H, L, R, T, B = 330, 290, 62, 16, 56, 52
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * W}" height="{H}" viewBox="0 0 {3 * W} {H}" '
           'font-family="Helvetica, Arial, sans-serif" font-size="11">',
           f'<rect width="{3 * W}" height="{H}" fill="#fff"/>',
           f'<text x="16" y="22" font-size="15" font-weight="bold">{title}</text>']
    for i, (key, xlabel, ylabel, sub) in enumerate(KEYS):
        pts = series.get(key, [])
        x0 = i * W
        pw, ph = W - L - R, H - T - B
        out.append(f'<text x="{x0 + L}" y="{T - 10}" font-size="12" font-weight="bold">{sub}</text>')
        out.append(f'<text x="{x0 + L + pw / 2}" y="{H - 10}" text-anchor="middle">{xlabel} (log scale)</text>')
        out.append(f'<text transform="translate({x0 + 14} {T + ph / 2}) rotate(-90)" text-anchor="middle">{ylabel} (log scale)</text>')
        if len(pts) < 2:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        xlo, xhi = min(xs) / 1.15, max(xs) * 1.15
        ylo, yhi = min(ys) / 1.5, max(ys) * 1.5
        sx = lambda x: x0 + L + (math.log10(x) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo)) * pw
        sy = lambda y: T + (1 - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo))) * ph
        for t in ticks(ylo, yhi):
            out.append(f'<line x1="{x0 + L}" x2="{x0 + L + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e6e6e6"/>')
            out.append(f'<text x="{x0 + L - 5}" y="{sy(t) + 4:.1f}" text-anchor="end">{label(t)}</text>')
        for x in xs:
            out.append(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{T + ph}" y2="{T + ph + 4}" stroke="#000"/>')
            out.append(f'<text x="{sx(x):.1f}" y="{T + ph + 16}" text-anchor="middle">{x:,}</text>')
        out.append(f'<polyline points="{x0 + L},{T} {x0 + L},{T + ph} {x0 + L + pw},{T + ph}" fill="none" stroke="#000"/>')
        out.append('<polyline fill="none" stroke="#1f6fb4" stroke-width="2" points="' +
                   " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in pts) + '"/>')
        for k, (a, b) in enumerate(pts):
            out.append(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3.2" fill="#1f6fb4"/>')
            out.append(f'<text x="{sx(a):.1f}" y="{sy(b) - 9:.1f}" text-anchor="middle" font-size="10" fill="#333">{label(b, 3)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--from-results":
        title = sys.argv[4] if len(sys.argv) > 4 else "RetailSynth scaling, cpu backend"
        open(sys.argv[3], "w").write(svg(from_results(sys.argv[2]), title))
    else:
        out, backend = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "cpu"
        series, tables = from_json(out, backend)
        print(tables)
        open(os.path.join(out, "scaling.svg"), "w").write(svg(series, f"RetailSynth scaling, {backend} backend"))
