"""The four sample clients: who they are, their knobs, and the problems planted in them.

- ``dtc``: Cedar & Finch Home, a DTC home-goods brand (~$8M a year) whose fulfillment,
  inventory, margin and marketing problems trace back to master data and manual work.
- ``distributor``: Ridgeline Supply Co., a B2B janitorial and packaging distributor (~$25M)
  whose ERP and accounting system do not talk; cash, AR, AP and stock records suffer.
- ``services``: Brightline Home Services, an HVAC and plumbing firm (~$4M) that misses calls
  and leads, keeps a stale pipeline and runs on one office manager's head.
- ``control``: Juniper Lane Goods, a clean DTC brand (~$3M) using all 24 tables with none of
  the problems: every check should PASS with margin.

Every knob that plants a problem is named in the specs below; the intervals in planted.json
were measured on generated data with the metrics contract and hold at scales 1, 4 and 40.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from opskit.samples.commerce import (
    Channel,
    Code,
    CommerceResult,
    CommerceSpec,
    CustomerSystems,
    generate_commerce,
)
from opskit.samples.common import (
    PERIOD_END,
    PERIOD_START,
    Directory,
    fmt_dates,
    month_starts,
)
from opskit.samples.distribution import (
    DistributionSpec,
    distribution_ledger,
    generate_distribution,
)
from opskit.samples.finance import (
    CommerceLedgerSpec,
    OverheadVendor,
    bills_from,
    commerce_ledger,
)
from opskit.samples.inventory import (
    Catalog,
    CatalogSpec,
    Category,
    CountSpec,
    LevelSpec,
    POSpec,
    cycle_counts,
    make_catalog,
    products_frame,
    purchase_orders,
    simulate_levels,
)
from opskit.samples.org import (
    Person,
    SystemSpec,
    TaskDef,
    accounts_frames,
    people_frame,
    tasks_frame,
)
from opskit.samples.sales import (
    CUSTOMER_COLUMNS,
    CallSpec,
    DealSpec,
    LeadSpec,
    ServiceBillingSpec,
    generate_calls,
    generate_leads_deals,
    services_billing,
)
from opskit.samples.truth import CHECK_IDS, Collector, Planted, planted_json
from opskit.samples.writer import EngagementWriter

TABLE_ORDER = ("orders", "order_lines", "order_events", "shipments", "returns", "products",
               "inventory_counts", "inventory_levels", "purchase_orders", "gl_entries",
               "invoices", "bills", "customers", "leads", "deals", "calls", "tasks",
               "processes", "spreadsheets", "systems", "integrations", "accounts", "people",
               "marketing_spend")


@dataclass(frozen=True)
class Client:
    """A sample client: its slug, display name, industry and seed offset."""

    slug: str
    name: str
    industry: str
    offset: int
    build: Callable[..., None]


def _streams(seed: int, offset: int, n: int = 16) -> list[np.random.Generator]:
    """Independent random streams per table family, so tuning one does not shift others."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed + offset).spawn(n)]


def _expected(default: str | None, **overrides: str | None) -> dict[str, str | None]:
    out = {c: default for c in CHECK_IDS}
    for key, value in overrides.items():
        check = key.replace("__", ".")
        if check not in out:
            raise KeyError(check)
        out[check] = value
    return out


def _marketing_spend(res: CommerceResult, ratios: dict[str, float], months: list,
                     scale: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """Monthly spend per channel: in the period, first-order contribution / planted payback.

    Each channel's spend in the period is what its new customers' first orders contributed
    divided by the channel's payback knob; other months follow order volume.
    """
    month_of_day = res.days.astype("datetime64[M]")
    per_month = {m: float(res.expected_orders[month_of_day == m].sum()) for m in months}
    win_rate = sum(v for m, v in per_month.items() if m >= np.datetime64(PERIOD_START, "M"))
    rows = []
    by_month: dict[str, float] = {}
    for ch, ratio in ratios.items():
        contribution = max(res.first_order_contribution.get(ch, 0.0), 0.0)
        window_spend = contribution / ratio if contribution > 0 else 1500.0 * scale
        for m in months:
            spend = round(window_spend * per_month[m] / win_rate, 2)
            rows.append((m, ch, spend))
            by_month[str(m)] = by_month.get(str(m), 0.0) + spend
    df = pd.DataFrame(rows, columns=["month", "channel", "spend"])
    df = df.sort_values(["month", "channel"], kind="stable")
    df["month"] = fmt_dates(df["month"].to_numpy().astype("datetime64[D]"))
    return df.reset_index(drop=True), by_month


def _inventory(rng_levels, rng_counts, rng_po, cat: Catalog, out: EngagementWriter, *,
               levels: LevelSpec, counts: CountSpec, po: POSpec, window_sales: np.ndarray,
               expected: np.ndarray) -> tuple[dict[str, list[str]], list[str], pd.DataFrame]:
    lv, subjects, on_hand = simulate_levels(rng_levels, cat, levels, window_sales, expected)
    out.write_table("inventory_levels", lv)
    cc, wrong = cycle_counts(rng_counts, cat, counts, on_hand, expected)
    out.write_table("inventory_counts", cc)
    pos = purchase_orders(rng_po, cat, po, expected)
    out.write_table("purchase_orders", pos)
    return subjects, wrong, pos


# =========================================================================================
# dtc: Cedar & Finch Home
# =========================================================================================

DTC_CATEGORIES = (
    Category("KIT", ("Skillet", "Dutch Oven", "Saucepan", "Chef Knife", "Cutting Board",
                     "Stock Pot", "Saute Pan", "Roasting Pan"),
             ("Cast Iron", "Carbon Steel", "Stainless", "Enameled", "Copper", "Walnut"),
             ("8in", "10in", "12in", "3qt", "5qt", "7qt", "Set of 2"), 140, 0.5, 0.40, 7, 0.30,
             ("Lodgeworth Foundry", "Sakura Blade Works")),
    Category("BED", ("Duvet Cover", "Sheet Set", "Quilt", "Pillowcase Pair", "Throw Blanket",
                     "Comforter"), ("Linen", "Percale", "Sateen", "Waffle Cotton", "Wool"),
             ("Twin", "Full", "Queen", "King", "Cal King"), 260, 0.35, 0.34, 5, 0.25,
             ("Loomhouse Textiles",)),
    Category("BTH", ("Bath Towel Set", "Bath Mat", "Robe", "Hand Towel Pair", "Bath Sheet"),
             ("Turkish Cotton", "Waffle", "Organic Cotton", "Linen"),
             ("White", "Sage", "Oat", "Charcoal", "Terracotta"), 95, 0.35, 0.33, 4, 0.15,
             ("Loomhouse Textiles", "Aegean Towel Mills")),
    Category("OUT", ("Lounge Chair", "Dining Table", "Bench", "Side Table", "Loveseat"),
             ("Teak", "Acacia", "Aluminum", "Rope Weave"), ("Natural", "Graphite", "Sand"),
             780, 0.3, 0.52, 38, 0.10, ("Teakline Furniture",)),
    Category("DEC", ("Vase", "Candle", "Planter", "Table Lamp", "Mirror", "Serving Bowl"),
             ("Ceramic", "Stoneware", "Glass", "Brass", "Travertine"),
             ("Small", "Medium", "Large", "Ivory", "Slate"), 85, 0.5, 0.38, 5, 0.20,
             ("Stoneware Collective", "Brightwick Candle Co.")),
)

DTC_PEOPLE = (
    Person("Claire Whitman", "leadership", "2019-03-01", hourly=110),
    Person("Marcus Bell", "leadership", "2019-06-17", hourly=95),
    Person("Tom Alvarez", "operations", "2020-05-04", hourly=48),
    Person("Rachel Kim", "operations", "2021-08-16", hourly=36),
    Person("Derek Owens", "operations", "2022-02-07", hourly=31),
    Person("Nina Patel", "operations", "2023-04-10", "2026-02-13", hourly=30),
    Person("Jorge Ramos", "operations", "2026-01-12", hourly=29),
    Person("Ava Thompson", "operations", "2026-03-02", hourly=29),
    Person("Liam Foster", "operations", "2026-04-20", hourly=30),
    Person("Sofia Martinez", "operations", "2026-06-08", hourly=29),
    Person("Emily Carter", "customer_service", "2021-01-11", hourly=32),
    Person("Jason Lee", "customer_service", "2022-09-06", hourly=27),
    Person("Hannah Brooks", "customer_service", "2024-02-19", hourly=26),
    Person("Olivia Grant", "marketing", "2020-02-03", hourly=58),
    Person("Ben Harper", "marketing", "2022-05-16", hourly=44),
    Person("Maya Chen", "marketing", "2023-10-02", hourly=40),
    Person("Lucas Reed", "marketing", "2025-03-10", hourly=38),
    Person("Kevin Walsh", "marketing", "2022-01-10", "2025-11-21", hourly=42),
    Person("Susan Park", "finance", "2020-09-14", hourly=62),
    Person("David Ortiz", "finance", "2023-06-05", fte=0.6, hourly=38),
    Person("Grace Howard", "product", "2020-11-02", hourly=52),
    Person("Ethan Cole", "product", "2022-07-25", hourly=41),
    Person("Isabel Diaz", "product", "2024-08-12", hourly=37),
)
DTC_OPS = ("Tom Alvarez", "Rachel Kim", "Derek Owens", "Jorge Ramos", "Ava Thompson",
           "Liam Foster", "Sofia Martinez")
DTC_CS = ("Emily Carter", "Jason Lee", "Hannah Brooks")
DTC_MKT = ("Olivia Grant", "Ben Harper", "Maya Chen", "Lucas Reed")


def _current(people: tuple[Person, ...]) -> tuple[str, ...]:
    return tuple(p.name for p in people if p.ended is None)


def _everyone(people: tuple[Person, ...]) -> tuple[str, ...]:
    return tuple(p.name for p in people)


def _dtc_systems() -> tuple[SystemSpec, ...]:
    everyone = _everyone(DTC_PEOPLE)
    shop_users = DTC_OPS + DTC_CS + DTC_MKT + ("Grace Howard", "Ethan Cole", "Isabel Diaz",
                                               "Claire Whitman", "Marcus Bell", "Nina Patel",
                                               "Kevin Walsh")
    return (
        SystemSpec("Google Workspace", "productivity", "Marcus Bell", 0, 14.0, everyone,
                   admins=("Marcus Bell", "Susan Park")),
        SystemSpec("Slack", "communication", "Marcus Bell", 0, 8.75, everyone,
                   admins=("Marcus Bell", "Claire Whitman"), dormant=("Isabel Diaz",)),
        SystemSpec("Shopify", "ecommerce", "Marcus Bell", 399.0, 0.0, shop_users,
                   admins=("Claire Whitman", "Marcus Bell"),
                   generic=(("orders", False, False, 2),)),
        SystemSpec("ShipStation", "shipping", "Tom Alvarez", 229.0, 0.0,
                   DTC_OPS + DTC_CS + ("Marcus Bell", "Nina Patel"),
                   admins=("Tom Alvarez", "Marcus Bell"),
                   generic=(("warehouse", False, False, 1),)),
        SystemSpec("QuickBooks Online", "accounting", "Susan Park", 200.0, 0.0,
                   ("Susan Park", "David Ortiz", "Claire Whitman"), admins=("Susan Park",)),
        SystemSpec("Klaviyo", "email", "Olivia Grant", 1100.0, 0.0, (*DTC_MKT, "Kevin Walsh"),
                   admins=("Olivia Grant",)),
        SystemSpec("Gorgias", "helpdesk", "Emily Carter", 0, 60.0, (*DTC_CS, "Tom Alvarez"),
                   admins=("Emily Carter",)),
        SystemSpec("Amazon Seller Central", "marketplace", "Marcus Bell", 39.99, 0.0,
                   ("Marcus Bell", "Tom Alvarez", "Rachel Kim", "Olivia Grant"),
                   admins=("Marcus Bell",)),
        SystemSpec("Aircall", "phone", "Emily Carter", 0, 40.0, (*DTC_CS, "Tom Alvarez"),
                   admins=("Emily Carter",), dormant=("Tom Alvarez",)),
        SystemSpec("Square POS", "pos", "Ava Thompson", 89.0, 0.0,
                   ("Ava Thompson", "Sofia Martinez", "Marcus Bell"), admins=("Marcus Bell",)),
    )


DTC_INTEGRATIONS = pd.DataFrame([
    ("Shopify", "ShipStation", "native", "realtime", "Tom Alvarez"),
    ("Amazon Seller Central", "ShipStation", "native", "realtime", "Tom Alvarez"),
    ("ShipStation", "Shopify", "native", "realtime", "Tom Alvarez"),
    ("Shopify", "Klaviyo", "native", "realtime", "Olivia Grant"),
    ("Shopify", "QuickBooks Online", "api", "daily", "Susan Park"),
    ("Amazon Seller Central", "QuickBooks Online", "api", "weekly", "Susan Park"),
    ("Gorgias", "Shopify", "native", "realtime", "Emily Carter"),
    ("Aircall", "Gorgias", "native", "realtime", "Emily Carter"),
    ("Square POS", "Shopify", "manual", "daily", "Ava Thompson"),
], columns=["source_system", "target_system", "method", "frequency", "owner"])

DTC_TASKS = (
    TaskDef("Answer support tickets", DTC_CS, "customer_service", 240, rotate="all",
            system="Gorgias"),
    TaskDef("Fix address and inventory holds", ("Rachel Kim", "Derek Owens", "Jorge Ramos"),
            "customer_service", 150, system="ShipStation", rotate="all"),
    TaskDef("Pick-pack exceptions", DTC_OPS, "other", 60, rotate="all"),
    TaskDef("Process returns", ("Derek Owens", "Jorge Ramos", "Ava Thompson"), "other", 90),
    TaskDef("Re-key showroom orders into Shopify", ("Ava Thompson", "Sofia Martinez"),
            "rekeying", 15, system="Square POS", target="Shopify"),
    TaskDef("Receive purchase orders", ("Liam Foster", "Sofia Martinez"), "data_entry", 20,
            system="Shopify"),
    TaskDef("Reconcile Amazon settlements", ("Susan Park", "David Ortiz"), "reconciliation",
            90, every="weekly:1", system="QuickBooks Online"),
    TaskDef("Weekly ops KPI report", ("Tom Alvarez", "Rachel Kim"), "reporting", 90,
            every="weekly:0"),
    TaskDef("Update inventory forecast", ("Tom Alvarez", "Liam Foster"), "data_entry", 90,
            every="weekly:2", system="Shopify"),
    TaskDef("Pay vendor bills", ("David Ortiz", "Susan Park"), "data_entry", 60,
            every="weekly:3", system="QuickBooks Online"),
    TaskDef("Schedule email campaigns", ("Ben Harper", "Maya Chen"), "other", 60,
            system="Klaviyo"),
)

DTC_PROCESSES = pd.DataFrame([
    ("Order fulfillment", "Tom Alvarez", "Rachel Kim", True, "2026-03-09", "high", "daily",
     28000.0),
    ("Returns processing", "Derek Owens", "Jorge Ramos", True, "2025-12-01", "high", "daily",
     3500.0),
    ("Purchasing and replenishment", "Tom Alvarez", "Liam Foster", True, "2026-02-16", "high",
     "weekly", 9000.0),
    ("Amazon listing management", "Rachel Kim", "Olivia Grant", True, "2026-01-20", "high",
     "weekly", 7000.0),
    ("Month-end close", "Susan Park", "David Ortiz", True, "2026-05-04", "high", "monthly",
     2500.0),
    ("Customer service escalations", "Emily Carter", "Jason Lee", True, "2025-11-10", "high",
     "daily", 2000.0),
    ("Payroll", "Susan Park", None, False, "2024-04-01", "high", "monthly", 4000.0),
    ("Email campaigns", "Olivia Grant", "Ben Harper", True, "2026-04-06", "medium", "weekly",
     6000.0),
    ("Product photography", "Grace Howard", None, False, None, "low", "ad_hoc", 300.0),
    ("Showroom operations", "Ava Thompson", "Sofia Martinez", True, "2026-06-15", "medium",
     "daily", 1500.0),
], columns=["process", "owner", "backup_owner", "documented", "last_reviewed_on",
            "criticality", "frequency", "daily_value"])

DTC_SPREADSHEETS = pd.DataFrame([
    ("Inventory forecast.xlsx", "Tom Alvarez", 3, "2026-09-28 16:40:00", True,
     "Purchasing and replenishment", True, 3.0),
    ("Amazon settlements reconciliation.xlsx", "Susan Park", 2, "2026-09-29 11:05:00", True,
     "Month-end close", True, 2.0),
    ("Marketing budget 2026.gsheet", "Olivia Grant", 4, "2026-09-25 09:12:00", True,
     "Email campaigns", True, 1.5),
    ("Payroll calc.xlsx", "Susan Park", 1, "2026-09-15 17:30:00", True, "Payroll", False,
     1.0),
    ("Wholesale price list.gsheet", "Grace Howard", 2, "2026-08-11 10:00:00", True,
     "Showroom operations", False, 0.5),
    ("3PL rate card.xlsx", "Tom Alvarez", 2, "2026-07-02 14:20:00", True,
     "Order fulfillment", True, 0.5),
    ("Launch calendar.gsheet", "Grace Howard", 5, "2026-09-30 08:55:00", False, None, True,
     1.0),
], columns=["file", "owner", "editors", "last_modified_at", "critical", "process",
            "documented", "hours_per_week"])


def _bool_text(df: pd.DataFrame, columns: tuple[str, ...], words=("true", "false")
               ) -> pd.DataFrame:
    df = df.copy()
    for c in columns:
        df[c] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else
                 (words[0] if v else words[1]) for v in df[c]]
    return df


