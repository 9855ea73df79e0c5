"""Read a RetailSynth dataset folder into pandas DataFrames.

Works on one run, a sharded run (``NAME/part-I-of-N.csv``) and a scenario set, with ``.csv`` or
``.csv.zst`` files.  Needs pandas; ``.zst`` files are read with the ``zstandard`` module when it
is installed, else through the ``zstd`` command (``zstd -dc``).  The parts are multi-frame zstd
files: both routes read every frame.

    import retailsynth_reader as rr
    ds = rr.load_dataset("out/run")            # dict: "transaction_data", "product", "truth/households", ...
    tx = rr.read_table("out/run", "transaction_data")

Shard parts are concatenated in shard order, except ``truth/store_weeks``, whose parts hold every
store-week with one shard's trips: their ``trips`` are summed by (STORE_ID, WEEK_NO); and
``truth/effects``, whose parts are put back in the one-shard order (scenario, then household).
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess

import pandas as pd

try:  # optional: the zstd command is the fallback (RETAILSYNTH_READER_NO_ZSTANDARD=1 forces it)
    import zstandard
except ImportError:  # pragma: no cover - depends on the installation
    zstandard = None
if os.environ.get("RETAILSYNTH_READER_NO_ZSTANDARD"):
    zstandard = None

__all__ = ["read_table", "load_dataset", "load_scenario_set", "table_files", "price_point_cents", "regular_prices", "DTYPES"]

_MONEY = "float64"
# hh_demographic.csv's words are text ("5+", "None/Unknown"; "NA" is no missing value there).
_DEMOGRAPHIC = {c: "str" for c in ("AGE_DESC", "MARITAL_STATUS_CODE", "INCOME_DESC", "HOMEOWNER_DESC", "HH_COMP_DESC",
                                   "HOUSEHOLD_SIZE_DESC", "KID_CATEGORY_DESC")}
# Column types by file (others are inferred by pandas).  TRANS_TIME is HHMM as an integer (930 is
# 09:30); display and mailer are TCJ codes ("0".."9", "A", ...), kept as text.
DTYPES = {
    "transaction_data": {
        "household_key": "int64", "BASKET_ID": "int64", "DAY": "int32", "PRODUCT_ID": "int64",
        "QUANTITY": "int32", "SALES_VALUE": _MONEY, "STORE_ID": "int32", "RETAIL_DISC": _MONEY,
        "TRANS_TIME": "int32", "WEEK_NO": "int32", "COUPON_DISC": _MONEY, "COUPON_MATCH_DISC": _MONEY,
    },
    "product": {
        "PRODUCT_ID": "int64", "MANUFACTURER": "str", "DEPARTMENT": "str", "BRAND": "str",
        "COMMODITY_DESC": "str", "SUB_COMMODITY_DESC": "str", "CURR_SIZE_OF_PRODUCT": "str",
    },
    "causal_data": {"PRODUCT_ID": "int64", "STORE_ID": "int32", "WEEK_NO": "int32", "display": "str", "mailer": "str"},
    "coupon": {"COUPON_UPC": "int64", "PRODUCT_ID": "int64", "CAMPAIGN": "int32"},
    "coupon_redempt": {"household_key": "int64", "DAY": "int32", "COUPON_UPC": "int64", "CAMPAIGN": "int32"},
    "campaign_table": {"DESCRIPTION": "str", "household_key": "int64", "CAMPAIGN": "int32"},
    "campaign_desc": {"DESCRIPTION": "str", "CAMPAIGN": "int32", "START_DAY": "int32", "END_DAY": "int32"},
    "truth/households": {"household_key": "int64", "home_store": "int32"},
    "truth/promotions": {
        "STORE_ID": "int32", "PRODUCT_ID": "int64", "WEEK_NO": "int32", "base_price": _MONEY,
        "shelf_price": _MONEY, "depth": "float64", "display_type": "str", "in_ad": "int8", "mailer": "int8",
    },
    "truth/store_weeks": {"STORE_ID": "int32", "WEEK_NO": "int32", "n_promoted": "int64", "trips": "int64"},
    "truth/trips": {"household_key": "int64", "WEEK_NO": "int32", "trips": "int32"},
    "truth/prices": {"PRODUCT_ID": "int64", "WEEK_NO": "int32", "chain_price": "float64", "regime_level": "int8"},
    "truth/stores": {"STORE_ID": "int32", "type": "str", "price_index": "float64", "traffic_share": "float64"},
    "truth/outcomes": {"household_key": "int64", "spend": _MONEY},
    "truth/effects": {"household_key": "int64", "scenario": "str", "spend": _MONEY, "d_spend": _MONEY},
    "hh_demographic": {**_DEMOGRAPHIC, "household_key": "int64"},
    "truth/demographics": {**_DEMOGRAPHIC, "household_key": "int64", "shown": "int8"},
    "truth/affinities": {"household_key": "int64", "COMMODITY_DESC": "str", "affinity": "float64"},
}

_PART = re.compile(r"^part-(\d+)-of-(\d+)\.csv(\.zst)?$")


def _decompress(path: str) -> bytes:
    if zstandard is not None:
        with open(path, "rb") as f:
            reader = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True)
            return reader.read()
    if shutil.which("zstd") is None:
        raise RuntimeError(f"{path}: reading .zst needs the zstandard module (pip/apt python3-zstandard) or the zstd command")
    return subprocess.run(["zstd", "-dc", "--", path], check=True, capture_output=True).stdout


def _read_csv(path: str, dtype: dict) -> pd.DataFrame:
    source = io.BytesIO(_decompress(path)) if path.endswith(".zst") else path
    # keep_default_na=False: a TCJ code or a name such as "NA" stays text; numbers still parse.
    return pd.read_csv(source, dtype=dtype, keep_default_na=False, na_values=[""])


def table_files(folder: str, name: str) -> list[str]:
    """The files of table `name` ("transaction_data", "truth/households", ...) in `folder`: the
    one-shard file or the shard parts in shard order.  Empty when there is none."""
    for ext in (".csv", ".csv.zst"):
        p = os.path.join(folder, name + ext)
        if os.path.isfile(p):
            return [p]
    parts_dir = os.path.join(folder, name)
    if not os.path.isdir(parts_dir):
        return []
    parts = []
    for f in os.listdir(parts_dir):
        m = _PART.match(f)
        if m:
            parts.append((int(m.group(2)), int(m.group(1)), os.path.join(parts_dir, f)))
    counts = {n for n, _, _ in parts}
    if len(counts) > 1:
        raise ValueError(f"{parts_dir}: parts of runs split into {sorted(counts)} shards; run `retailsynth verify`")
    parts.sort()
    if parts and [i for _, i, _ in parts] != list(range(parts[0][0])):
        raise ValueError(f"{parts_dir}: shard parts missing (have {[i for _, i, _ in parts]} of {parts[0][0]})")
    return [p for _, _, p in parts]


def read_table(folder: str, name: str) -> pd.DataFrame:
    """One table of a run folder as a DataFrame with the column types of DTYPES."""
    files = table_files(folder, name)
    if not files:
        raise FileNotFoundError(f"{folder}: no {name}.csv, {name}.csv.zst or {name}/part-*.csv")
    dtype = DTYPES.get(name, {})
    frames = [_read_csv(f, dtype) for f in files]
    # reset_index: a table of empty parts (hh_demographic without demographics) keeps a RangeIndex too.
    df = (pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]).reset_index(drop=True)
    if name == "truth/store_weeks" and len(frames) > 1:
        keys = ["STORE_ID", "WEEK_NO"]
        trips = df.groupby(keys, sort=False)["trips"].sum()
        df = frames[0].drop(columns="trips").merge(trips.reset_index(), on=keys, how="left")
    if name == "truth/effects" and len(frames) > 1:
        # Each part lists its households scenario by scenario: back to the one-shard order.
        order = pd.Categorical(df["scenario"], categories=list(dict.fromkeys(df["scenario"])), ordered=True)
        df = df.assign(_o=order).sort_values(["_o", "household_key"], kind="stable").drop(columns="_o")
        df = df.reset_index(drop=True)
    return df


def price_point_cents(dollars):
    """RetailSynth's rounding to a price point, on a number or a numpy/pandas array of dollars:
    c = 100 x rounded half away from zero (like C's round, not Python's), then the x.x9 point
    nearest below c + 5, at least 19 cents."""
    import numpy as np

    x = np.asarray(dollars, dtype="float64") * 100.0
    c = np.floor(x)
    c = c + ((x - c) >= 0.5)
    pp = np.floor((c - 9.0 + 5.0) / 10.0) * 10.0 + 9.0
    return np.maximum(pp, 19.0).astype("int64")


def regular_prices(ds: dict, rows: pd.DataFrame, price_index: float = 1.0) -> pd.Series:
    """Regular price in cents of each (PRODUCT_ID, STORE_ID, WEEK_NO) row of `rows`:
    price_point_cents(chain_price * store price_index * pricing.price_index) from truth/prices and
    truth/stores (`price_index`: the manifest's config.pricing.price_index; scenario price_changes
    multiply it for their products, stores and weeks)."""
    keyed = rows[["PRODUCT_ID", "STORE_ID", "WEEK_NO"]].merge(ds["truth/prices"], on=["PRODUCT_ID", "WEEK_NO"], how="left")
    keyed = keyed.merge(ds["truth/stores"][["STORE_ID", "price_index"]], on="STORE_ID", how="left")
    return pd.Series(price_point_cents(keyed["chain_price"] * keyed["price_index"] * price_index), index=rows.index)


_TABLES = [
    "transaction_data", "product", "causal_data", "campaign_desc", "campaign_table", "coupon", "coupon_redempt",
    "truth/households", "truth/products", "truth/categories", "truth/stores", "truth/promotions", "truth/store_weeks",
    "truth/trips", "truth/prices", "truth/outcomes", "truth/campaigns", "truth/campaign_households", "truth/missions",
    "truth/seasonality", "hh_demographic", "truth/demographics", "truth/affinities",
]


def load_dataset(folder: str) -> dict[str, pd.DataFrame]:
    """Every table of one run (one-shard or sharded) that is present, by name."""
    return {name: read_table(folder, name) for name in _TABLES if table_files(folder, name)}


def load_scenario_set(folder: str) -> tuple[dict[str, dict[str, pd.DataFrame]], pd.DataFrame]:
    """A scenario set: ({scenario name: dataset}, truth/effects) in the manifest's order (the
    first scenario is the baseline)."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    if "scenarios" not in manifest:
        raise ValueError(f"{folder}/manifest.json: not a scenario set (no 'scenarios')")
    sets = {s["name"]: load_dataset(os.path.join(folder, s.get("dir", s["name"]))) for s in manifest["scenarios"]}
    return sets, read_table(folder, "truth/effects")
