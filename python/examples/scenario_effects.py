#!/usr/bin/env python3
"""Recover each scenario's average treatment effect on spending and units from the transactions
alone, and print it against the truth (truth/effects.csv), for all households and by tercile of
the true price coefficient beta_price.

    python3 python/examples/scenario_effects.py DIR      # DIR: a scenario set (generate --scenario ...)

The estimate uses the TCJ conventions: a household pays SALES_VALUE + COUPON_DISC per line
(SALES_VALUE is net of the retailer's coupon match).  With common random numbers every household
is observed under every policy, so the difference of its totals is its own effect and the mean
over households is the ATE; a household without lines spent 0.  Exits 1 when an estimate misses
its truth by more than a cent.
"""
import os
import sys

import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import retailsynth_reader as rr  # noqa: E402


def household_totals(ds: dict, keys: pd.Index) -> pd.DataFrame:
    tx = ds["transaction_data"]
    paid = tx["SALES_VALUE"] + tx["COUPON_DISC"]
    t = pd.DataFrame({"spend": paid, "units": tx["QUANTITY"], "household_key": tx["household_key"]})
    return t.groupby("household_key")[["spend", "units"]].sum().reindex(keys, fill_value=0)


def main(folder: str) -> int:
    sets, effects = rr.load_scenario_set(folder)
    names = list(sets)
    base = sets[names[0]]
    hh = base["truth/households"].set_index("household_key")
    keys = hh.index
    tercile = pd.qcut(hh["beta_price"].rank(method="first"), 3, labels=["high", "medium", "low"])  # most negative = high
    base_tot = household_totals(base, keys)
    worst = 0.0
    print(f"{'scenario':<22}{'segment':<9}{'households':>11}{'ATE spend est':>15}{'truth':>10}{'ATE units est':>15}{'truth':>10}")
    for name in names[1:]:
        est = household_totals(sets[name], keys) - base_tot
        truth = effects[effects["scenario"] == name].set_index("household_key").reindex(keys)
        for seg in ["all", "high", "medium", "low"]:
            mask = pd.Series(True, index=keys) if seg == "all" else (tercile == seg)
            e_s, t_s = est["spend"][mask].mean(), truth["d_spend"][mask].mean()
            e_u, t_u = est["units"][mask].mean(), truth["d_units"][mask].mean()
            worst = max(worst, abs(e_s - t_s), abs(e_u - t_u))
            print(f"{name:<22}{seg:<9}{int(mask.sum()):>11}{e_s:>15.4f}{t_s:>10.4f}{e_u:>15.4f}{t_u:>10.4f}")
    print(f"largest gap between estimate and truth: {worst:.6f}")
    return 0 if worst <= 0.01 else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