def build_dtc(root: Path, seed: int, scale: int) -> None:
    """Cedar & Finch Home: every fulfillment, inventory, margin and marketing problem."""
    rng = _streams(seed, 1)
    out = EngagementWriter(root)
    truth = Collector()
    directory = Directory(rng[0], phone_offset=1_234_567)
    cat = make_catalog(rng[1], CatalogSpec(
        prefix="CF", categories=DTC_CATEGORIES, n_skus=440, n_archived=30, n_dead=40,
        n_new=20, n_nocost=28, n_noweight=36, n_stale=4, n_orphans=24, popularity_floor=0.25))
    spec = CommerceSpec(
        prefix="CF", start="2025-07-01", base_per_day=48.0, yoy_growth=0.22,
        season=(0.78, 0.8, 0.9, 0.95, 1.0, 0.95, 0.92, 0.98, 1.0, 1.08, 1.45, 1.65),
        weekday=(1.1, 1.05, 1.0, 1.0, 0.95, 0.88, 1.02),
        peaks=(("2025-11-28", 2.8), ("2025-12-01", 2.5), ("2026-07-14", 1.8)),
        hours=(1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 4, 4.2, 4.5, 4.3, 4.2, 4.3, 4.5, 5,
               5.5, 6, 6.3, 5.5, 4, 2.2),
        channels=(
            Channel("web", 0.60, True, True, True, 0.22,
                    (("google", 0.35), ("meta", 0.30), ("tiktok", 0.12), ("email", 0.13),
                     ("affiliates", 0.10)), shipping_fee=9.95, free_over=99.0,
                    uses_codes=True),
            Channel("amazon", 0.30, True, True, False, 0.35,
                    (("amazon_sponsored", 0.6), ("amazon_search", 0.4)), promo_share=0.15,
                    promo_pct=0.15),
            Channel("retail", 0.10, False, False, True, 0.80,
                    (("email", 0.5), ("google", 0.5))),
        ),
        codes=(
            Code("WELCOME15", 0.15, 0.14, new_only=True),
            Code("SUMMER20", 0.20, 0.12, "2025-06-01", "2025-08-31"),
            Code("SUMMER20", 0.20, 0.12, "2026-06-01", "2026-08-31"),
            Code("HOLIDAY30", 0.30, 0.20, "2025-11-01", "2025-12-31"),
            Code("VIP25", 0.25, 0.27),
            Code("FRIENDS60", 0.65, 0.28, "2026-03-01"),
        ),
        stack_share=0.06, tax_rate=0.07, returning_share=0.30, lines_mean=1.6,
        qty_probs=(0.85, 0.12, 0.03), orphan_share=0.045, nocost_share=0.05,
        noweight_share=0.085, late_clean=0.05, late_defect=0.27, late_bdays=(4, 9),
        address_corrected=0.025, manual_touch=0.16, reship=0.008, carrier_late=0.03,
        transit=(2, 4), promise_transit=3, ship_base=6.5, ship_per_lb=0.85,
        returns=(0.009, 0.006, 0.007, 0.012, 0.04, 0.008),
        warehouses=(("Edison NJ", 0.55), ("Reno NV", 0.45)),
        staff=DTC_OPS + DTC_CS,
        customers=CustomerSystems("shopify", 7_401_000_000_000, "klaviyo", "01JK", 0.45, 0.30,
                                  shop_duplicate_share=0.02),
        campaigns=(("google", "google_shopping"), ("meta", "meta_prospecting"),
                   ("tiktok", "tiktok_spark"), ("email", "email_newsletter"),
                   ("affiliates", "affiliate_network")),
        test_orders=3,
    )
    res = generate_commerce(rng[2], spec, cat, out, truth, scale=scale, directory=directory)
    out.write_table("products", products_frame(cat))
    inv_subjects, _, _ = _inventory(
        rng[3], rng[4], rng[5], cat, out,
        levels=LevelSpec(("Edison NJ", "Reno NV"), stockout_series_share=0.38,
                         stockout_days=(22, 48), dead_value_share=0.30),
        counts=CountSpec("2026-04-01", 18, 0.975, ("Edison NJ", "Reno NV")),
        po=POSpec("PO-", "2025-06-15", 21, (8, 18), 0.05, 0.04),
        window_sales=res.window_sales, expected=res.expected_daily_units)
    months = month_starts(np.datetime64(spec.start, "D"), PERIOD_END)
    months = [np.datetime64(m, "M") for m in months]
    spend, by_month = _marketing_spend(res, {"google": 0.75, "meta": 0.35, "tiktok": 0.2,
                                             "email": 1.6, "affiliates": 0.55}, months, scale)
    out.write_table("marketing_spend", spend)
    gl = commerce_ledger(
        rng[6], CommerceLedgerSpec(
            revenue_accounts=(("web", "4000 Sales - Shopify"), ("amazon", "4010 Sales - Amazon"),
                              ("retail", "4020 Sales - Showroom")),
            fee_rates=(("web", 0.029), ("amazon", 0.15), ("retail", 0.027)),
            cogs_manual_pct=0.30, close_days=(4, 6), manual_per_month=4,
            unposted_days=(("2026-08-12", "2026-08-14"),), payroll_month=140_000,
            rent_month=14_000, software_month=9_000),
        days=res.days, revenue=res.revenue, tax=res.tax,
        shipping_charged=res.shipping_charged, shipping_cost=res.shipping_cost,
        refunds=res.refunds, cogs=res.cogs, expected_orders=res.expected_orders,
        ad_spend=by_month, scale=scale, yoy_growth=spec.yoy_growth)
    out.write_table("gl_entries", gl)
    generate_calls(rng[7], CallSpec(
        start="2026-06-01", inbound_per_bday=30, saturday=0.3, sunday=0.0, hours=(9, 18),
        not_answered=0.07, outcome_split=(0.5, 0.35, 0.15), recovered=0.85,
        callback_share=0.7, late_callback=0.6, outbound_per_bday=8, agents=DTC_CS,
        line=5_550_100_140), out, truth, scale=scale, directory=directory)
    domain = "cedarfinch.example.com"
    out.write_table("people", people_frame(DTC_PEOPLE, domain))
    acc, systems = accounts_frames(rng[8], _dtc_systems(), DTC_PEOPLE, domain)
    out.write_table("accounts", acc)
    out.write_table("systems", systems)
    out.write_table("integrations", DTC_INTEGRATIONS)
    out.write_table("tasks", tasks_frame(rng[9], DTC_TASKS, "2026-04-01"))
    out.write_table("processes", _bool_text(DTC_PROCESSES, ("documented",)))
    out.write_table("spreadsheets", _bool_text(DTC_SPREADSHEETS, ("critical", "documented")))

    t = truth.get
    planted = [
        Planted("fulfillment.late_shipments", "FAIL", {"late_rate": (0.095, 0.135)},
                "order_id", t("late"),
                "11% of orders leave after the ship-by date promised at checkout or by Amazon; "
                "the wait is in our own queue, not at the carrier."),
        Planted("fulfillment.data_defects_drive_delays", "FAIL",
                {"late_rate_lift": (4.2, 6.8), "defect_share_of_late": (0.65, 0.82)},
                "order_id", t("late_defect"),
                "Orders with an SKU unknown to the product master, a product without weight, a "
                "corrected address or a manual edit are late 27% of the time vs 5% for clean "
                "orders: the shipping problem is a data problem."),
        Planted("fulfillment.order_to_ship_time", "FAIL", {"p90_business_days": (3.6, 5.2)},
                "order_id", t("slow"),
                "The late tenth of orders waits 4-9 business days before a label is printed, "
                "so the p90 wait is several business days although most orders ship next day."),
        Planted("fulfillment.address_exceptions", "FAIL", {"exception_rate": (0.034, 0.046)},
                "order_id", t("address"),
                "2.5% of parcels need an address correction, 0.8% are reshipped and 0.7% come "
                "back to sender: addresses are never validated at checkout."),
        Planted("fulfillment.shipping_cost_recovery", "WARN", {"subsidy_share": (0.042, 0.058)},
                "order_id", t("subsidy"),
                "Free shipping over $99 on heavy furniture and cookware: labels cost about 4.5% "
                "of revenue and customers pay almost none of it."),
        Planted("fulfillment.fulfillment_errors", "FAIL", {"error_rate": (0.012, 0.019)},
                "order_id", t("errors"),
                "1.5% of shipped orders come back as wrong or missing item (look-alike SKUs "
                "and undefined bundles)."),
        Planted("inventory.stockouts", "FAIL", {"stockout_rate": (0.12, 0.17)}, "sku",
                inv_subjects["stockouts"],
                "38% of selling SKU-locations run dry for 3-7 weeks in the quarter: reorder "
                "points are not maintained."),
        Planted("inventory.dead_stock", "FAIL", {"dead_share": (0.27, 0.33)}, "sku",
                inv_subjects["dead"],
                "The 2025 holiday collection stopped selling in January and still holds 30% of "
                "the inventory value."),
        Planted("margin.missing_cogs", "FAIL", {"missing_cost_share": (0.085, 0.135)}, "sku",
                truth.get("nocost_rev")[:10] + truth.get("orphan_rev")[:10],
                "About 9% of revenue is on SKUs with no cost on file (null, 0 or a 0.01 "
                "placeholder) or unknown to the product master: margin is not thin, it is "
                "unknown."),
        Planted("margin.negative_margin_orders", "FAIL", {"negative_share": (0.11, 0.15)},
                "order_id", t("negative_margin"),
                "The FRIENDS60 influencer code leaked and 60%-off orders of heavy items with "
                "free shipping lose money on every sale."),
        Planted("margin.books_vs_computed_cogs", "FAIL", {"gap_points": (9.5, 15.5)}, "month",
                ["2026-07", "2026-08", "2026-09"],
                "COGS is booked by hand each month as 30% of sales while the costs on file "
                "say about 35-40%: the P&L overstates margin."),
        Planted("marketing.discount_leakage", "FAIL", {"discount_share": (0.165, 0.195)},
                "discount_code", ["FRIENDS60", "VIP25"],
                "A 65%-off influencer code (FRIENDS60) and a VIP code leaked to coupon sites "
                "and are stacked with the welcome code: discounts reach 18% of gross revenue."),
        Planted("marketing.attribution_coverage", "WARN", {"attributed_share": (0.65, 0.72)},
                "order_id", t("unattributed"),
                "A third of orders carry no marketing source (showroom orders, organic "
                "Amazon, broken UTMs), so nobody can tell which spend works."),
        Planted("marketing.cac_payback", "FAIL", {"payback_ratio": (0.6, 0.9)}, "channel",
                ["tiktok", "meta"],
                "TikTok and Meta prospecting buy new customers whose first order contributes "
                "a third to a half of what they cost."),
        Planted("marketing.delivery_promise_gap", "FAIL", {"broken_promise_rate": (0.115, 0.15)},
                "order_id", t("broken_promise"),
                "Checkout promises delivery in 2 + 3 business days; late shipments and some "
                "carrier delays break the promise on about 13% of orders."),
        Planted("integration.orphan_skus", "FAIL", {"orphan_revenue_share": (0.038, 0.065)},
                "sku", truth.get("orphan_rev"),
                "Bundles and variants are created in Shopify only (…-BNDL, lower-case "
                "copies): 4.5% of revenue is on SKUs the product master does not know."),
        Planted("integration.revenue_reconciliation", "FAIL", {"max_monthly_gap": (0.065, 0.135)},
                "month", ["2026-08"],
                "The Shopify-to-QuickBooks sync failed from Aug 10 to Aug 14 and was never "
                "re-run: August revenue in the books is short by about 10%."),
        Planted("efficiency.ops_headcount_vs_growth", "FAIL",
                {"excess_growth_points": (48.0, 65.0)}, "person",
                ["Jorge Ramos", "Ava Thompson", "Liam Foster", "Sofia Martinez"],
                "Operations grew from 4 to 7 people in a year (+75%) while revenue grew about "
                "22%: the team grows to absorb manual work."),
        Planted("efficiency.manual_touches", "WARN", {"touched_share": (0.15, 0.17)},
                "order_id", t("manual"),
                "16% of orders are edited, held or re-addressed by hand after they are placed."),
        Planted("sales.crm_duplicates", "FAIL", {"duplicate_share": (0.23, 0.29)},
                "customer_id", t("second_system_copies"),
                "Klaviyo holds a copy of 45% of Shopify buyers (email typed with other "
                "capitals) plus subscribers: a fifth of customer records are duplicates."),
        Planted("security.shared_logins", "WARN", {"shared_logins": (2, 2)}, "user",
                ["orders@cedarfinch.example.com", "warehouse@cedarfinch.example.com"],
                "The warehouse team signs in to ShipStation and Shopify with the shared "
                "warehouse@ and orders@ mailboxes (not admins)."),
    ]
    expected = _expected(
        "PASS",
        cash__dso_vs_terms="NOT_ASSESSABLE", cash__ar_over_90="NOT_ASSESSABLE",
        cash__duplicate_bills="NOT_ASSESSABLE", sales__speed_to_lead="NOT_ASSESSABLE",
        sales__stale_pipeline="NOT_ASSESSABLE",
        integration__orders_vs_invoices="NOT_ASSESSABLE",
    )
    for p in planted:
        expected[p.check] = p.status
    doc = planted_json(slug="dtc", name="Cedar & Finch Home", seed=seed, scale=scale,
                       planted=planted, expected=expected, set_aside={"order_lines": 3})
    out.finish(client="Cedar & Finch Home", industry="ecommerce", assumptions={},
               planted=doc, table_order=TABLE_ORDER)


