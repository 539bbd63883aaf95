"""Time semantics at load time: every timestamp in the engagement's local time, deadlines at
the end of their day (CATALOG.md, "Conventions for every check, amended", Time).

The engagements here are written by hand in tmp_path, in the canonical layout, with the same
instants written three ways (naive local time, a UTC offset, Z); their answers are known by
construction.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from opskit.config import FileSpec
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.sources.load import load_table
from opskit.sources.parse import to_local

ZONE = "America/New_York"
STYLES = ("naive", "offset", "z")


def written(local: pd.Timestamp, style: str) -> str:
    """A New York wall-clock time as an export would write it in ``style``."""
    if style == "naive":
        return local.strftime("%Y-%m-%d %H:%M:%S")
    aware = local.tz_localize(ZONE)
    if style == "offset":
        return aware.isoformat()  # '2025-03-01T09:15:00-05:00', -04:00 after 9 March
    return aware.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_engagement(root: Path, timezone: str | None, tables: dict[str, list[dict]],
                     period: tuple[str, str]) -> Path:
    """An engagement folder whose tables sit in data/ under their canonical names."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["client: Time Test Co", f"period: {{start: {period[0]}, end: {period[1]}}}"]
    if timezone:
        lines.append(f"timezone: {timezone}")
    (root / "engagement.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, rows in tables.items():
        write_csv(root / "data" / f"{name}.csv", rows)
    return root


# -- the conversion ---------------------------------------------------------------------

def test_offsets_z_and_naive_give_the_same_local_times():
    """One set of New York instants written naive, with offsets (across DST) and with Z."""
    local = pd.to_datetime(["2025-03-08 23:30:00", "2025-03-09 03:30:00",
                            "2025-08-01 11:53:00", "2025-11-02 03:30:00"])
    expected = [pd.Timestamp(t) for t in local]
    for style in STYLES:
        raw = pd.Series([written(t, style) for t in local])
        values, bad, utc_kept = to_local(raw, ZONE)
        assert values.tolist() == expected, style
        assert bad.tolist() == [False] * 4 and utc_kept == 0
    # Offsets are mixed in one column (-05:00 and -04:00): each value keeps its own.
    assert [written(t, "offset")[-6:] for t in local] == ["-05:00", "-04:00", "-04:00",
                                                          "-05:00"]


def test_offset_value_converts_to_the_engagement_zone():
    """11:53 at -04:00 is 10:53 in Chicago and 16:53 in London (per-value offsets)."""
    raw = pd.Series(["2025-08-01T11:53:00-04:00", "2025-01-15T11:53:00-05:00",
                     "2025-08-01T15:53:00Z", "07/01/2025 06:52 PM -0400", None])
    values, bad, _ = to_local(raw, "America/Chicago")
    assert values.tolist()[:4] == [pd.Timestamp("2025-08-01 10:53"),
                                   pd.Timestamp("2025-01-15 10:53"),
                                   pd.Timestamp("2025-08-01 10:53"),
                                   pd.Timestamp("2025-07-01 17:52")]
    assert pd.isna(values.iloc[4]) and bad.tolist() == [False] * 5
    values, _, _ = to_local(raw[:1], "Europe/London")
    assert values.tolist() == [pd.Timestamp("2025-08-01 16:53")]


def test_without_timezone_offsets_keep_their_wall_clock_and_z_stays_utc():
    """No timezone: the writer's local time is kept; Z values stay UTC and are counted."""
    raw = pd.Series(["2025-08-01T11:53:00-04:00", "2025-08-01T15:53:00Z",
                     "2025-08-01 15:53:00 +00:00", "2025-08-01 09:00:00"])
    values, bad, utc_kept = to_local(raw)
    assert values.tolist() == [pd.Timestamp("2025-08-01 11:53"),
                               pd.Timestamp("2025-08-01 15:53"),
                               pd.Timestamp("2025-08-01 15:53"),
                               pd.Timestamp("2025-08-01 09:00")]
    assert bad.tolist() == [False] * 4 and utc_kept == 2


def test_naive_utc_exports_convert_like_z():
    """naive_utc (exports documented to write UTC): naive values are UTC instants."""
    raw = pd.Series(["2025-08-01 15:53:00", "2025-08-01T15:53:00Z"])
    values, _, _ = to_local(raw, "America/Chicago", naive_utc=True)
    assert values.tolist() == [pd.Timestamp("2025-08-01 10:53")] * 2
    values, _, utc_kept = to_local(raw, None, naive_utc=True)
    assert values.tolist() == [pd.Timestamp("2025-08-01 15:53")] * 2 and utc_kept == 2


def test_unreadable_zone_is_a_bad_value_not_a_silent_null():
    """An offset beyond ±18 hours makes the value unreadable (set aside, counted)."""
    values, bad, _ = to_local(pd.Series(["2025-08-01T11:53:00+25:00", "2025-08-01"]), ZONE)
    assert bad.tolist() == [True, False]
    assert pd.isna(values.iloc[0]) and values.iloc[1] == pd.Timestamp("2025-08-01")


def test_tz_aware_parquet_column_is_converted(tmp_path):
    """A tz-aware parquet column loads as New York time; without a zone it keeps UTC."""
    path = tmp_path / "calls.parquet"
    pd.DataFrame({
        "call_id": ["c1", "c2"],
        "started_at": pd.to_datetime(["2025-01-15T15:00:00Z", "2025-07-15T15:00:00Z"],
                                     utc=True),
        "direction": ["inbound", "inbound"], "outcome": ["answered", "missed"],
    }).to_parquet(path)
    loaded = load_table("calls", [FileSpec("calls", path, path.name, timezone=ZONE)])
    assert loaded.frame["started_at"].tolist() == [pd.Timestamp("2025-01-15 10:00"),
                                                   pd.Timestamp("2025-07-15 11:00")]
    assert loaded.quality.utc_kept == {}
    kept = load_table("calls", [FileSpec("calls", path, path.name)])
    assert kept.frame["started_at"].tolist() == [pd.Timestamp("2025-01-15 15:00"),
                                                 pd.Timestamp("2025-07-15 15:00")]
    assert kept.quality.notes == ["started_at: 2 timestamps in UTC; set timezone: in "
                                  "engagement.yaml to read them in local time"]


# -- deadlines at the end of their day --------------------------------------------------

END_OF_APRIL_2 = pd.Timestamp("2025-04-02 23:59:59.999999")


def test_bare_dates_in_deadline_columns_mean_the_end_of_the_day():
    """'2025-04-02', '04/02/2025', midnight, date and datetime cells: 23:59:59.999999."""
    raw = pd.Series(["2025-04-02", "04/02/2025", "2025-04-02 00:00:00", "2 Apr 2025",
                     dt.date(2025, 4, 2), dt.datetime(2025, 4, 2), "2025-04-02 10:15",
                     "2025-04-02T10:15:00-04:00", None], dtype=object)
    values, bad, _ = to_local(raw, ZONE, end_of_day=True)
    assert values.tolist()[:8] == [END_OF_APRIL_2] * 6 + [pd.Timestamp("2025-04-02 10:15")] * 2
    assert pd.isna(values.iloc[8]) and not bad.any()
    # The same dates in a column that is not a deadline stay at midnight.
    values, _, _ = to_local(raw, ZONE)
    assert values.tolist()[:6] == [pd.Timestamp("2025-04-02")] * 6


def test_typed_date_columns_are_dates_too(tmp_path):
    """A parquet date32 column and xlsx date cells in invoices.due_at: end of the day."""
    frame = pd.DataFrame({"invoice_id": ["i1", "i2"], "issued_at": ["2025-03-03", "2025-03-04"],
                          "amount": [100.0, 250.0],
                          "due_at": [dt.date(2025, 4, 2), dt.date(2025, 4, 3)]})
    frame.to_parquet(tmp_path / "invoices.parquet")
    frame.assign(due_at=pd.to_datetime(frame["due_at"])).to_excel(
        tmp_path / "invoices.xlsx", index=False)
    for name in ("invoices.parquet", "invoices.xlsx"):
        path = tmp_path / name
        loaded = load_table("invoices", [FileSpec("invoices", path, name, timezone=ZONE)])
        assert loaded.frame["due_at"].tolist() == [
            END_OF_APRIL_2, pd.Timestamp("2025-04-03 23:59:59.999999")], name
        assert loaded.frame["issued_at"].tolist() == [pd.Timestamp("2025-03-03"),
                                                      pd.Timestamp("2025-03-04")], name


def test_latest_plausible_date_survives_the_end_of_day():
    """2199-12-31 as a deadline is still a date (23:59:59.999999), 2200-01-01 is not."""
    values, bad, _ = to_local(pd.Series(["2199-12-31", "2200-01-01"]), None, end_of_day=True)
    assert values.iloc[0] == pd.Timestamp("2199-12-31 23:59:59.999999")
    assert bad.tolist() == [False, True]


# -- the checks on a small engagement ---------------------------------------------------

FIRST_DAY = pd.Timestamp("2025-02-20")


def shop_tables(style: str) -> dict[str, list[dict]]:
    """100 orders, one a day from 20 Feb 2025 (across the 9 March DST change), promised to
    ship by a plain date two days later; 12 ship the day after that date, the other 88 on
    or before it, a third of them at 23:30 New York time (04:30 or 03:30 UTC the next day)."""
    orders, shipments = [], []
    for i in range(100):
        day = FIRST_DAY + pd.Timedelta(days=i)
        due = day + pd.Timedelta(days=2)
        if i % 25 in (3, 7, 11):  # 12 of 100
            shipped = due + pd.Timedelta(days=1, hours=8)
        else:
            shipped = due + pd.Timedelta(hours=(23.5, 16.75, -13)[i % 3])
        orders.append({"order_id": f"A{1000 + i}", "ordered_at": written(
            day + pd.Timedelta(hours=9, minutes=15), style), "total": "80.00",
            "promised_ship_by": due.strftime("%Y-%m-%d")})
        shipments.append({"shipment_id": f"S{i}", "order_id": f"A{1000 + i}",
                          "shipped_at": written(shipped, style)})
    return {"orders": orders, "shipments": shipments}


@pytest.mark.parametrize("style", STYLES)
def test_late_rate_is_twelve_percent_under_each_timestamp_style(style, tmp_path):
    """12 of 100 orders are late against plain-date deadlines: late_rate 0.12 exactly."""
    root = write_engagement(tmp_path / style, ZONE, shop_tables(style),
                            ("2025-02-20", "2025-05-31"))
    engagement = Engagement.load(root)
    assert engagement.quality["orders"].rows_used == 100
    result = diagnose(engagement, ["fulfillment.late_shipments"]).results[0]
    assert result.metrics["late_rate"].value == 0.12
    assert result.metrics["late_orders"].value == 12
    assert result.metrics["shipped_orders"].value == 100
    assert sorted(result.evidence["order_id"]) == sorted(
        f"A{1000 + i}" for i in range(100) if i % 25 in (3, 7, 11))


def test_without_timezone_z_times_stay_utc_and_the_notes_say_so(tmp_path):
    """No timezone: Z shipments stay UTC, so the 23:30 shipments read as the next day."""
    root = write_engagement(tmp_path / "utc", None, shop_tables("z"),
                            ("2025-02-20", "2025-05-31"))
    engagement = Engagement.load(root)
    accounting = engagement.row_accounting().set_index("table")["notes"]
    assert accounting["shipments"] == ("shipped_at: 100 timestamps in UTC; set timezone: in "
                                       "engagement.yaml to read them in local time")
    result = diagnose(engagement, ["fulfillment.late_shipments"]).results[0]
    late_at_night = sum(1 for i in range(100) if i % 25 not in (3, 7, 11) and i % 3 == 0)
    assert result.metrics["late_orders"].value == 12 + late_at_night == 42


def people_tables(style: str) -> dict[str, list[dict]]:
    """Two leavers with a plain leaving date: one logged in on the last working day at
    17:10, one the morning after; a current employee logged in the same days."""
    def login(day: str, hours: float) -> str:
        return written(pd.Timestamp(day) + pd.Timedelta(hours=hours), style)

    people = [
        {"person": "Dee Ray", "function": "operations", "started_on": "2020-01-06",
         "ended_on": "2025-05-30", "email": "dee@shop.com"},
        {"person": "Eli Fox", "function": "sales", "started_on": "2021-03-01",
         "ended_on": "05/30/2025", "email": "eli@shop.com"},
        {"person": "Flo Park", "function": "finance", "started_on": "2019-09-02",
         "ended_on": "", "email": "flo@shop.com"},
    ]
    accounts = [
        {"system": "google", "user": "dee@shop.com", "person": "Dee Ray", "is_admin": "no",
         "last_login_at": login("2025-05-30", 17 + 1 / 6), "disabled": "no"},
        {"system": "google", "user": "eli@shop.com", "person": "Eli Fox", "is_admin": "no",
         "last_login_at": login("2025-05-31", 8.5), "disabled": "no"},
        {"system": "google", "user": "flo@shop.com", "person": "Flo Park", "is_admin": "no",
         "last_login_at": login("2025-05-31", 8.5), "disabled": "no"},
    ]
    return {"people": people, "accounts": accounts}


@pytest.mark.parametrize("style", STYLES)
def test_login_on_the_last_working_day_is_not_after_leaving(style, tmp_path):
    """A login on the leaving date is not "used after leaving"; one the day after is."""
    root = write_engagement(tmp_path / style, ZONE, people_tables(style),
                            ("2025-04-01", "2025-06-30"))
    engagement = Engagement.load(root)
    assert engagement.tables["people"]["ended_on"].tolist()[:2] == [
        pd.Timestamp("2025-05-30 23:59:59.999999")] * 2
    result = diagnose(engagement, ["security.departed_staff_access"]).results[0]
    assert result.metrics["departed_enabled"].value == 2
    flags = dict(zip(result.evidence["user"], result.evidence["login_after_leaving"],
                     strict=True))
    assert flags == {"dee@shop.com": False, "eli@shop.com": True}


def test_deadline_day_counts_whole_days_like_a_calendar():
    """An end-of-day deadline goes back to its date; a deadline with a time is unchanged."""
    from opskit.sources.parse import deadline_day

    values = pd.Series([pd.Timestamp("2025-04-02 23:59:59.999999"),
                        pd.Timestamp("2025-04-02 10:15"), None], dtype="datetime64[us]")
    out = deadline_day(values)
    assert out.tolist()[:2] == [pd.Timestamp("2025-04-02"), pd.Timestamp("2025-04-02 10:15")]
    assert pd.isna(out.iloc[2])


def test_plain_due_dates_keep_terms_and_days_past_due_in_whole_days(tmp_path):
    """Net 27 and net 30 plain-date invoices: terms 29.25 days; due 28 June is 2 days late."""
    invoices = [
        {"invoice_id": "INV-1", "issued_at": "2025-06-01", "amount": "100.00",
         "due_at": "2025-06-28"},
        {"invoice_id": "INV-2", "issued_at": "2025-06-01", "amount": "300.00",
         "due_at": "07/01/2025"},
    ]
    root = write_engagement(tmp_path / "ar", ZONE, {"invoices": invoices},
                            ("2025-06-01", "2025-06-30"))
    result = diagnose(Engagement.load(root), ["cash.dso_vs_terms"]).results[0]
    assert result.metrics["terms_days"].value == 29.25
    assert result.metrics["dso_days"].value == 30.0
    assert result.metrics["excess_days"].value == 0.75
    assert result.evidence[["invoice_id", "days_past_due"]].to_dict("records") == [
        {"invoice_id": "INV-1", "days_past_due": 2}]


def test_validate_says_when_timestamps_stay_in_utc(tmp_path, capsys):
    """`opskit validate` without timezone: names the column and how to read it locally."""
    from opskit.cli import main

    calls = [{"call_id": f"c{i}", "started_at": f"2025-08-01T1{i}:00:00Z",
              "direction": "inbound", "outcome": "answered"} for i in range(3)]
    root = write_engagement(tmp_path / "calls", None, {"calls": calls},
                            ("2025-08-01", "2025-08-01"))
    assert main(["validate", str(root)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("calls: started_at: 3 timestamps in UTC; set timezone: in engagement.yaml to "
            "read them in local time") in out
    (root / "engagement.yaml").write_text("client: Time Test Co\ntimezone: Europe/Paris\n",
                                          encoding="utf-8")
    assert main(["validate", str(root)]) == 0
    assert "in UTC" not in capsys.readouterr().out
    assert Engagement.load(root).tables["calls"]["started_at"].tolist() == [
        pd.Timestamp("2025-08-01 12:00"), pd.Timestamp("2025-08-01 13:00"),
        pd.Timestamp("2025-08-01 14:00")]
