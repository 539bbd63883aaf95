"""Shared building blocks of the sample generator: calendar, exact draws, people, contact data.

Everything here is deterministic given the numpy Generator passed in, and nothing depends on
the current date, on dict/set iteration order of unordered things or on hash randomization:
the committed samples are compared byte for byte with a fresh generation in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

PERIOD_START = np.datetime64("2026-07-01", "D")
PERIOD_END = np.datetime64("2026-09-30", "D")
#: Midnight after the last day of the engagement period: most exports stop here.
CUTOFF = np.datetime64("2026-10-01T00:00:00", "s")
#: First month of the ledger history every client with gl_entries covers (24 months), so
#: that year-on-year revenue growth can be measured from the books.
GL_START = np.datetime64("2024-10-01", "D")

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty",
    "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew",
    "Emily", "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda",
    "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca",
    "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Amy", "Jacob",
    "Kathleen", "Gary", "Angela", "Nicholas", "Shirley", "Eric", "Brenda", "Jonathan", "Emma",
    "Stephen", "Anna", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Samantha", "Brandon",
    "Katherine", "Benjamin", "Christine", "Samuel", "Helen", "Gregory", "Debra", "Alexander",
    "Rachel", "Patrick", "Carolyn", "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia",
    "Dennis", "Heather", "Jerry", "Diane", "Tyler", "Julie", "Aaron", "Joyce", "Jose",
    "Victoria", "Adam", "Ruth", "Nathan", "Virginia", "Henry", "Lauren", "Zachary", "Kelly",
    "Douglas", "Christina", "Peter", "Joan", "Kyle", "Evelyn", "Noah", "Judith", "Ethan",
    "Andrea", "Jeremy", "Hannah", "Walter", "Megan", "Christian", "Cheryl", "Keith", "Jacqueline",
    "Roger", "Martha", "Terry", "Madison", "Austin", "Teresa", "Sean", "Gloria", "Gerald",
    "Sara", "Carl", "Janice", "Harold", "Ann", "Dylan", "Kathryn", "Arthur", "Abigail",
    "Lawrence", "Sophia", "Jordan", "Frances", "Jesse", "Jean", "Bryan", "Alice", "Billy",
    "Judy", "Bruce", "Isabella", "Gabriel", "Julia", "Joe", "Grace", "Logan", "Amber",
    "Alan", "Denise", "Juan", "Danielle", "Albert", "Marilyn", "Willie", "Beverly", "Elijah",
    "Charlotte", "Wayne", "Natalie", "Randy", "Theresa", "Vincent", "Diana", "Mason", "Brittany",
    "Roy", "Doris", "Ralph", "Kayla", "Bobby", "Alexis", "Russell", "Lori", "Bradley", "Marie",
    "Philip", "Priya", "Eugene", "Mei", "Luis", "Aisha", "Carlos", "Fatima", "Diego", "Yuki",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
    "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
    "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno",
    "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
    "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
    "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
    "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
    "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks",
    "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar",
    "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson",
    "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn",
)


# -- exact draws ---------------------------------------------------------------------------

def exact_mask(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """A boolean mask of length ``n`` with exactly ``round(p * n)`` True values at random.

    Planted rates are drawn this way, per month chunk, instead of one coin per row: the
    measured rate then lands on the knob at every scale, so the ground-truth ranges written
    to planted.json can be tight.
    """
    k = round(p * n)
    mask = np.zeros(n, dtype=bool)
    if k > 0 and n > 0:
        mask[rng.permutation(n)[: min(k, n)]] = True
    return mask


def grouped_exact_mask(rng: np.random.Generator, group: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``exact_mask`` applied within each group value ``g`` with probability ``p[g]``."""
    mask = np.zeros(len(group), dtype=bool)
    for g in range(len(p)):
        idx = np.flatnonzero(group == g)
        if len(idx):
            mask[idx[exact_mask(rng, len(idx), float(p[g]))]] = True
    return mask


def exact_choice(rng: np.random.Generator, n: int, shares: Sequence[float]) -> np.ndarray:
    """Category index per row with category counts as close to ``shares`` as rounding allows."""
    shares = np.asarray(shares, dtype=float)
    shares = shares / shares.sum()
    counts = np.floor(shares * n).astype(int)
    rest = n - counts.sum()
    if rest > 0:
        order = np.argsort(-(shares * n - counts), kind="stable")
        counts[order[:rest]] += 1
    out = np.repeat(np.arange(len(shares)), counts)
    return out[rng.permutation(n)]


# -- calendar ------------------------------------------------------------------------------