# =========================================================================================
# distributor: Ridgeline Supply Co.
# =========================================================================================

DIST_CATEGORIES = (
    Category("JAN", ("Trash Liners", "Mop Heads", "Floor Finish", "Hand Soap", "Microfiber "
                     "Cloths"), ("Heavy Duty", "Commercial", "Green Seal", "Premium"),
             ("Case of 250", "Case of 12", "Case of 6", "4 Gal", "Case of 100"), 38, 0.6, 0.74,
             18, 0.22, ("CleanPro Manufacturing", "Brightway Chemical Co.")),
    Category("PAP", ("Paper Towels", "Toilet Tissue", "Napkins", "Copy Paper"),
             ("2-Ply", "Recycled", "Jumbo Roll", "Multifold"),
             ("Case of 12", "Case of 96", "Case of 30", "Pallet"), 52, 0.6, 0.74, 25, 0.22,
             ("Pacific Paper Mills", "Northwoods Tissue")),
    Category("PKG", ("Corrugated Box", "Stretch Film", "Packing Tape", "Bubble Wrap"),
             ("Single Wall", "Double Wall", "Cast", "Hand"),
             ("12x12x12", "18x18x18", "Case of 36", "Roll 1500ft"), 44, 0.6, 0.74, 20, 0.18,
             ("Summit Packaging", "Corrugated Solutions Inc.")),
    Category("SAF", ("Nitrile Gloves", "Safety Glasses", "Hi-Vis Vest", "Ear Plugs"),
             ("Powder-Free", "Anti-Fog", "Class 2", "Foam"),
             ("Case of 1000", "Box of 12", "Size L", "Box of 200"), 29, 0.6, 0.74, 8, 0.14,
             ("Guardian Safety Supply", "Shieldline Gloves")),
    Category("CHM", ("Degreaser", "Disinfectant", "Glass Cleaner", "Floor Stripper"),
             ("Concentrate", "RTU", "Industrial", "Neutral"), ("1 Gal", "5 Gal", "Case of 4"),
             61, 0.6, 0.74, 35, 0.12, ("Apex Industrial Chemicals", "Brightway Chemical Co.")),
    Category("BRK", ("Coffee", "Cups", "Stir Sticks", "Creamer", "Bottled Water"),
             ("Hot", "Cold", "Compostable", "Single-Serve"),
             ("Case of 24", "Case of 1000", "Box of 50"), 35, 0.6, 0.74, 15, 0.12,
             ("Metro Breakroom Foods", "Coffee Express Wholesale")),
)
DIST_STALE_VENDORS = ("Pacific Paper Mills", "Guardian Safety Supply",
                      "Apex Industrial Chemicals", "Summit Packaging")

