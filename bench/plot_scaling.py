#!/usr/bin/env python3
"""Reads bench/scaling.sh's JSON files, prints the markdown tables and writes scaling.svg."""
import glob, json, os, sys

out, backend = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "cpu"
points = {}
for f in glob.glob(os.path.join(out, "*.json")):
    kind, value = os.path.basename(f)[:-5].split("-")
    points.setdefault(kind, []).append((int(value), json.load(open(f))))
for k in points:
    points[k].sort()

def row(j):
    b = j["backends"][backend]
    return b

lines = []
lines.append(f"| households | products | pairs/s ({backend}) | peak RSS MB |")
lines.append("|---:|---:|---:|---:|")
for v, j in points.get("households", []):
    b = row(j)
    lines.append(f"| {v:,} | {j['sizes']['products']:,} | {b['choice']['pairs_per_s']:.3g} | {b['peak_rss_mb']:.0f} |")
lines.append("")
lines.append(f"| products | households | pairs/s ({backend}) | peak RSS MB |")
lines.append("|---:|---:|---:|---:|")
for v, j in points.get("products", []):
    b = row(j)
    lines.append(f"| {v:,} | {j['sizes']['households']:,} | {b['choice']['pairs_per_s']:.3g} | {b['peak_rss_mb']:.0f} |")
lines.append("")
lines.append(f"| stores | households x products x weeks | weeks/s end to end ({backend}) | market build weeks/s |")
lines.append("|---:|---|---:|---:|")
for v, j in points.get("stores", []):
    b = row(j)
    s = j["sizes"]
    lines.append(f"| {v} | {s['households']:,} x {s['products']:,} x {s['weeks']} | {b['end_to_end']['weeks_per_s']:.3g} | "
                 f"{j['market']['weeks_per_s']:.3g} |")
print("\n".join(lines))

# A three-panel SVG, log-log axes.
import math
W, H, P = 300, 220, 45
panels = [("households", "households", lambda j: row(j)["choice"]["pairs_per_s"], "pairs/s"),
          ("products", "products", lambda j: row(j)["choice"]["pairs_per_s"], "pairs/s"),
          ("stores", "stores", lambda j: row(j)["end_to_end"]["weeks_per_s"], "weeks/s")]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * W}" height="{H}" font-family="sans-serif" font-size="11">']
for i, (key, xlabel, f, ylabel) in enumerate(panels):
    pts = [(v, f(j)) for v, j in points.get(key, [])]
    x0 = i * W
    svg.append(f'<rect x="{x0 + P}" y="10" width="{W - P - 10}" height="{H - P - 10}" fill="none" stroke="#888"/>')
    svg.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle">{xlabel} (log)</text>')
    svg.append(f'<text x="{x0 + 12}" y="{H / 2}" transform="rotate(-90 {x0 + 12} {H / 2})" text-anchor="middle">{ylabel} (log)</text>')
    if len(pts) < 2:
        continue
    lx = [math.log10(p[0]) for p in pts]
    ly = [math.log10(p[1]) for p in pts]
    xmin, xmax = min(lx), max(lx)
    ymin, ymax = min(ly) - 0.2, max(ly) + 0.2
    def sx(x): return x0 + P + (x - xmin) / (xmax - xmin or 1) * (W - P - 10)
    def sy(y): return 10 + (1 - (y - ymin) / (ymax - ymin or 1)) * (H - P - 10)
    svg.append('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="' +
               " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(lx, ly)) + '"/>')
    for (v, y), a, b in zip(pts, lx, ly):
        svg.append(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3" fill="#1f77b4"/>')
        svg.append(f'<text x="{sx(a):.1f}" y="{sy(b) - 6:.1f}" text-anchor="middle" font-size="9">{y:.2g}</text>')
        svg.append(f'<text x="{sx(a):.1f}" y="{H - P + 12}" text-anchor="middle" font-size="9">{v:,}</text>')
svg.append("</svg>")
open(os.path.join(out, "scaling.svg"), "w").write("\n".join(svg))
