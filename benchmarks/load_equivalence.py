"""Load equivalence: every engagement loads to the same frames with this tree as with a ref.

A speed change to the loader must not change what it loads. This loads the four samples,
the engagements under tests/data/bad, the conformance fixtures, a few currency engagements
written here, and optionally a scaled sample, once with ``opskit`` as it is in ``--ref``
(default: where this branch left main) and once as it is in this tree, each in a fresh
process, and compares the used frame, the failure frame, the row accounting and the
currencies of every table with ``pandas.testing.assert_frame_equal`` (dtypes and values
exact). A tool, not a test: it prints the differences and exits 1 when there are any.

    python benchmarks/load_equivalence.py [--ref main] [--scale 10]
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SNAPSHOT = r'''
import json, pickle, sys
from pathlib import Path
from opskit.config import FileSpec
from opskit.engagement import Engagement
from opskit.sources.load import load_table

root, out_path, extra = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
out = {}


def record(key, fn):
    try:
        out[key] = {t: (lt.frame, lt.failures, lt.quality.to_dict(), lt.currencies)
                    for t, lt in fn().items()}
    except Exception as exc:  # the same error both ways is equivalence too
        out[key] = ("error", type(exc).__name__, str(exc))


folders = [root / "data" / "samples" / c for c in ("dtc", "distributor", "services", "control")]
folders += sorted(p.parent for p in (root / "tests" / "data" / "bad").glob("*/engagement.yaml"))
folders += [Path(p) for p in extra]
for folder in folders:
    record(str(folder), lambda: Engagement.load(folder, strict=False).loaded)
corpus = root / "tests" / "data" / "exports" / "conformance"
for expected_path in sorted(corpus.rglob("*.expected.json")):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    path = expected_path.with_name(expected_path.name[: -len(".expected.json")])
    for table in expected["tables"]:
        spec = FileSpec(table, path.resolve(), path.name, adapter=expected["adapter"],
                        **expected.get("options", {}))
        record(f"{path.relative_to(corpus)}:{table}", lambda: {table: load_table(table, [spec])})
with open(out_path, "wb") as fh:
    pickle.dump(out, fh)
'''

# Currency engagements (written for this tool): rates, unknown codes, padded and lower-case
# cells, order lines and returns following their order, a missing order id, repeats.
ORDERS = """order_id,ordered_at,total,subtotal,shipping_charged,currency,promised_ship_by
1,2026-07-01,100.00,90.00,10.00,USD,2026-07-03
2,2026-07-02,1000.00,900.00,100.00,MXN,2026-07-03 00:00:00
3,2026-07-03,50000.00,50000.00,0,COP,
4,2026-07-04,40.00,40.00,0,,2026-07-05 10:00
5,2026-07-05,80.00,70.00,10.00, eur ,2026-07-05T00:00:00-04:00
6,2026-07-06,10.00,10.00,0,Pesos,07/08/2026
7,2026-07-07,3000.00,,,mxn,NULL
,2026-07-07,3000.00,,,GBP,
8,2026-07-08,-5,,,usd,
2,2026-07-09,10.00,,,EUR,
9,yesterday,10.00,,,USD,
"""
LINES = """order_id,sku,quantity,unit_price,line_discount
1,A,1,90.00,
2,B,2,450.00,10
3,C,1,50000,
5,D,1,70,
7,F,3,1000,
,G,1,5,
99,H,1,5,
2,B,2,450.00,10
"""
RETURNS = """order_id,returned_at,sku,refund_amount
2,2026-07-10,B,450.00
3,2026-07-11,C,100
1,2026-07-12,A," $1,000.00 "
7,2026-07-12,F,(5.00)
7,2026-07-13,F,5,extra
"""
INVOICES = """invoice_id,issued_at,amount,currency,due_at
I1,2026-07-01,100,EUR,2026-07-31
I2,2026-07-01,100,XXY,2026-07-31
I2,2026-07-02,100,USD,
I3,2026-07-03,n/a,USD,
"""


def currency_engagements(folder: Path) -> list[Path]:
    """Two engagements in other currencies: with and without an order missing its id."""
    out = []
    for name, orders in (("fx", ORDERS), ("fx_ids", ORDERS.replace(
            ",2026-07-07,3000.00,,,GBP,\n", ""))):
        data = folder / name / "data"
        data.mkdir(parents=True)
        (folder / name / "engagement.yaml").write_text(
            "client: FX\ncurrency: USD\nfx: {MXN: 0.05, EUR: 1.25}\n", encoding="utf-8")
        for table, text in (("orders", orders), ("order_lines", LINES),
                            ("returns", RETURNS), ("invoices", INVOICES)):
            (data / f"{table}.csv").write_text(text, encoding="utf-8")
        out.append(folder / name)
    return out


def snapshot(code_root: Path, out: Path, extra: list[Path]) -> dict:
    """Load everything with the opskit package under ``code_root``, in a fresh process."""
    subprocess.run([sys.executable, "-c", SNAPSHOT, str(ROOT), str(out), *map(str, extra)],
                   check=True, cwd=code_root, env=dict(os.environ, PYTHONPATH=str(code_root)))
    with open(out, "rb") as fh:
        return pickle.load(fh)


def compare(before: dict, after: dict) -> tuple[int, list[str]]:
    import pandas as pd

    frames, differences = 0, []
    for key in sorted(set(before) | set(after)):
        x, y = before.get(key), after.get(key)
        if isinstance(x, tuple) or isinstance(y, tuple) or x is None or y is None:
            if x != y:
                differences.append(f"{key}: {x!r} became {y!r}")
            continue
        if x.keys() != y.keys():
            differences.append(f"{key}: tables {sorted(x)} became {sorted(y)}")
            continue
        for table in x:
            (fx, gx, qx, cx), (fy, gy, qy, cy) = x[table], y[table]
            try:
                pd.testing.assert_frame_equal(fx, fy, check_exact=True)
                pd.testing.assert_frame_equal(gx.reset_index(drop=True),
                                              gy.reset_index(drop=True), check_exact=True)
                frames += 2
                assert qx == qy, f"quality {qx} became {qy}"
                assert cx == cy, f"currencies {cx} became {cy}"
            except AssertionError as exc:
                differences.append(f"{key} {table}: {str(exc)[:400]}")
    return frames, differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=None, help="git ref to compare with (default: the "
                        "merge base of HEAD and main)")
    parser.add_argument("--scale", type=int, default=None,
                        help="also compare the dtc sample at this scale (generated by "
                             "benchmarks/load.py or checks.py under benchmarks/out)")
    args = parser.parse_args()
    ref = args.ref or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT,
                                     capture_output=True, text=True,
                                     check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="opskit-equivalence-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", ref, "opskit"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        extra = currency_engagements(Path(tmp) / "engagements")
        if args.scale:
            extra.append(ROOT / "benchmarks" / "out" / f"scale{args.scale}" / "dtc")
        before = snapshot(base, Path(tmp) / "before.pkl", extra)
        after = snapshot(ROOT, Path(tmp) / "after.pkl", extra)
    frames, differences = compare(before, after)
    errors = sum(1 for v in after.values() if isinstance(v, tuple))
    print(f"{len(after)} engagements and fixtures ({errors} refused the same way both ways), "
          f"{frames} frames compared exactly against {ref[:12]}: "
          f"{len(differences)} difference{'s' if len(differences) != 1 else ''}")
    for line in differences:
        print("  " + line)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