DIST_PEOPLE = (
    Person("Walt Becker", "leadership", "2009-04-01", hourly=120),
    Person("Carol Stevens", "leadership", "2015-08-17", hourly=85),
    Person("Joan Meyer", "finance", "2016-02-01", hourly=60),
    Person("Tina Webb", "finance", "2021-05-10", hourly=32),
    Person("Paul Grant", "finance", "2023-01-09", hourly=38),
    Person("Maria Lopez", "finance", "2019-07-15", "2026-05-29", hourly=28),
    Person("Frank Dunn", "purchasing", "2012-03-05", hourly=45),
    Person("Amy Chen", "purchasing", "2020-10-19", hourly=36),
    Person("Nick Russo", "sales", "2014-06-02", hourly=55),
    Person("Laura Simmons", "sales", "2018-01-15", hourly=50),
    Person("Derrick Hayes", "sales", "2019-09-03", hourly=48),
    Person("Monica Ellis", "sales", "2021-03-22", hourly=46),
    Person("Jake Porter", "sales", "2023-05-01", hourly=42),
    Person("Sandra Kim", "sales", "2024-02-12", hourly=42),
    Person("Beth Warren", "customer_service", "2017-11-06", hourly=27),
    Person("Omar Haddad", "customer_service", "2022-04-18", hourly=25),
    Person("Kelly Nash", "customer_service", "2024-07-08", hourly=24),
    Person("Gary Holt", "operations", "2011-05-16", "2026-03-13", hourly=44),
    Person("Luis Herrera", "operations", "2026-03-16", hourly=42),
    Person("Sam Ortiz", "operations", "2015-09-08", hourly=30),
    Person("Ray Jenkins", "operations", "2017-02-20", hourly=29),
    Person("Tony Marshall", "operations", "2018-06-11", hourly=24),
    Person("Andre Wallace", "operations", "2019-03-04", hourly=23),
    Person("Kim Nguyen", "operations", "2019-10-14", hourly=23),
    Person("Victor Cruz", "operations", "2020-08-03", hourly=22),
    Person("Dylan Ford", "operations", "2021-01-25", hourly=22),
    Person("Marcus Tate", "operations", "2021-09-13", hourly=22),
    Person("Jamal Price", "operations", "2022-05-02", hourly=21),
    Person("Eddie Vargas", "operations", "2023-03-27", hourly=21),
    Person("Rosa Diaz", "operations", "2023-11-06", hourly=21),
    Person("Chris Boyd", "operations", "2024-06-17", hourly=21),
)
DIST_SALES = ("Nick Russo", "Laura Simmons", "Derrick Hayes", "Monica Ellis", "Jake Porter",
              "Sandra Kim")
DIST_CS = ("Beth Warren", "Omar Haddad", "Kelly Nash")


def _dist_systems() -> tuple[SystemSpec, ...]:
    fishbowl = ("Walt Becker", "Carol Stevens", "Joan Meyer", "Tina Webb", "Paul Grant",
                "Frank Dunn", "Amy Chen", "Luis Herrera", "Sam Ortiz", "Ray Jenkins",
                "Gary Holt", *DIST_CS)
    return (
        SystemSpec("Fishbowl", "erp", "Carol Stevens", 1200.0, 0.0, fishbowl,
                   admins=("Walt Becker", "Carol Stevens", "Joan Meyer", "Frank Dunn",
                           "Amy Chen", "Gary Holt", "Luis Herrera"),
                   no_mfa=("Gary Holt", "Sam Ortiz", "Ray Jenkins", "Paul Grant", "Frank Dunn",
                           "Amy Chen", *DIST_CS),
                   left_enabled=("Gary Holt",), login_after_leaving=("Gary Holt",),
                   adopted="2014-01-06"),
        SystemSpec("QuickBooks Online", "accounting", "Joan Meyer", 275.0, 0.0,
                   ("Joan Meyer", "Tina Webb", "Paul Grant", "Walt Becker", "Maria Lopez"),
                   admins=("Joan Meyer",), left_enabled=("Maria Lopez",),
                   adopted="2017-01-03"),
        SystemSpec("Google Workspace", "productivity", "Carol Stevens", 0, 14.0,
                   _everyone(DIST_PEOPLE), admins=("Walt Becker", "Joan Meyer"),
                   left_enabled=("Gary Holt",), adopted="2016-05-02"),
        SystemSpec("Salesforce", "crm", "Carol Stevens", 0, 80.0,
                   DIST_SALES + DIST_CS + ("Walt Becker", "Carol Stevens"),
                   admins=("Carol Stevens", "Nick Russo"), dormant=("Sandra Kim",),
                   adopted="2019-02-04"),
    )


DIST_SPREADSHEETS = pd.DataFrame([
    ("Customer pricing matrix.xlsx", "Walt Becker", 1, "2026-09-22 18:10:00", True,
     "Quoting and pricing", False, 4.0),
    ("Reorder points.xlsx", "Frank Dunn", 1, "2026-09-29 07:45:00", True, "Purchasing",
     False, 5.0),
    ("Commission calculator.xlsx", "Joan Meyer", 1, "2026-09-03 16:00:00", True,
     "Sales commissions", False, 3.0),
    ("AR aging follow-up.xlsx", "Joan Meyer", 1, "2026-09-30 15:20:00", True, "Collections",
     False, 2.5),
    ("Freight accrual.xlsx", "Joan Meyer", None, "2026-09-24 10:30:00", True,
     "Month-end close", False, 2.0),
    ("Vendor rebates.xlsx", "Carol Stevens", 2, "2026-08-14 13:00:00", True, "Purchasing",
     False, 1.0),
    ("Cycle count schedule.gsheet", "Frank Dunn", 3, "2026-09-28 06:30:00", True,
     "Inventory control", True, 1.5),
    ("Sales forecast 2026.xlsx", "Walt Becker", 4, "2026-09-18 11:00:00", True,
     "Purchasing", True, 2.0),
    ("Route planning.gsheet", "Luis Herrera", 2, "2026-09-30 05:50:00", False, "Delivery",
     False, 3.0),
], columns=["file", "owner", "editors", "last_modified_at", "critical", "process",
            "documented", "hours_per_week"])


def _stale_subjects(cat: Catalog, pos: pd.DataFrame, window_sales: np.ndarray) -> list[str]:
    """SKUs sold in the period whose cost on file is >10% off the latest landed cost."""
    po = pos.sort_values("received_at", kind="stable").drop_duplicates("sku", keep="last")
    landed = po["unit_cost"] + (po["freight"].fillna(0) + po["duty"].fillna(0)) / po[
        "quantity"]
    landed_by_sku = dict(zip(po["sku"], landed, strict=True))
    revenue = window_sales.sum(axis=(1, 2)) * cat.price
    rows = []
    for i in np.flatnonzero(cat.stale & (revenue > 0)):
        lc = landed_by_sku.get(str(cat.sku[i]))
        if lc and abs(cat.unit_cost[i] - lc) / lc > 0.15:
            rows.append((-revenue[i], str(cat.sku[i])))
    return [sku for _, sku in sorted(rows)[:20]]


def _mixed_dates(days: np.ndarray, every: int) -> np.ndarray:
    """ISO dates, with every ``every``-th date whose day is above 12 written MM/DD/YYYY.

    Only unambiguous dates (day > 12) get the US layout, as a spreadsheet would show them.
    """
    out = fmt_dates(days).astype(object)
    k = 0
    for i, v in enumerate(out):
        if v is None or int(v[8:10]) <= 12:
            continue
        k += 1
        if k % every == 0:
            out[i] = f"{v[5:7]}/{v[8:10]}/{v[:4]}"
    return out


