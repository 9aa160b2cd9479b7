"""Static world of the demo shop: cities, stores, products, campaigns, browsers.

Kept as plain data so every run draws from the same world; only the random choices vary with
the seed. Area codes are real ones so the phone numbers pass `phonenumbers.is_valid_number`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SHOP_NAME = "Northwind Outfitters"
SHOP_DOMAIN = "www.northwindoutfitters.com"
SHOP_URL = f"https://{SHOP_DOMAIN}"
SHOP_TIMEZONE = "America/New_York"
"""Shopify writes every timestamp with the shop's UTC offset."""
MAILCHIMP_DC = "us21"


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state_code: str
    state_name: str
    zip_prefixes: tuple[str, ...]
    area_codes: tuple[str, ...]
    lat: float
    lon: float
    iana_tz: str
    weight: float
    store: int | None = None
    """Index of the store in `STORES` that people living here shop at."""


@dataclass(frozen=True, slots=True)
class Store:
    name: str
    city: str
    state_code: str
    iana_tz: str
    square_tz: str
    """Square's own time-zone label, written in the `Time Zone` column."""
    location_id: str
    devices: tuple[str, ...]
    staff: tuple[tuple[str, str], ...]
    """(staff name, staff id) pairs working the counter."""
    tax_bp: int
    """Sales tax in basis points."""


STORES: tuple[Store, ...] = (
    Store(
        "Northwind SoHo",
        "New York",
        "NY",
        "America/New_York",
        "Eastern Time (US & Canada)",
        "L7QX2M9VJ4K1S",
        ("Square Register 4127", "iPad 2"),
        (
            ("Maya Chen", "TMr4qKx8Zp2Lw9d1"),
            ("Luis Ortega", "TMa8Vn3Qe7Hs5Rj0"),
            ("Priya Nair", "TMk2Bz6Wy1Ct4Fm8"),
        ),
        888,
    ),
    Store(
        "Northwind Mission",
        "San Francisco",
        "CA",
        "America/Los_Angeles",
        "Pacific Time (US & Canada)",
        "LH3D8R5TN2W6P",
        ("Square Terminal 2274", "iPad 1"),
        (("Jordan Blake", "TMs5Gd2Xc9Nv3Kp7"), ("Ana Souza", "TMq1Lr7Tb4Yw8Ze6")),
        863,
    ),
    Store(
        "Northwind Wicker Park",
        "Chicago",
        "IL",
        "America/Chicago",
        "Central Time (US & Canada)",
        "LB6N4F1KZ8C3Y",
        ("Square Register 9031",),
        (("Sam Okafor", "TMv9Pw3Hs6Jd2Qx4"), ("Emily Novak", "TMe7Rt1Ym5Bk8Lc3")),
        1025,
    ),
)

COUNTER_PHONE = "2129417730"
"""The SoHo counter's own number, typed into profiles by staff when a shopper declines to give one.
It belongs to no person (hard cases only)."""


def _cities() -> tuple[City, ...]:
    """`world/cities.csv`: a row a city; zip prefixes and area codes separated by spaces."""
    with (Path(__file__).parent / "world" / "cities.csv").open(encoding="utf-8", newline="") as f:
        return tuple(
            City(
                row["name"],
                row["state_code"],
                row["state_name"],
                tuple(row["zip_prefixes"].split()),
                tuple(row["area_codes"].split()),
                float(row["lat"]),
                float(row["lon"]),
                row["iana_tz"],
                float(row["weight"]),
                int(row["store"]) if row["store"] else None,
            )
            for row in csv.DictReader(f)
        )


CITIES: tuple[City, ...] = _cities()

TZ_OFFSETS: dict[str, tuple[int, int]] = {
    "America/New_York": (-5, -4),
    "America/Chicago": (-6, -5),
    "America/Denver": (-7, -6),
    "America/Phoenix": (-7, -7),
    "America/Los_Angeles": (-8, -7),
}
"""Mailchimp's GMTOFF / DSTOFF columns per IANA zone."""

STATE_TAX_BP: dict[str, int] = {"NY": 888, "CA": 725, "IL": 625, "NJ": 663, "TX": 625, "WA": 650}


@dataclass(frozen=True, slots=True)
class Product:
    title: str
    product_type: str
    price_cents: int
    handle: str
    sku: str
    product_id: int
    variant_id: int
    variant_title: str
    square_token: str


