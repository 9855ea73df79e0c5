#!/usr/bin/env python3
"""ctest: the pandas reader on a sharded zstd scenario set equals it on the one-shard CSV set, with
the documented column types; then the example recovers the scenario effects from the truth.

    python_reader_check.py RETAILSYNTH_BINARY SOURCE_DIR WORK_DIR
Exit 77 (skipped) when pandas is not installed.
"""
import os
import shutil
import subprocess
import sys

try:
    import pandas as pd
except ImportError:
    print("pandas is not installed: skipped")
    sys.exit(77)

binary, source, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
sys.path.insert(0, os.path.join(source, "python"))
import retailsynth_reader as rr  # noqa: E402

scen = [os.path.join(source, "configs/scenarios", f) for f in ("I_frequent_shallow.yaml", "IV_rare_deep.yaml")]
base = [binary, "generate", "--quiet", "--config", os.path.join(source, "configs/small.yaml"),
        "--set", "scale.households=60"] + sum((["--scenario", s] for s in scen), [])
sharded, plain = os.path.join(work, "sharded"), os.path.join(work, "plain")
for i in range(3):
    subprocess.run(base + ["--compress", "zstd", "--shard", f"{i}/3", "--out", sharded], check=True)
subprocess.run(base + ["--out", plain], check=True)

for name in ["I_frequent_shallow", "IV_rare_deep"]:
    a, b = rr.load_dataset(os.path.join(sharded, name)), rr.load_dataset(os.path.join(plain, name))
    assert sorted(a) == sorted(b), (sorted(a), sorted(b))
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_dtype=True, obj=f"{name}/{table}")
    tx = a["transaction_data"]
    assert len(tx) > 100
    for col, kind in [("TRANS_TIME", "i"), ("household_key", "i"), ("SALES_VALUE", "f"), ("DAY", "i")]:
        assert tx[col].dtype.kind == kind, (col, tx[col].dtype)
    assert tx["TRANS_TIME"].between(0, 2359).all()
    assert a["causal_data"]["display"].dtype == object
    # Regular prices from truth/prices by the dictionary's formula: (SALES_VALUE - RETAIL_DISC -
    # COUPON_MATCH_DISC) / QUANTITY on every line.
    reg = rr.regular_prices(a, tx)
    paid = ((tx["SALES_VALUE"] - tx["RETAIL_DISC"] - tx["COUPON_MATCH_DISC"]) * 100).round().astype("int64")
    assert (paid == reg * tx["QUANTITY"]).all(), (paid != reg * tx["QUANTITY"]).sum()
    # store_weeks parts are summed: the trips add up to the run's (truth/trips).
    assert a["truth/store_weeks"]["trips"].sum() == a["truth/trips"]["trips"].sum()
    assert len(a["truth/store_weeks"]) == len(b["truth/store_weeks"])
pd.testing.assert_frame_equal(rr.read_table(sharded, "truth/effects"), rr.read_table(plain, "truth/effects"))

# Without the zstandard module the zstd command reads the same frames.
env = dict(os.environ, RETAILSYNTH_READER_NO_ZSTANDARD="1")
code = ("import sys; sys.path.insert(0, sys.argv[1]); import retailsynth_reader as rr; "
        "print(len(rr.read_table(sys.argv[2], 'transaction_data')))")
n = subprocess.run([sys.executable, "-c", code, os.path.join(source, "python"), os.path.join(sharded, "IV_rare_deep")],
                   env=env, check=True, capture_output=True, text=True).stdout.strip()
assert int(n) == len(rr.read_table(sharded, "IV_rare_deep/transaction_data")), n

ex = subprocess.run([sys.executable, os.path.join(source, "python/examples/scenario_effects.py"), sharded],
                    capture_output=True, text=True)
print(ex.stdout, ex.stderr)
sys.exit(ex.returncode)