def build_distributor(root: Path, seed: int, scale: int) -> None:
    """Ridgeline Supply Co.: cash, AR, AP, orders vs invoices, stock records, access."""
    rng = _streams(seed, 2)
    out = EngagementWriter(root)
    truth = Collector()
    directory = Directory(rng[0], phone_offset=2_345_678, domain="example.net")
    cspec = CatalogSpec(prefix="RS", categories=DIST_CATEGORIES, n_skus=1200, n_dead=30,
                        popularity_sigma=0.8, popularity_floor=0.35, sell_start="2025-01-01",
                        dead_from="2025-01-01", dead_until="2026-02-28",
                        retail_endings=False, weight_decimals=1)
    cat = make_catalog(rng[1], cspec)
    # Stale costs: the 2026 price increases of three vendors never reached the item master.
    stale = np.isin(cat.vendor, DIST_STALE_VENDORS) & cat.in_master
    cat.stale = stale
    spec = DistributionSpec(
        start="2025-10-01", orders_per_bday=26.0, yoy_growth=0.12, n_customers=320,
        terms_shares=(0.7, 0.2, 0.1), class_shares=(0.49, 0.30, 0.15, 0.06),
        dispute_before="2026-06-01", lines_mean=6.0, never_invoiced=0.07,
        surcharge_mismatch=0.02, lag_groups=((1, 1, 0.6), (2, 2, 0.25), (4, 6, 0.15)),
        contract_share=0.3, unattributed=0.04, customer_duplicates=3, manual_share=0.55,
        close_days=(17, 21))
    res = generate_distribution(rng[2], spec, cat, out, truth, scale=scale,
                                directory=directory)
    out.write_table("products", products_frame(cat, bool_words=("Y", "N")))
    inv_subjects, wrong_counts, pos = _inventory(
        rng[3], rng[4], rng[5], cat, out,
        levels=LevelSpec(("Main DC", "North Annex"), stockout_series_share=0.03,
                         stockout_days=(7, 14), negative_share_at_end=0.045,
                         negative_weeks=2, dead_value_share=0.05, snapshot_every=7),
        counts=CountSpec("2026-01-05", 25, 0.82, ("Main DC", "North Annex"),
                         paren_negatives=True),
        po=POSpec("PO-", "2025-09-01", 21, (25, 45), 0.03, 0.0,
                  stale_increase_from="2026-02-01", days_of_cover=63),
        window_sales=res.window_sales, expected=res.expected_daily_units)
    bills, dup_ids = bills_from(
        rng[6], po=pos, overhead=(
            OverheadVendor("Crossroads Industrial Park LLC", 18_500, ref_prefix="RENT-",
                           fixed=True),
            OverheadVendor("Metro Power & Light", 3_200, ref_prefix="MPL-"),
            OverheadVendor("Estes Express Lines", 9_000, per_month=4, ref_prefix="PRO"),
            OverheadVendor("Ryder Truck Leasing", 6_200, ref_prefix="RTL-", fixed=True),
            OverheadVendor("Summit Business Insurance", 2_800, ref_prefix="POL-", fixed=True),
            OverheadVendor("Waste Away Services", 650, ref_prefix="WA"),
            OverheadVendor("Uline", 1_200, per_month=2, ref_prefix="UL"),
        ), start="2025-10-01", scale=scale, duplicates=5,
        ref_styles={"Pacific Paper Mills": "PPM-{n}", "Summit Packaging": "{n}",
                    "Guardian Safety Supply": "GS-{n}", "Brightway Chemical Co.": "BW{n}"})
    gl = distribution_ledger(rng[7], spec, res, bills, scale=scale, truth=truth)
    out.write_table("gl_entries", gl)
    bills_out = bills.copy()
    bills_out["amount"] = [f"${a:,.2f}" for a in bills_out["amount"]]
    bills_out["issued_at"] = _mixed_dates(bills_out["issued_at"].to_numpy(), 7)
    bills_out["due_at"] = fmt_dates(bills_out["due_at"].to_numpy())
    bills_out["paid_at"] = fmt_dates(bills_out["paid_at"].to_numpy())
    out.write_table("bills", bills_out, bom=True)
    domain = "ridgelinesupply.example.com"
    out.write_table("people", people_frame(DIST_PEOPLE, domain))
    acc, systems = accounts_frames(rng[8], _dist_systems(), DIST_PEOPLE, domain)
    out.write_table("accounts", acc)
    out.write_table("systems", systems)
    out.write_table("spreadsheets", _bool_text(DIST_SPREADSHEETS, ("critical", "documented"),
                                               words=("Y", "N")))

    stale_skus = _stale_subjects(cat, pos, res.window_sales)
    planted = [
        Planted("cash.dso_vs_terms", "FAIL", {"excess_days": (22.0, 42.0)}, "customer_id",
                truth.get("slow_payers"),
                "A fifth of revenue comes from customers who pay 40-110 days after due and 6% "
                "from customers disputing old invoices: DSO runs far past the 30-45 day terms."),
        Planted("cash.ar_over_90", "FAIL", {"over_90_share": (0.12, 0.22)}, "invoice_id",
                truth.get("over_90"),
                "Disputed invoices from before June sit unpaid or part-paid with nobody "
                "chasing them: a large share of open AR is over 90 days past due."),
        Planted("cash.duplicate_bills", "FAIL", {"duplicate_share": (0.0015, 0.0035)}, "bill_id",
                dup_ids,
                "Five vendor invoices were keyed twice (emailed and mailed), the reference "
                "retyped or left empty, and paid twice."),
        Planted("cash.close_lag", "FAIL", {"close_lag_days": (16.0, 22.0)}, "month",
                ["2026-07", "2026-08", "2026-09"],
                "Month-end adjusting journals are keyed 17-21 days after month end."),
        Planted("cash.manual_journals", "FAIL", {"manual_share": (0.52, 0.58)}, "entry_id",
                truth.get("manual_entries"),
                "More than half of the ledger lines are hand-keyed journals (reclasses, "
                "accruals, inventory adjustments) because the ERP does not post to the books."),
        Planted("integration.orders_vs_invoices", "FAIL",
                {"match_rate": (0.895, 0.93), "lag_p90_days": (4.5, 8.0)}, "order_id",
                truth.get("never_invoiced"),
                "Orders from the second warehouse are invoiced by hand in a weekly batch: 6% "
                "are never invoiced and 2% carry a surcharge the order does not."),
        Planted("integration.revenue_reconciliation", "FAIL",
                {"max_monthly_gap": (0.07, 0.14)}, "month", ["2026-07", "2026-08", "2026-09"],
                "Revenue in the books comes from invoices, and 6% of orders are never "
                "invoiced: the ERP and the ledger disagree every month."),
        Planted("inventory.record_accuracy", "FAIL", {"accuracy": (0.8, 0.835)}, "sku",
                wrong_counts,
                "18% of cycle counts disagree with the system quantity: receipts and "
                "adjustments are posted late or not at all."),
        Planted("inventory.negative_on_hand", "FAIL", {"negative_share": (0.037, 0.05)},
                "sku", inv_subjects["negative"],
                "4.5% of SKU-locations show negative stock at the end of September: goods were "
                "shipped before their receipt was posted."),
        Planted("margin.stale_unit_cost", "FAIL", {"stale_share": (0.26, 0.45)}, "sku",
                stale_skus,
                "Three vendors raised prices 24-36% in February; the item master still carries "
                "the old costs for all their SKUs."),
        Planted("knowledge.spreadsheet_dependency", "FAIL", {"fragile_share": (0.625, 0.625)},
                "file", ["Customer pricing matrix.xlsx", "Reorder points.xlsx",
                         "Commission calculator.xlsx", "AR aging follow-up.xlsx",
                         "Freight accrual.xlsx"],
                "Pricing, reorder points, commissions, collections and the freight accrual "
                "run from spreadsheets one person edits and nobody documented."),
        Planted("security.departed_staff_access", "FAIL", {"departed_enabled": (3, 3)}, "user",
                ["gary.holt@ridgelinesupply.example.com",
                 "maria.lopez@ridgelinesupply.example.com"],
                "The former operations manager's ERP admin account is still enabled and was "
                "used after he left; the former AP clerk can still sign in to QuickBooks."),
        Planted("security.admin_sprawl", "FAIL",
                {"max_admin_share": (0.5, 0.5), "single_admin_systems": (1, 1)}, "system",
                ["Fishbowl", "QuickBooks Online"],
                "Half of the Fishbowl users are administrators, while QuickBooks has a single "
                "admin."),
        Planted("security.mfa_gaps", "WARN",
                {"no_mfa_share": (0.15, 0.15), "admins_without_mfa": (3, 3)}, "user",
                ["frank.dunn@ridgelinesupply.example.com",
                 "amy.chen@ridgelinesupply.example.com",
                 "gary.holt@ridgelinesupply.example.com"],
                "Nine ERP accounts, three of them administrators, sign in without a second "
                "factor."),
    ]
    na = "NOT_ASSESSABLE"
    expected = _expected(
        "PASS",
        fulfillment__late_shipments=na, fulfillment__data_defects_drive_delays=na,
        fulfillment__order_to_ship_time=na, fulfillment__address_exceptions=na,
        fulfillment__shipping_cost_recovery=na, fulfillment__fulfillment_errors=na,
        sales__missed_calls=na, sales__speed_to_lead=na, sales__stale_pipeline=na,
        marketing__cac_payback=na, marketing__delivery_promise_gap=na,
        integration__manual_rekeying=na, knowledge__single_points_of_failure=na,
        knowledge__vacation_test=na, efficiency__automation_candidates=na,
        efficiency__manual_touches=na,
    )
    for p in planted:
        expected[p.check] = p.status
    doc = planted_json(slug="distributor", name="Ridgeline Supply Co.", seed=seed, scale=scale,
                       planted=planted, expected=expected, set_aside={})
    out.finish(client="Ridgeline Supply Co.", industry="distribution", assumptions={},
               planted=doc, table_order=TABLE_ORDER)


# =========================================================================================
# services: Brightline Home Services
# =========================================================================================

SVC_TECHS = ("Cody Turner", "Ryan Mitchell", "Jose Rivera", "Kyle Adams", "Brandon Scott",
             "Travis Young", "Derek King", "Aaron Hill", "Evan Wright", "Marco Flores",
             "Tyler Green", "Sean Baker", "Caleb Nelson", "Hector Ramirez")
SVC_PEOPLE = (
    Person("Mark Sullivan", "leadership", "2012-03-01", hourly=95),
    Person("Karen Doyle", "leadership", "2016-07-11", hourly=62),
    Person("Dana Whitfield", "finance", "2014-02-03", hourly=38),
    Person("Luis Ortega", "operations", "2018-05-14", hourly=31),
    Person("Priya Raman", "customer_service", "2021-09-20", hourly=24),
    Person("Tom Becker", "customer_service", "2023-03-06", hourly=23),
    Person("Jess Moreno", "customer_service", "2024-10-07", fte=0.6, hourly=22),
    Person("Greg Hanson", "sales", "2017-04-17", hourly=45),
    Person("Alicia Ward", "sales", "2020-08-24", hourly=42),
    Person("Ben Foster", "sales", "2023-02-13", hourly=40),
    *(Person(n, "field_service", f"20{15 + i % 10}-0{1 + i % 9}-1{i % 9}", hourly=34)
      for i, n in enumerate(SVC_TECHS)),
    Person("Nate Coleman", "field_service", "2019-04-01", "2025-12-19", hourly=33),
    Person("Lena Price", "customer_service", "2022-01-10", "2026-04-30", hourly=23),
)
SVC_OFFICE = ("Dana Whitfield", "Luis Ortega", "Priya Raman", "Tom Becker", "Jess Moreno")
SVC_SALES = ("Greg Hanson", "Alicia Ward", "Ben Foster")
SVC_CSR = ("Priya Raman", "Tom Becker", "Jess Moreno")


