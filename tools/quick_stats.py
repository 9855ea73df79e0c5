#!/usr/bin/env python3
"""Quick look at a generated dataset (calibration aid): basket sizes, trips, quantities, lifts."""
import csv, sys, collections, math, json
d = sys.argv[1]
m = json.load(open(f"{d}/manifest.json"))
C = m["world"]["households"]; W = m["world"]["weeks"]
baskets = collections.Counter(); qty_promo = [0, 0]; qty_reg = [0, 0]; disc = 0.0; gross = 0.0
cat_of = {}
for r in csv.DictReader(open(f"{d}/product.csv")): cat_of[r["PRODUCT_ID"]] = r["COMMODITY_DESC"]
basket_cats = collections.defaultdict(set)
units_cat_sw = collections.Counter()
for r in csv.DictReader(open(f"{d}/transaction_data.csv")):
    baskets[r["BASKET_ID"]] += 1
    q = int(r["QUANTITY"]); sv = float(r["SALES_VALUE"]); rd = float(r["RETAIL_DISC"])
    disc += -rd; gross += sv - rd
    depth = -rd / (sv - rd) if sv - rd > 0 else 0
    if depth >= 0.28: qty_promo[0] += q; qty_promo[1] += 1
    elif rd == 0: qty_reg[0] += q; qty_reg[1] += 1
    basket_cats[r["BASKET_ID"]].add(cat_of[r["PRODUCT_ID"]])
    units_cat_sw[(cat_of[r["PRODUCT_ID"]], r["STORE_ID"], r["WEEK_NO"])] += q
sizes = list(baskets.values()); n = len(sizes)
trips = m["totals"]["trips"]
print(f"trips/hh-week {trips/(C*W):.3f}  baskets-with-lines/hh-week {n/(C*W):.3f}  empty trips {1-n/trips:.3f}")
print(f"lines/basket {sum(sizes)/n:.2f}  single {sum(s==1 for s in sizes)/n:.3f}  >20 {sum(s>20 for s in sizes)/n:.3f}  median {sorted(sizes)[n//2]}")
print(f"qty regular {qty_reg[0]/qty_reg[1]:.3f}  qty depth>=30% {qty_promo[0]/max(1,qty_promo[1]):.3f} ratio {qty_promo[0]/max(1,qty_promo[1])/(qty_reg[0]/qty_reg[1]):.3f}")
print(f"discount share of gross {disc/gross:.3f}; $/basket {sum(0 for _ in [])}")
# promo lift: category promotion intensity terciles by store-week (popularity weighted)
alpha = {}; pcat = {}
for r in csv.DictReader(open(f"{d}/truth/products.csv")): alpha[r["PRODUCT_ID"]] = math.exp(float(r["popularity"])); pcat[r["PRODUCT_ID"]] = r["COMMODITY_DESC"]
tot_w = collections.Counter()
for p, a in alpha.items(): tot_w[pcat[p]] += a
inten = collections.Counter()
for r in csv.DictReader(open(f"{d}/truth/promotions.csv")):
    if int(r["WEEK_NO"]) > W: continue
    inten[(pcat[r["PRODUCT_ID"]], r["STORE_ID"], r["WEEK_NO"])] += alpha[r["PRODUCT_ID"]]
stores = [r["STORE_ID"] for r in csv.DictReader(open(f"{d}/truth/stores.csv"))]
lifts = []
for k in tot_w:
    cells = [(inten[(k, s, str(w))] / tot_w[k], units_cat_sw[(k, s, str(w))]) for s in stores for w in range(1, W + 1)]
    cells.sort()
    t = len(cells) // 3
    lo = sum(u for _, u in cells[:t]); hi = sum(u for _, u in cells[-t:])
    if lo > 30: lifts.append(hi / lo - 1)
lifts.sort()
q = lambda p: lifts[int(p * (len(lifts) - 1))]
print(f"category promo lift (top vs bottom tercile of intensity): n={len(lifts)} p10 {q(.1):.2f} median {q(.5):.2f} p90 {q(.9):.2f}  share in [0.2,1.0] {sum(0.2<=x<=1.0 for x in lifts)/len(lifts):.2f}")