def days_between(start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """Every day from ``start`` to ``end`` inclusive (datetime64[D])."""
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def month_starts(start: np.datetime64, end: np.datetime64) -> list[np.datetime64]:
    """First day of every month from the month of ``start`` to the month of ``end``."""
    first = np.datetime64(start, "M")
    last = np.datetime64(end, "M")
    return [np.datetime64(m, "D") for m in np.arange(first, last + 1)]


def month_end(month: np.datetime64) -> np.datetime64:
    """Last day of the month that ``month`` falls in."""
    return np.datetime64(np.datetime64(month, "M") + 1, "D") - 1


def add_busdays(days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """``days`` (datetime64[D]) moved forward by ``n`` business days; weekends roll forward."""
    return np.busday_offset(days.astype("datetime64[D]"), n, roll="forward")


def at_seconds(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Timestamps (datetime64[s]) at ``seconds`` after midnight of ``days``."""
    return days.astype("datetime64[s]") + np.asarray(seconds, dtype="int64").astype(
        "timedelta64[s]")


def uniform_seconds(rng: np.random.Generator, n: int, from_hour: float,
                    to_hour: float) -> np.ndarray:
    """Random times of day (seconds after midnight) between two hours."""
    return rng.integers(int(from_hour * 3600), int(to_hour * 3600), size=n)


def hour_profile_seconds(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """Random times of day following a 24-hour activity profile (e.g. evening shopping peak)."""
    w = np.asarray(weights, dtype=float)
    hours = rng.choice(24, size=n, p=w / w.sum())
    return hours * 3600 + rng.integers(0, 3600, size=n)


def day_of(ts: np.ndarray) -> np.ndarray:
    return ts.astype("datetime64[D]")


def is_weekday(days: np.ndarray) -> np.ndarray:
    return np.is_busday(days.astype("datetime64[D]"))


def weekday_index(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday."""
    return ((days.astype("datetime64[D]").astype("int64") - 4) % 7).astype(int)


def month_index(days: np.ndarray) -> np.ndarray:
    """Calendar month 1..12."""
    return (days.astype("datetime64[M]").astype("int64") % 12 + 1).astype(int)


# -- people and contact data ---------------------------------------------------------------

@dataclass
class Directory:
    """Hands out unique fictitious identities: names, example.com emails, 555 numbers.

    Phone numbers use the non-existent 555 area code; the 7-digit part walks a fixed
    permutation so every number handed out within one client is distinct.
    """

    rng: np.random.Generator
    phone_offset: int
    domain: str = "example.com"
    _next_phone: int = field(default=0)
    _next_person: int = field(default=0)

    def phones(self, n: int) -> np.ndarray:
        """``n`` unique 10-digit numbers (int64) in area code 555."""
        k = np.arange(self._next_phone, self._next_phone + n, dtype=np.int64)
        self._next_phone += n
        local = 2_000_000 + (2_654_437 * k + self.phone_offset) % 8_000_000
        return 5_550_000_000 + local

    def names(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        first = np.asarray(FIRST_NAMES, dtype=object)[
            self.rng.integers(0, len(FIRST_NAMES), size=n)]
        last = np.asarray(LAST_NAMES, dtype=object)[self.rng.integers(0, len(LAST_NAMES), size=n)]
        return first, last

    def serials(self, n: int) -> np.ndarray:
        """Unique numbers that make email addresses distinct."""
        out = np.arange(self._next_person, self._next_person + n, dtype=np.int64) + 101
        self._next_person += n
        return out

    def emails(self, first: np.ndarray, last: np.ndarray, serial: np.ndarray,
               mixed_case_share: float = 0.25) -> np.ndarray:
        """first.last<serial>@domain; a share typed with capitals, as people type them."""
        mixed = self.rng.random(len(first)) < mixed_case_share
        out = np.empty(len(first), dtype=object)
        dom = self.domain
        cap_dom = dom[0].upper() + dom[1:]
        for i, (f, la, s, m) in enumerate(zip(first, last, serial, mixed, strict=True)):
            if m:
                out[i] = f"{f}.{la}{s}@{cap_dom}"
            else:
                out[i] = f"{f.lower()}.{la.lower()}{s}@{dom}"
        return out


PHONE_STYLES = ("({a}) {b}-{c}", "+1 {a} {b} {c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1{a}{b}{c}")


def format_phones(rng: np.random.Generator, digits: np.ndarray,
                  style_weights: Sequence[float] = (0.35, 0.2, 0.25, 0.1, 0.1)) -> np.ndarray:
    """Phone numbers in the mix of layouts real exports contain ('(555) 201-3344', ...)."""
    w = np.asarray(style_weights, dtype=float)
    style = rng.choice(len(PHONE_STYLES), size=len(digits), p=w / w.sum())
    out = np.empty(len(digits), dtype=object)
    for i, (d, s) in enumerate(zip(digits.tolist(), style.tolist(), strict=True)):
        t = f"{d:010d}"
        out[i] = PHONE_STYLES[s].format(a=t[:3], b=t[3:6], c=t[6:])
    return out


def e164(digits: np.ndarray) -> np.ndarray:
    """Numbers as a phone system logs them: +15552013344."""
    return np.asarray([f"+1{d:010d}" for d in digits.tolist()], dtype=object)


def recase_emails(rng: np.random.Generator, emails: np.ndarray, share: float) -> np.ndarray:
    """The same addresses, a share of them typed with different capitals (a second system)."""
    out = emails.copy()
    flip = rng.random(len(emails)) < share
    for i in np.flatnonzero(flip):
        e = str(emails[i])
        local, _, dom = e.partition("@")
        out[i] = (local.title() if local == local.lower() else local.lower()) + "@" + dom
    return out


def fmt_dates(days: np.ndarray) -> np.ndarray:
    """Dates as 'YYYY-MM-DD' text; missing dates become empty cells."""
    arr = np.asarray(days).astype("datetime64[D]")
    out = np.datetime_as_string(arr, unit="D").astype(object)
    out[np.isnat(arr)] = None
    return out


def to_ts(values: np.ndarray) -> np.ndarray:
    """Whole-second timestamps (written 'YYYY-MM-DD HH:MM:SS'); an array, never aligned."""
    return np.asarray(values).astype("datetime64[s]")


def money(values: np.ndarray) -> np.ndarray:
    """Round to cents, so sums computed from the files match the amounts written."""
    return np.round(np.asarray(values, dtype=float), 2)