def _svc_systems() -> tuple[SystemSpec, ...]:
    return (
        SystemSpec("Google Workspace", "productivity", "Karen Doyle", 0, 14.0,
                   _everyone(SVC_PEOPLE), admins=("Mark Sullivan", "Dana Whitfield"),
                   no_mfa=(*SVC_TECHS[:11], "Luis Ortega"),
                   dormant=SVC_TECHS[9:14]),
        SystemSpec("ServiceTitan", "field_service", "Luis Ortega", 0, 125.0,
                   SVC_TECHS + SVC_OFFICE + SVC_SALES + ("Nate Coleman",),
                   admins=("Dana Whitfield", "Luis Ortega", "Karen Doyle"),
                   no_mfa=(*SVC_TECHS[:8], "Jess Moreno"),
                   dormant=SVC_TECHS[4:14]),
        SystemSpec("HubSpot", "crm", "Karen Doyle", 0, 90.0,
                   SVC_SALES + SVC_CSR + ("Dana Whitfield", "Karen Doyle", "Mark Sullivan",
                                          "Luis Ortega", "Cody Turner", "Ryan Mitchell",
                                          "Lena Price"),
                   admins=("Karen Doyle", "Greg Hanson"),
                   no_mfa=("Ben Foster", "Tom Becker", "Jess Moreno", "Cody Turner",
                           "Ryan Mitchell", "Luis Ortega"),
                   dormant=("Mark Sullivan", "Luis Ortega", "Cody Turner", "Ryan Mitchell",
                            "Dana Whitfield", "Ben Foster", "Jess Moreno")),
        SystemSpec("RingCentral", "phone", "Dana Whitfield", 0, 30.0,
                   SVC_CSR + SVC_SALES + ("Dana Whitfield", "Luis Ortega", "Karen Doyle",
                                          "Mark Sullivan", "Cody Turner", "Ryan Mitchell"),
                   admins=("Dana Whitfield", "Karen Doyle"),
                   no_mfa=("Luis Ortega", "Cody Turner", "Ryan Mitchell", "Greg Hanson"),
                   dormant=("Mark Sullivan", "Cody Turner", "Ryan Mitchell", "Alicia Ward",
                            "Ben Foster", "Karen Doyle")),
        SystemSpec("QuickBooks Online", "accounting", "Dana Whitfield", 275.0, 0.0,
                   ("Dana Whitfield", "Mark Sullivan", "Karen Doyle"),
                   admins=("Dana Whitfield",), no_mfa=("Dana Whitfield",)),
        SystemSpec("Gusto", "payroll", "Dana Whitfield", 180.0, 0.0,
                   ("Dana Whitfield", "Mark Sullivan"),
                   admins=("Dana Whitfield", "Mark Sullivan")),
    )


SVC_INTEGRATIONS = pd.DataFrame([
    ("RingCentral", "HubSpot", "native", "realtime", "Dana Whitfield"),
    ("ServiceTitan", "QuickBooks Online", "file", "weekly", "Dana Whitfield"),
    ("HubSpot", "ServiceTitan", "manual", "daily", "Luis Ortega"),
    ("Google Local Services", "HubSpot", "api", "realtime", "Karen Doyle"),
], columns=["source_system", "target_system", "method", "frequency", "owner"])

SVC_TASKS = (
    TaskDef("Re-key completed jobs into QuickBooks invoices", ("Dana Whitfield",),
            "rekeying", 150, system="ServiceTitan", target="QuickBooks Online"),
    TaskDef("Copy Angi leads into HubSpot", ("Priya Raman", "Tom Becker"), "data_entry", 30,
            system="Angi", target="HubSpot"),
    TaskDef("Payroll hours export to Gusto", ("Dana Whitfield",), "data_entry", 180,
            every="weekly:0", system="ServiceTitan", target="Gusto"),
    TaskDef("AR collection calls", ("Dana Whitfield",), "customer_service", 45),
    TaskDef("Bank reconciliation", ("Dana Whitfield",), "reconciliation", 90,
            every="weekly:4", system="QuickBooks Online"),
    TaskDef("Dispatch board update", ("Luis Ortega",), "data_entry", 60,
            system="ServiceTitan"),
    TaskDef("Confirm tomorrow's appointments", SVC_CSR, "customer_service", 60),
    TaskDef("Weekly KPI report", ("Karen Doyle",), "reporting", 120, every="weekly:0"),
    TaskDef("Job notes and photos entry", SVC_TECHS, "other", 20, rotate="all",
            system="ServiceTitan"),
    TaskDef("Update deal stages", SVC_SALES, "data_entry", 15, rotate="all",
            system="HubSpot"),
    TaskDef("Answer inbound calls", SVC_CSR, "customer_service", 200, rotate="all",
            system="RingCentral"),
)

SVC_PROCESSES = pd.DataFrame([
    ("Dispatch and scheduling", "Luis Ortega", None, False, None, "high", "daily", 9000.0),
    ("Invoicing", "Dana Whitfield", None, False, "2023-05-10", "high", "daily", 6000.0),
    ("Payroll", "Dana Whitfield", None, False, None, "high", "weekly", 5000.0),
    ("Collections", "Dana Whitfield", "Karen Doyle", True, "2024-11-01", "high", "weekly",
     2500.0),
    ("Lead intake", "Priya Raman", "Tom Becker", True, "2026-02-17", "high", "daily",
     4500.0),
    ("Estimates and proposals", "Greg Hanson", "Alicia Ward", True, "2025-12-15", "high",
     "daily", 5000.0),
    ("Warranty claims", "Dana Whitfield", None, False, None, "high", "monthly", 800.0),
    ("Parts ordering", "Luis Ortega", "Cody Turner", None, "2025-06-20", "high", "daily",
     3000.0),
    ("Safety compliance", "Karen Doyle", "Mark Sullivan", True, "2026-03-23", "high",
     "monthly", 1000.0),
    ("Customer complaints", "Karen Doyle", "Priya Raman", True, "2026-01-26", "high",
     "weekly", 1500.0),
    ("Marketing budget", "Mark Sullivan", None, False, None, "medium", "monthly", 500.0),
    ("Fleet maintenance", "Cody Turner", None, False, None, "low", "monthly", 400.0),
], columns=["process", "owner", "backup_owner", "documented", "last_reviewed_on",
            "criticality", "frequency", "daily_value"])


def build_services(root: Path, seed: int, scale: int) -> None:
    """Brightline Home Services: calls, leads, pipeline, CRM duplicates, one head, seats."""
    rng = _streams(seed, 3)
    out = EngagementWriter(root)
    truth = Collector()
    directory = Directory(rng[0], phone_offset=3_456_789)
    generate_calls(rng[1], CallSpec(
        start="2026-04-01", inbound_per_bday=70, saturday=0.35, sunday=0.1, hours=(7, 19),
        not_answered=0.27, outcome_split=(0.55, 0.3, 0.15), recovered=0.38,
        callback_share=0.6, late_callback=0.4, outbound_per_bday=20,
        agents=(*SVC_CSR, "Dana Whitfield", "Luis Ortega"), line=5_550_100_300),
        out, truth, scale=scale, directory=directory)
    w_cust = out.table("customers", CUSTOMER_COLUMNS, bom=False)
    won = generate_leads_deals(
        rng[2],
        LeadSpec(start="2026-01-01", per_day=12, weekend=0.5,
                 sources=(("google_lsa", 0.3), ("website", 0.25), ("angi", 0.2),
                          ("referral", 0.1), ("facebook", 0.1), ("yelp", 0.05)),
                 unattributed=0.10, owners=SVC_CSR, never=0.26, median_minutes=190,
                 sigma=1.1, convert=0.42, value_median=4200),
        DealSpec(owners=SVC_SALES, win=0.45, linger=0.15, close_days=(5, 40),
                 extra_per_month=12),
        out, truth, scale=scale, directory=directory, crm="hubspot", w_contacts=w_cust)
    customers, invoices = services_billing(
        rng[3], ServiceBillingSpec(start="2026-01-02", repairs_per_bday=9, repair_value=380,
                                   repair_in_crm=0.35, unpaid_old=0.006, install_terms=15,
                                   qb_email_missing=0.15),
        won, out, truth, scale=scale, directory=directory, crm="hubspot")
    w_cust.write(customers)
    out.close("customers")
    out.write_table("invoices", invoices)
    domain = "brightlinehome.example.com"
    out.write_table("people", people_frame(SVC_PEOPLE, domain))
    acc, systems = accounts_frames(rng[4], _svc_systems(), SVC_PEOPLE, domain,
                                   bool_words=("yes", "no"))
    out.write_table("accounts", acc)
    out.write_table("systems", systems)
    out.write_table("integrations", SVC_INTEGRATIONS)
    out.write_table("tasks", tasks_frame(rng[5], SVC_TASKS, "2026-04-01"))
    proc = _bool_text(SVC_PROCESSES, ("documented",), words=("Yes", "No"))
    proc["last_reviewed_on"] = _mixed_dates(
        np.asarray([v if isinstance(v, str) else "NaT" for v in SVC_PROCESSES["last_reviewed_on"]],
                   dtype="datetime64[D]"), 2)
    out.write_table("processes", proc, bom=True)

    dup_ids = _duplicate_ids(out.root / "data")
    planted = [
        Planted("sales.missed_calls", "FAIL",
                {"missed_rate": (0.24, 0.28), "unrecovered_rate": (0.58, 0.66)},
                "from_number", truth.get("unrecovered_callers"),
                "27% of inbound calls go unanswered and 62% of those callers are not reached "
                "within the hour: each is a lost job."),
        Planted("sales.speed_to_lead", "FAIL",
                {"median_response_minutes": (150.0, 240.0),
                 "never_answered_share": (0.24, 0.285)}, "lead_id",
                truth.get("never_answered_leads"),
                "Leads wait about three hours for a first answer and a quarter never get one: "
                "the CSRs work the phones first."),
        Planted("sales.stale_pipeline", "FAIL", {"stale_share": (0.5, 0.78)}, "deal_id",
                truth.get("stale_deals"),
                "A fifth of deals are left open after the customer went quiet; months later "
                "they still count in the forecast."),
        Planted("sales.crm_duplicates", "FAIL", {"duplicate_share": (0.16, 0.22)},
                "customer_id", dup_ids,
                "Every installed customer exists in HubSpot and again in QuickBooks (email "
                "typed with other capitals), and office staff add repair customers to both."),
        Planted("integration.manual_rekeying", "FAIL",
                {"rekeying_hours_per_month": (68.0, 82.0)}, "task",
                ["Re-key completed jobs into QuickBooks invoices",
                 "Payroll hours export to Gusto", "Copy Angi leads into HubSpot"],
                "Completed jobs, payroll hours and Angi leads are typed from one system into "
                "another every day; only a weekly file links ServiceTitan and QuickBooks."),
        Planted("knowledge.single_points_of_failure", "FAIL", {"spof_share": (0.6, 0.6)},
                "process", ["Dispatch and scheduling", "Invoicing", "Payroll", "Collections",
                            "Warranty claims", "Parts ordering"],
                "Six of ten critical processes have no backup, no current documentation or "
                "no review in a year; most of them are Dana's."),
        Planted("knowledge.vacation_test", "FAIL", {"worst_person_share": (0.95, 1.0)},
                "person", ["Dana Whitfield", "Luis Ortega", "Karen Doyle"],
                "Nobody else has done any of Dana's recurring work (invoicing, payroll, "
                "collections, bank reconciliation) in the quarter."),
        Planted("efficiency.automation_candidates", "FAIL",
                {"top_task_hours_per_month": (48.0, 56.0)}, "task",
                ["Re-key completed jobs into QuickBooks invoices", "Dispatch board update"],
                "Re-keying completed jobs into QuickBooks takes Dana about 54 hours a month."),
        Planted("security.mfa_gaps", "FAIL",
                {"no_mfa_share": (0.41, 0.44), "admins_without_mfa": (1, 1)}, "user",
                ["dana.whitfield@brightlinehome.example.com"],
                "Technicians and several office users sign in without a second factor, and "
                "the QuickBooks administrator has none."),
        Planted("security.dormant_paid_seats", "FAIL", {"dormant_share": (0.39, 0.41)}, "user",
                [f"{n.split()[0].lower()}.{n.split()[1].lower()}@brightlinehome.example.com"
                 for n in SVC_TECHS[4:14]],
                "ServiceTitan, HubSpot and RingCentral seats are paid for people who have not "
                "signed in for over 90 days."),
    ]
    na = "NOT_ASSESSABLE"
    expected = _expected(
        na,
        cash__dso_vs_terms="PASS", cash__ar_over_90="PASS",
        marketing__attribution_coverage="PASS",
        security__departed_staff_access="PASS", security__admin_sprawl="PASS",
        security__shared_logins="PASS",
    )
    for p in planted:
        expected[p.check] = p.status
    doc = planted_json(slug="services", name="Brightline Home Services", seed=seed,
                       scale=scale, planted=planted, expected=expected, set_aside={})
    out.finish(client="Brightline Home Services", industry="services",
               assumptions={"average_deal_value": 4200}, planted=doc, table_order=TABLE_ORDER)