def _products() -> tuple[Product, ...]:
    raw = (
        ("Merino Crew Sweater", "Apparel", 11800, "Charcoal / M"),
        ("Organic Cotton Tee", "Apparel", 3200, "White / M"),
        ("Heavyweight Hoodie", "Apparel", 8900, "Forest / L"),
        ("Packable Rain Jacket", "Apparel", 16800, "Navy / M"),
        ("Flannel Shirt", "Apparel", 7400, "Red Plaid / M"),
        ("Trail Runner Shoe", "Footwear", 13500, "US 9"),
        ("Waxed Canvas Boot", "Footwear", 19800, "US 10"),
        ("Camp Slipper", "Footwear", 5800, "US 8"),
        ("Wool Hiking Sock 3-Pack", "Accessories", 2800, "M"),
        ("Beanie", "Accessories", 3400, "Oatmeal"),
        ("Leather Belt", "Accessories", 6200, "34"),
        ("Polarized Sunglasses", "Accessories", 8800, "Tortoise"),
        ("Canvas Tote", "Bags", 4200, "Natural"),
        ("Roll-Top Backpack", "Bags", 12800, "Black"),
        ("Weekender Duffel", "Bags", 15800, "Olive"),
        ("Hip Pack", "Bags", 4800, "Rust"),
        ("Enamel Camp Mug", "Home", 1800, "Cream"),
        ("Wool Throw Blanket", "Home", 14800, "Heather Grey"),
        ("Cedar & Smoke Candle", "Home", 3600, "8 oz"),
        ("Stoneware Pour-Over Set", "Home", 5400, "Speckled"),
        ("Insulated Water Bottle", "Outdoor", 3800, "32 oz"),
        ("Folding Camp Chair", "Outdoor", 8900, "Khaki"),
        ("Headlamp", "Outdoor", 4400, "300 lm"),
        ("Ultralight Hammock", "Outdoor", 6900, "Single"),
        ("Trail Map Print", "Home", 4500, "18x24"),
        ("Gift Card", "Gift Cards", 5000, "$50"),
    )
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    products = []
    for i, (title, ptype, price, variant) in enumerate(raw):
        handle = title.lower().replace("&", "and").replace(" ", "-").replace("--", "-")
        sku = f"NW-{ptype[:3].upper()}-{100 + i:03d}"
        token = "".join(alphabet[(i * 7 + k * 13) % len(alphabet)] for k in range(24))
        products.append(
            Product(
                title,
                ptype,
                price,
                handle,
                sku,
                8_012_345_600_000 + i * 131,
                44_012_345_600_000 + i * 977,
                variant,
                token,
            )
        )
    return tuple(products)


PRODUCTS: tuple[Product, ...] = _products()
COLLECTIONS: dict[str, str] = {
    "Apparel": "apparel",
    "Footwear": "footwear",
    "Accessories": "accessories",
    "Bags": "bags",
    "Home": "home-goods",
    "Outdoor": "outdoor-gear",
    "Gift Cards": "gift-cards",
}
COLLECTION_IDS: dict[str, int] = {
    slug: 298_765_400_000 + i * 17 for i, slug in enumerate(COLLECTIONS.values())
}

CAMPAIGN_THEMES: tuple[tuple[str, str], ...] = (
    ("New Arrivals", "collections/apparel"),
    ("Weekend Trail Sale", "collections/outdoor-gear"),
    ("Cozy Season Picks", "collections/home-goods"),
    ("Boots Are Back", "collections/footwear"),
    ("Pack Light", "collections/bags"),
    ("Member Early Access", "collections/accessories"),
    ("Gift Guide", "collections/gift-cards"),
    ("Last Chance Markdowns", "collections/apparel"),
)

UNSUB_REASONS: tuple[str, ...] = (
    "I no longer want to receive these emails",
    "I never signed up for this mailing list",
    "The emails are inappropriate",
    "The emails are spam and should be reported",
    "Other (fill in reason below)",
)

MEMBER_TAGS: tuple[str, ...] = ("Newsletter", "VIP", "Store Signup", "Web Signup", "Gift Guide")

PERSONAL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 48),
    ("yahoo.com", 12),
    ("outlook.com", 8),
    ("icloud.com", 9),
    ("hotmail.com", 6),
    ("aol.com", 3),
    ("proton.me", 2),
    ("comcast.net", 2),
    ("me.com", 2),
)

WORK_DOMAINS: tuple[str, ...] = (
    "brightlane.io",
    "harborview-health.org",
    "kestrelworks.com",
    "lumenpath.co",
    "northgate-law.com",
    "pinecrestcap.com",
    "quarryhill.edu",
    "redwoodanalytics.com",
    "saltmarshdesign.com",
    "tidewatermedia.com",
    "ironbridge.tech",
    "meadowlarkfoods.com",
    "bluefinlogistics.com",
    "copperleaf.ai",
    "granitepeak.org",
    "silverbirchpartners.com",
)

TYPO_DOMAINS: dict[str, str] = {
    "gmail.com": "gmial.com",
    "yahoo.com": "yaho.com",
    "outlook.com": "outlok.com",
    "icloud.com": "icloud.co",
    "hotmail.com": "hotmial.com",
    "aol.com": "aol.con",
}