def _duplicate_ids(data_dir: Path) -> list[str]:
    """QuickBooks records whose email matches a HubSpot contact (first 20 in file order)."""
    path = next(data_dir.glob("customers.csv*"))
    found: list[str] = []
    seen: set[str] = set()
    for chunk in pd.read_csv(path, chunksize=50_000, dtype=str):
        for cid, system, email in zip(chunk["customer_id"], chunk["system"], chunk["email"],
                                      strict=True):
            if not isinstance(email, str):
                continue
            key = email.strip().lower()
            if system == "hubspot":
                seen.add(key)
            elif key in seen and len(found) < 20:
                found.append(cid)
    return found


# =========================================================================================
# control: Juniper Lane Goods
# =========================================================================================

CTRL_CATEGORIES = (
    Category("CAN", ("Soy Candle", "Three-Wick Candle", "Votive Set", "Reed Diffuser"),
             ("Cedar & Sage", "Fig Leaf", "Sea Salt", "Amber", "Juniper"),
             ("8oz", "12oz", "Set of 3", "Refill"), 48, 0.3, 0.30, 1.6, 0.35,
             ("Wickford Wax Works",)),
    Category("BTH", ("Bar Soap", "Hand Wash", "Body Oil", "Bath Salts"),
             ("Oat Milk", "Lavender", "Eucalyptus", "Rosemary"), ("4oz", "8oz", "16oz"),
             32, 0.3, 0.28, 0.9, 0.25, ("Saltmarsh Botanicals",)),
    Category("DEC", ("Ceramic Tray", "Linen Napkins", "Match Cloche", "Wood Wick Trimmer"),
             ("Speckled", "Natural", "Brass", "Stoneware"), ("Small", "Large", "Set of 4"),
             65, 0.45, 0.36, 2.5, 0.20, ("Kiln & Co.",)),
    Category("GIF", ("Gift Set", "Discovery Box", "Host Bundle"),
             ("Holiday", "Spa", "Classic", "Seasonal"), ("Small", "Large"), 95, 0.3, 0.34,
             3.2, 0.20, ("Wickford Wax Works", "Saltmarsh Botanicals")),
)

CTRL_PEOPLE = (
    Person("Hazel Morgan", "leadership", "2018-02-05", hourly=90),
    Person("Owen Price", "leadership", "2019-01-14", hourly=75),
    Person("Ruth Bennett", "operations", "2021-04-12", hourly=34),
    Person("Carlos Mendez", "operations", "2022-08-01", hourly=30),
    Person("Leo Tran", "operations", "2024-03-04", fte=0.5, hourly=24),
    Person("Ivy Coleman", "customer_service", "2022-10-17", hourly=25),
    Person("Noah Fischer", "customer_service", "2024-05-20", hourly=24),
    Person("Stella Quinn", "marketing", "2020-06-08", hourly=52),
    Person("Felix Ward", "marketing", "2023-02-27", hourly=41),
    Person("June Park", "marketing", "2025-09-15", hourly=38),
    Person("Diane Foster", "finance", "2020-03-02", hourly=55),
    Person("Miles Carter", "sales", "2021-11-08", hourly=45),
    Person("Tessa Hart", "sales", "2024-09-09", hourly=40),
    Person("Ada Lin", "product", "2019-09-23", hourly=50),
    Person("Paige Rowe", "marketing", "2021-05-03", "2026-01-16", hourly=40),
)


def _ctrl_systems() -> tuple[SystemSpec, ...]:
    everyone = _everyone(CTRL_PEOPLE)
    return (
        SystemSpec("Google Workspace", "productivity", "Owen Price", 0, 14.0, everyone,
                   admins=("Owen Price", "Diane Foster")),
        SystemSpec("Slack", "communication", "Owen Price", 0, 8.75, everyone,
                   admins=("Owen Price", "Hazel Morgan"), dormant=("Ada Lin",)),
        SystemSpec("Shopify", "ecommerce", "Owen Price", 399.0, 0.0,
                   ("Hazel Morgan", "Owen Price", "Ruth Bennett", "Carlos Mendez"),
                   admins=("Hazel Morgan", "Owen Price")),
        SystemSpec("ShipStation", "shipping", "Ruth Bennett", 159.0, 0.0,
                   ("Ruth Bennett", "Carlos Mendez", "Leo Tran"),
                   admins=("Ruth Bennett",)),
        SystemSpec("QuickBooks Online", "accounting", "Diane Foster", 200.0, 0.0,
                   ("Diane Foster", "Hazel Morgan"), admins=("Diane Foster", "Hazel Morgan")),
        SystemSpec("HubSpot", "crm", "Miles Carter", 0, 50.0,
                   ("Miles Carter", "Tessa Hart", "Owen Price", "Hazel Morgan"),
                   admins=("Miles Carter", "Owen Price")),
        SystemSpec("Klaviyo", "email", "Stella Quinn", 600.0, 0.0,
                   ("Stella Quinn", "Felix Ward", "June Park", "Paige Rowe"),
                   admins=("Stella Quinn", "Felix Ward")),
        SystemSpec("Gorgias", "helpdesk", "Ivy Coleman", 0, 50.0,
                   ("Ivy Coleman", "Noah Fischer", "Ruth Bennett"),
                   admins=("Ivy Coleman", "Ruth Bennett")),
        SystemSpec("Aircall", "phone", "Ivy Coleman", 0, 40.0,
                   ("Ivy Coleman", "Noah Fischer", "Miles Carter"),
                   admins=("Ivy Coleman", "Miles Carter")),
    )


CTRL_INTEGRATIONS = pd.DataFrame([
    ("Shopify", "ShipStation", "native", "realtime", "Ruth Bennett"),
    ("ShipStation", "Shopify", "native", "realtime", "Ruth Bennett"),
    ("Shopify", "QuickBooks Online", "api", "realtime", "Diane Foster"),
    ("Shopify", "Klaviyo", "native", "realtime", "Stella Quinn"),
    ("HubSpot", "Shopify", "api", "daily", "Miles Carter"),
    ("Gorgias", "Shopify", "native", "realtime", "Ivy Coleman"),
    ("Aircall", "HubSpot", "native", "realtime", "Miles Carter"),
    ("Aircall", "Gorgias", "native", "realtime", "Ivy Coleman"),
], columns=["source_system", "target_system", "method", "frequency", "owner"])

CTRL_TASKS = (
    TaskDef("Answer support tickets", ("Ivy Coleman", "Noah Fischer"), "customer_service",
            180, rotate="all", system="Gorgias"),
    TaskDef("Pick-pack exceptions", ("Ruth Bennett", "Carlos Mendez"), "other", 45,
            rotate="all"),
    TaskDef("Process returns", ("Carlos Mendez", "Ruth Bennett", "Leo Tran"), "other", 45),
    TaskDef("Enter wholesale orders from email", ("Miles Carter", "Tessa Hart"),
            "data_entry", 10, system="Gmail", target="Shopify"),
    TaskDef("Reconcile payouts", ("Diane Foster", "Owen Price"), "reconciliation", 60,
            every="weekly:1", system="QuickBooks Online"),
    TaskDef("Weekly KPI report", ("Owen Price", "Ruth Bennett"), "reporting", 60,
            every="weekly:0"),
    TaskDef("Receive purchase orders", ("Carlos Mendez", "Leo Tran"), "data_entry", 15,
            system="Shopify"),
    TaskDef("Schedule email campaigns", ("Stella Quinn", "Felix Ward", "June Park"), "other",
            60, system="Klaviyo"),
    TaskDef("Follow up wholesale leads", ("Miles Carter", "Tessa Hart"), "customer_service",
            45, system="HubSpot"),
)

CTRL_PROCESSES = pd.DataFrame([
    ("Order fulfillment", "Ruth Bennett", "Carlos Mendez", True, "2026-06-01", "high",
     "daily", 9000.0),
    ("Returns processing", "Carlos Mendez", "Ruth Bennett", True, "2026-03-16", "high",
     "daily", 800.0),
    ("Purchasing", "Ruth Bennett", "Owen Price", True, "2026-02-09", "high", "weekly",
     3000.0),
    ("Month-end close", "Diane Foster", "Owen Price", True, "2026-07-06", "high", "monthly",
     1500.0),
    ("Payroll", "Diane Foster", "Hazel Morgan", True, "2026-01-12", "high", "monthly",
     1500.0),
    ("Customer service", "Ivy Coleman", "Noah Fischer", True, "2026-05-18", "high", "daily",
     1200.0),
    ("Wholesale accounts", "Miles Carter", "Tessa Hart", True, "2026-04-20", "high",
     "weekly", 2500.0),
    ("Email campaigns", "Stella Quinn", "Felix Ward", True, "2026-08-03", "high", "weekly",
     2500.0),
    ("Product development", "Ada Lin", None, False, None, "medium", "ad_hoc", 400.0),
], columns=["process", "owner", "backup_owner", "documented", "last_reviewed_on",
            "criticality", "frequency", "daily_value"])

CTRL_SPREADSHEETS = pd.DataFrame([
    ("Demand plan.xlsx", "Ruth Bennett", 3, "2026-09-29 10:00:00", True, "Purchasing", True,
     2.0),
    ("Payout reconciliation.xlsx", "Diane Foster", 2, "2026-09-28 15:30:00", True,
     "Month-end close", True, 1.0),
    ("Wholesale price list.gsheet", "Miles Carter", 3, "2026-09-10 09:00:00", True,
     "Wholesale accounts", True, 0.5),
    ("Campaign calendar.gsheet", "Stella Quinn", 4, "2026-09-30 12:00:00", True,
     "Email campaigns", True, 1.0),
    ("Payroll register.xlsx", "Diane Foster", 2, "2026-09-15 16:00:00", True, "Payroll",
     True, 0.5),
    ("Photo shot list.gsheet", "Ada Lin", 1, "2026-08-20 11:00:00", False, None, False, 0.5),
], columns=["file", "owner", "editors", "last_modified_at", "critical", "process",
            "documented", "hours_per_week"])


def build_control(root: Path, seed: int, scale: int) -> None:
    """Juniper Lane Goods: the clean control, every table, no planted problem."""
    rng = _streams(seed, 4)
    out = EngagementWriter(root)
    truth = Collector()
    directory = Directory(rng[0], phone_offset=4_567_890, domain="example.net")
    cat = make_catalog(rng[1], CatalogSpec(
        prefix="JL", categories=CTRL_CATEGORIES, n_skus=160, n_archived=10, n_dead=5,
        n_new=6, popularity_sigma=0.7, popularity_floor=0.3, sell_start="2025-10-01",
        archived_until="2025-12-31", dead_from="2025-10-01", dead_until="2026-01-31"))
    spec = CommerceSpec(
        prefix="JL", start="2025-10-01", base_per_day=50.0, yoy_growth=0.15,
        season=(0.85, 0.85, 0.9, 0.95, 1.05, 0.95, 0.9, 0.95, 1.0, 1.05, 1.4, 1.7),
        weekday=(1.08, 1.04, 1.0, 1.0, 0.96, 0.9, 1.02),
        peaks=(("2025-11-28", 2.2), ("2025-12-01", 2.0)),
        hours=(1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 4, 4.2, 4.5, 4.3, 4.2, 4.3, 4.5, 5,
               5.5, 6, 6.3, 5.5, 4, 2.2),
        channels=(
            Channel("web", 0.90, True, True, True, 0.07,
                    (("google", 0.35), ("meta", 0.25), ("email", 0.25), ("affiliates", 0.05),
                     ("pinterest", 0.10)), shipping_fee=7.50, free_over=150.0,
                    uses_codes=True),
            Channel("wholesale", 0.10, True, False, True, 0.05,
                    (("trade_show", 0.5), ("referral", 0.5)), shipping_fee=25.0,
                    free_over=1000.0, terms_days=30, qty_mult=4),
        ),
        codes=(Code("WELCOME10", 0.10, 0.12, new_only=True),
               Code("HOLIDAY15", 0.15, 0.15, "2025-11-01", "2025-12-31")),
        stack_share=0.0, tax_rate=0.065, returning_share=0.35, lines_mean=1.8,
        qty_probs=(0.82, 0.14, 0.04), orphan_share=0.0, nocost_share=0.0,
        noweight_share=0.0, late_clean=0.012, late_defect=0.0, late_bdays=(3, 4),
        address_corrected=0.002, manual_touch=0.03, reship=0.001, carrier_late=0.015,
        transit=(2, 4), promise_transit=3, ship_base=5.2, ship_per_lb=0.6,
        returns=(0.001, 0.0005, 0.001, 0.006, 0.02, 0.003),
        warehouses=(("Columbus OH", 1.0),),
        staff=("Ruth Bennett", "Carlos Mendez", "Ivy Coleman", "Noah Fischer"),
        customers=CustomerSystems("shopify", 6_802_000_000_000, "hubspot", "HSC-", 0.0, 0.02,
                                  shop_duplicate_share=0.012, company_share=0.03),
        invoices=True,
        campaigns=(("google", "google_search"), ("meta", "meta_retargeting"),
                   ("email", "email_newsletter"), ("pinterest", "pinterest_promoted")),
    )
    res = generate_commerce(rng[2], spec, cat, out, truth, scale=scale, directory=directory)
    out.write_table("products", products_frame(cat))
    _, _, pos = _inventory(
        rng[3], rng[4], rng[5], cat, out,
        levels=LevelSpec(("Columbus OH",), stockout_series_share=0.06, stockout_days=(8, 16),
                         dead_value_share=0.03),
        counts=CountSpec("2026-04-01", 10, 0.985, ("Columbus OH",)),
        po=POSpec("PO-", "2025-09-15", 28, (10, 25), 0.04, 0.0),
        window_sales=res.window_sales, expected=res.expected_daily_units)
    months = [np.datetime64(m, "M") for m in month_starts(np.datetime64(spec.start, "D"),
                                                          PERIOD_END)]
    spend, by_month = _marketing_spend(res, {"google": 2.6, "meta": 2.0, "email": 8.0,
                                             "affiliates": 2.2, "pinterest": 1.9}, months,
                                       scale)
    out.write_table("marketing_spend", spend)
    gl = commerce_ledger(
        rng[6], CommerceLedgerSpec(
            revenue_accounts=(("web", "4000 Sales - Online"),
                              ("wholesale", "4030 Sales - Wholesale")),
            fee_rates=(("web", 0.029),), cogs_manual_pct=None, close_days=(2, 4),
            manual_per_month=3, payroll_month=70_000, rent_month=6_500,
            software_month=3_500),
        days=res.days, revenue=res.revenue, tax=res.tax,
        shipping_charged=res.shipping_charged, shipping_cost=res.shipping_cost,
        refunds=res.refunds, cogs=res.cogs, expected_orders=res.expected_orders,
        ad_spend=by_month, scale=scale, yoy_growth=spec.yoy_growth)
    out.write_table("gl_entries", gl)
    bills, _ = bills_from(
        rng[7], po=pos, overhead=(
            OverheadVendor("Northpoint Warehousing LLC", 6_500, ref_prefix="LEASE-",
                           fixed=True),
            OverheadVendor("Columbus Electric", 900, ref_prefix="CE-"),
            OverheadVendor("Packwell Supplies", 1_400, per_month=2, ref_prefix="PW-"),
        ), start="2025-10-01", scale=scale)
    bills["issued_at"] = fmt_dates(bills["issued_at"].to_numpy())
    bills["due_at"] = fmt_dates(bills["due_at"].to_numpy())
    bills["paid_at"] = fmt_dates(bills["paid_at"].to_numpy())
    out.write_table("bills", bills)
    generate_calls(rng[8], CallSpec(
        start="2026-06-01", inbound_per_bday=12, saturday=0.0, sunday=0.0, hours=(9, 17),
        not_answered=0.04, outcome_split=(0.4, 0.5, 0.1), recovered=0.9, callback_share=0.8,
        late_callback=0.7, outbound_per_bday=4, agents=("Ivy Coleman", "Noah Fischer"),
        line=5_550_100_180), out, truth, scale=scale, directory=directory)
    generate_leads_deals(
        rng[9],
        LeadSpec(start="2026-01-01", per_day=2.5, weekend=0.3,
                 sources=(("trade_show", 0.3), ("website", 0.4), ("referral", 0.3)),
                 unattributed=0.04, owners=("Miles Carter", "Tessa Hart"), never=0.02,
                 median_minutes=12, sigma=0.8, convert=0.35, value_median=2400),
        DealSpec(owners=("Miles Carter", "Tessa Hart"), win=0.5, linger=0.0,
                 close_days=(5, 30), extra_per_month=2),
        out, truth, scale=scale, directory=directory, crm="hubspot")
    domain = "juniperlane.example.com"
    out.write_table("people", people_frame(CTRL_PEOPLE, domain))
    acc, systems = accounts_frames(rng[10], _ctrl_systems(), CTRL_PEOPLE, domain)
    out.write_table("accounts", acc)
    out.write_table("systems", systems)
    out.write_table("integrations", CTRL_INTEGRATIONS)
    out.write_table("tasks", tasks_frame(rng[11], CTRL_TASKS, "2026-04-01"))
    out.write_table("processes", _bool_text(CTRL_PROCESSES, ("documented",)))
    out.write_table("spreadsheets", _bool_text(CTRL_SPREADSHEETS, ("critical", "documented")))

    expected = _expected("PASS")
    doc = planted_json(slug="control", name="Juniper Lane Goods", seed=seed, scale=scale,
                       planted=[], expected=expected, set_aside={})
    out.finish(client="Juniper Lane Goods", industry="ecommerce", assumptions={},
               planted=doc, table_order=TABLE_ORDER)


CLIENT_SPECS: dict[str, Client] = {c.slug: c for c in (
    Client("dtc", "Cedar & Finch Home", "ecommerce", 1, build_dtc),
    Client("distributor", "Ridgeline Supply Co.", "distribution", 2, build_distributor),
    Client("services", "Brightline Home Services", "services", 3, build_services),
    Client("control", "Juniper Lane Goods", "ecommerce", 4, build_control),
)}