NICKNAMES: dict[str, tuple[str, ...]] = {
    # Everyday US short forms of common first names: fuzzy people (`fuzzy.py`) sometimes sign
    # up or give their name at the till this way.
    "Alexander": ("Alex",),
    "Amanda": ("Mandy",),
    "Andrew": ("Andy", "Drew"),
    "Anthony": ("Tony",),
    "Barbara": ("Barb",),
    "Benjamin": ("Ben",),
    "Bradley": ("Brad",),
    "Catherine": ("Cathy", "Kate"),
    "Charles": ("Charlie", "Chuck"),
    "Christina": ("Tina", "Chrissy"),
    "Christine": ("Chris",),
    "Christopher": ("Chris",),
    "Cynthia": ("Cindy",),
    "Daniel": ("Dan", "Danny"),
    "David": ("Dave",),
    "Deborah": ("Debbie", "Deb"),
    "Donald": ("Don",),
    "Douglas": ("Doug",),
    "Edward": ("Ed", "Eddie"),
    "Elizabeth": ("Liz", "Beth"),
    "Gregory": ("Greg",),
    "James": ("Jim", "Jimmy"),
    "Jacqueline": ("Jackie",),
    "Jeffrey": ("Jeff",),
    "Jennifer": ("Jen", "Jenny"),
    "Jessica": ("Jess",),
    "John": ("Johnny", "Jack"),
    "Jonathan": ("Jon",),
    "Joseph": ("Joe",),
    "Joshua": ("Josh",),
    "Katherine": ("Kate", "Katie"),
    "Kathleen": ("Kathy",),
    "Kathryn": ("Kathy", "Katie"),
    "Kenneth": ("Ken",),
    "Kimberly": ("Kim",),
    "Lawrence": ("Larry",),
    "Margaret": ("Maggie", "Peggy"),
    "Matthew": ("Matt",),
    "Melissa": ("Missy",),
    "Michael": ("Mike",),
    "Nicholas": ("Nick",),
    "Pamela": ("Pam",),
    "Patricia": ("Patty", "Trish"),
    "Patrick": ("Pat",),
    "Rebecca": ("Becky",),
    "Richard": ("Rick", "Rich"),
    "Robert": ("Bob", "Rob"),
    "Ronald": ("Ron",),
    "Samantha": ("Sam",),
    "Samuel": ("Sam",),
    "Stephanie": ("Steph",),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Susan": ("Sue",),
    "Thomas": ("Tom",),
    "Timothy": ("Tim",),
    "Victoria": ("Vicky", "Tori"),
    "William": ("Bill", "Will"),
    "Zachary": ("Zach",),
}

STREET_SUFFIX_ABBREVIATIONS: dict[str, str] = {
    # USPS Publication 28, Appendix C1 "Street Suffix Abbreviations": the standard
    # abbreviation of every suffix Faker's en_US streets use, where it differs from the word.
    "Alley": "Aly",
    "Avenue": "Ave",
    "Boulevard": "Blvd",
    "Branch": "Br",
    "Bridge": "Brg",
    "Brook": "Brk",
    "Brooks": "Brks",
    "Burg": "Bg",
    "Burgs": "Bgs",
    "Bypass": "Byp",
    "Camp": "Cp",
    "Canyon": "Cyn",
    "Cape": "Cpe",
    "Causeway": "Cswy",
    "Center": "Ctr",
    "Centers": "Ctrs",
    "Circle": "Cir",
    "Circles": "Cirs",
    "Cliff": "Clf",
    "Cliffs": "Clfs",
    "Club": "Clb",
    "Common": "Cmn",
    "Corner": "Cor",
    "Corners": "Cors",
    "Course": "Crse",
    "Court": "Ct",
    "Courts": "Cts",
    "Cove": "Cv",
    "Coves": "Cvs",
    "Creek": "Crk",
    "Crescent": "Cres",
    "Crest": "Crst",
    "Crossing": "Xing",
    "Crossroad": "Xrd",
    "Curve": "Curv",
    "Dale": "Dl",
    "Dam": "Dm",
    "Divide": "Dv",
    "Drive": "Dr",
    "Drives": "Drs",
    "Estate": "Est",
    "Estates": "Ests",
    "Expressway": "Expy",
    "Extension": "Ext",
    "Extensions": "Exts",
    "Falls": "Fls",
    "Ferry": "Fry",
    "Field": "Fld",
    "Fields": "Flds",
    "Flat": "Flt",
    "Flats": "Flts",
    "Ford": "Frd",
    "Fords": "Frds",
    "Forest": "Frst",
    "Forge": "Frg",
    "Forges": "Frgs",
    "Fork": "Frk",
    "Forks": "Frks",
    "Fort": "Ft",
    "Freeway": "Fwy",
    "Garden": "Gdn",
    "Gardens": "Gdns",
    "Gateway": "Gtwy",
    "Glen": "Gln",
    "Glens": "Glns",
    "Green": "Grn",
    "Greens": "Grns",
    "Grove": "Grv",
    "Groves": "Grvs",
    "Harbor": "Hbr",
    "Harbors": "Hbrs",
    "Haven": "Hvn",
    "Heights": "Hts",
    "Highway": "Hwy",
    "Hill": "Hl",
    "Hills": "Hls",
    "Hollow": "Holw",
    "Inlet": "Inlt",
    "Island": "Is",
    "Islands": "Iss",
    "Junction": "Jct",
    "Junctions": "Jcts",
    "Key": "Ky",
    "Keys": "Kys",
    "Knoll": "Knl",
    "Knolls": "Knls",
    "Lake": "Lk",
    "Lakes": "Lks",
    "Landing": "Lndg",
    "Lane": "Ln",
    "Light": "Lgt",
    "Lights": "Lgts",
    "Loaf": "Lf",
    "Lock": "Lck",
    "Locks": "Lcks",
    "Lodge": "Ldg",
    "Manor": "Mnr",
    "Manors": "Mnrs",
    "Meadow": "Mdw",
    "Meadows": "Mdws",
    "Mill": "Ml",
    "Mills": "Mls",
    "Mission": "Msn",
    "Motorway": "Mtwy",
    "Mount": "Mt",
    "Mountain": "Mtn",
    "Mountains": "Mtns",
    "Neck": "Nck",
    "Orchard": "Orch",
    "Overpass": "Opas",
    "Parkway": "Pkwy",
    "Parkways": "Pkwy",
    "Passage": "Psge",
    "Pine": "Pne",
    "Pines": "Pnes",
    "Place": "Pl",
    "Plain": "Pln",
    "Plains": "Plns",
    "Plaza": "Plz",
    "Point": "Pt",
    "Points": "Pts",
    "Port": "Prt",
    "Ports": "Prts",
    "Prairie": "Pr",
    "Radial": "Radl",
    "Ranch": "Rnch",
    "Rapid": "Rpd",
    "Rapids": "Rpds",
    "Rest": "Rst",
    "Ridge": "Rdg",
    "Ridges": "Rdgs",
    "River": "Riv",
    "Road": "Rd",
    "Roads": "Rds",
    "Route": "Rte",
    "Shoal": "Shl",
    "Shoals": "Shls",
    "Shore": "Shr",
    "Shores": "Shrs",
    "Skyway": "Skwy",
    "Spring": "Spg",
    "Springs": "Spgs",
    "Square": "Sq",
    "Squares": "Sqs",
    "Station": "Sta",
    "Stravenue": "Stra",
    "Stream": "Strm",
    "Street": "St",
    "Streets": "Sts",
    "Summit": "Smt",
    "Terrace": "Ter",
    "Throughway": "Trwy",
    "Trace": "Trce",
    "Track": "Trak",
    "Trafficway": "Trfy",
    "Trail": "Trl",
    "Tunnel": "Tunl",
    "Turnpike": "Tpke",
    "Underpass": "Upas",
    "Union": "Un",
    "Unions": "Uns",
    "Valley": "Vly",
    "Valleys": "Vlys",
    "Viaduct": "Via",
    "View": "Vw",
    "Views": "Vws",
    "Village": "Vlg",
    "Villages": "Vlgs",
    "Ville": "Vl",
    "Vista": "Vis",
    "Well": "Wl",
    "Wells": "Wls",
}


@dataclass(frozen=True, slots=True)
class Browser:
    kind: str
    """`phone`, `laptop` or `tablet`."""
    user_agent: str
    screens: tuple[tuple[int, int], ...]


BROWSERS: tuple[Browser, ...] = (
    Browser(
        "phone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ((390, 844), (393, 852), (430, 932)),
    ),
    Browser(
        "phone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        ((390, 844), (402, 874)),
    ),
    Browser(
        "phone",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36",
        ((412, 915), (360, 800), (384, 854)),
    ),
    Browser(
        "laptop",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        ((1440, 900), (1512, 982)),
    ),
    Browser(
        "laptop",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        ((1440, 900), (1728, 1117)),
    ),
    Browser(
        "laptop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        ((1920, 1080), (1536, 864)),
    ),
    Browser(
        "laptop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        ((1366, 768), (1920, 1080)),
    ),
    Browser(
        "tablet",
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ((820, 1180), (768, 1024)),
    ),
)

REFERRERS: dict[str, str] = {
    "google": "https://www.google.com/",
    "instagram": "https://l.instagram.com/",
    "facebook": "https://m.facebook.com/",
    "pinterest": "https://www.pinterest.com/",
}
