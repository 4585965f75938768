"""Make a synthetic English roll and referrals with the errors and look-alikes of real data, reproducibly.

    .venv/bin/python bench/make_roll.py [--pupils 250000] [--referrals 10000] [--no-roll-share 0.4]
                                        [--seed 3] [--out bench/data/synthetic]

Writes roll.csv and referrals.csv in the `cme link` format, and truth.csv
(referral_id, roll_id or empty when the child is on no roll, kind). Pupils live in households
(siblings share surname and address; some are twins), names follow a long-tailed frequency, UPNs
are valid (3% temporary). A referral about a pupil carries one main error kind from ERROR_KINDS,
or is thin (THIN_KINDS: a name and an address only), plus the usual gaps (no sex, no address, no
postcode, no middle name). A share of the referrals (--no-roll-share) is about children on no roll, and
most of those resemble a rolled pupil (NO_ROLL_KINDS): an unrolled brother or sister or twin at the
same address, a namesake elsewhere, a cousin in the same street. Those are the referrals a
matcher that takes household evidence for the child gets wrong.
"""

# ruff: noqa: SIM905 (word lists read best as text)
import argparse
import csv
import itertools
import random
import string
from datetime import date, timedelta
from pathlib import Path

import nicknames

from cme.matching.batch import COLUMNS
from cme.people.identifiers import UPN_ALPHABET, upn_check_letter

BOYS = """Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie
Alfie Theo William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max
Logan Ethan Mohammed Teddy Benjamin Arlo Joseph Sebastian Adam Reuben Samuel Elijah Hugo Harrison
Albie Daniel Ronnie Louie Toby Jaxon Dylan Riley Jude Rory Frankie Mason Ezra Ibrahim Jakub Yusuf
Oakley Stanley Jenson Louis Zachary Jayden Elliot Hunter Luca Harvey Michael Caleb Nathan Liam
Kai Aaron Ryan Mohammad Jasper Tyler Austin Blake Callum Aleksander Filip Szymon Omar Ali Hamza
Ayaan Zayn Musa Kacper Antoni Kieran Connor Declan Owen Rhys Dafydd Kwame Emeka Arjun Krish Aarav
Matthew Christopher Andrew David John Peter Paul Mark Simon Patrick Shaun Sean Stefan Bogdan Luka
Mateusz Ionut Andrei Darius Mihai Abdirahman Abdullah Bilal Idris Sulaiman Dawud Harun Nikolai""".split()
GIRLS = """Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace
Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie Matilda
Maya Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie Eva Hallie Eliza
Ada Violet Esme Arabella Imogen Jessica Delilah Elizabeth Hannah Layla Zara Aisha Fatima Maryam
Zainab Khadija Amina Yasmin Nur Hafsa Anaya Aaliyah Jasmine Chloe Zoe Leah Ellie Megan Lauren
Erin Niamh Aoife Siobhan Cerys Bethan Gwen Zofia Wiktoria Natalia Julia Maja Oliwia Hanna Lena
Amelie Ioana Andreea Elena Alexandra Aleksandra Katarzyna Victoria Rebecca Abigail Katie Holly
Courtney Shannon Chantelle Jade Precious Blessing Favour Priya Harpreet Simran Deborah Sarah""".split()
SURNAMES = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood
Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams
Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell
Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins
Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott
Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer
Gill Dawson Ball Burton Obrien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees
Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods
Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy
Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns
Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates
Hodgson Robson Curtis Hopkins OConnor Harper Coleman Watkins Moss McCarthy Chambers ODonnell
Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak
Popescu Ionescu Popa Dumitru Stan Stoica Mohamed Mohamud Abdi Hassan Farah Warsame Osman Yusuf
Okafor Adeyemi Okonkwo Mensah Asante Boateng Chowdhury Rahman Islam Miah Uddin Akhtar Iqbal
Malik Butt Mahmood Hussein Sharma Kumar Gupta Mistry Nguyen Tran Wang Chen Li Zhang Silva Santos
Ferreira Costa Pereira Rossi Russo Murphy Kelly Doyle Quinn Gallagher Brennan""".split()
_PREFIX = """Ash Black Brad Brook Hol Mar Whit Ather Bram Cald Card Chad Dal Elm Fair Gold Hart Hazel
Kings Lang Lock Mid North Oak Ped Red Rush Shel South Stan Thorn Wake West Wins Ack Bux Cran Dun Fen
Good Ing Kirk Lin Moor New Pen Rams Sand Tad Up Wal Wood Yar""".split()
_SUFFIX = """ton ley field worth ham wood by ford well more stone bury wick dale shaw cott hurst
land ridge brook combe low thorpe church mere""".split()
STREETS = """High Church Station Victoria Park Mill School Queens Kings New Albert Manor Grange
Chapel York Windsor Springfield Alexandra George Green West North South East London Richmond
Oak Elm Ash Beech Cedar Willow Meadow Orchard Hawthorn Holly Rowan Chestnut Maple Birch Cherry
Clifton Stanley Bridge Brook Castle Abbey Priory Market Nelson Wellington Cromwell Fairfield
Highfield Woodland Heath Moor Hill Valley""".split()
STREET_KINDS = ["Road", "Street", "Avenue", "Lane", "Close", "Drive", "Way", "Crescent", "Gardens", "Court", "Place", "Terrace"]
TOWN = "Northmoor"
MOHAMMED = ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad"]
VARIANTS = {
    "Aleksander": "Alexander", "Alexander": "Aleksander", "Aleksandra": "Alexandra", "Alexandra": "Aleksandra",
    "Jakub": "Jacob", "Jacob": "Jakub", "Katarzyna": "Katherine", "Zofia": "Sophia", "Wiktoria": "Victoria",
    "Siobhan": "Chevonne", "Niamh": "Neve", "Yusuf": "Yousef", "Dawud": "Dawood", "Harun": "Haroon",
    "Sulaiman": "Suleiman", "Zainab": "Zaynab", "Aisha": "Ayesha", "Maryam": "Mariam", "Fatima": "Fatimah",
    "Liam": "William", "William": "Liam", "Elizabeth": "Beth", "Hannah": "Hanna", "Filip": "Philip",
}
ERROR_KINDS = [
    "exact", "misspelt_forename", "misspelt_surname", "nickname", "preferred_name", "former_surname",
    "double_barrelled", "swapped_names", "dob_day_month_swapped", "dob_typo", "dob_year_off",
    "missing_fields", "name_variant", "moved_address", "upn_given", "temporary_upn_given",
]


def zipf_choice(rng: random.Random, items: list[str], shift: float = 1.0):
    """Long-tailed choice, flattened at the top by `shift` (1 / (rank + shift))."""
    weights = [1 / (i + shift) for i in range(len(items))]
    cumulative = list(itertools.accumulate(weights))
    return lambda: rng.choices(items, cum_weights=cumulative)[0]


def mixture(rng: random.Random, parts: list[tuple[float, object]]):
    weights = [w for w, _ in parts]
    return lambda: rng.choices([f for _, f in parts], weights=weights)[0]()


def invented_surnames(rng: random.Random, count: int) -> list[str]:
    """Pronounceable surnames for the long tail every LA has (tens of thousands of names)."""
    onsets = ["B", "Br", "C", "Ch", "D", "Dr", "F", "G", "Gr", "H", "J", "K", "L", "M", "N", "P",
              "R", "S", "Sh", "St", "T", "Tr", "V", "W", "Y", "Z"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"]
    codas = ["", "n", "r", "l", "s", "th", "ck", "m", "nd", "rt", "sk", "v", "z"]
    endings = ["", "son", "ton", "er", "ley", "ski", "ova", "escu", "ani", "ez", "ian", "ard", "ell"]
    names: set[str] = set()
    while len(names) < count:
        name = rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) + rng.choice(vowels[:5]) + rng.choice(codas) + rng.choice(endings)
        names.add(name)
    return sorted(names)


def make_upn(rng: random.Random, temporary: bool) -> str:
    body = "901" + f"{rng.randrange(10_000):04d}" + f"{rng.randrange(7, 22):02d}"
    body += f"{rng.randrange(100):02d}" + rng.choice(UPN_ALPHABET) if temporary else f"{rng.randrange(1000):03d}"
    return upn_check_letter("X" + body) + body


def misspell(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name + rng.choice("aeiou")
    i = rng.randrange(1, len(name))
    kind = rng.choice(["sub", "del", "ins", "swap", "double"])
    letters = string.ascii_lowercase
    if kind == "sub":
        return name[:i] + rng.choice(letters) + name[i + 1:]
    if kind == "del":
        return name[:i] + name[i + 1:]
    if kind == "ins":
        return name[:i] + rng.choice(letters) + name[i:]
    if kind == "swap" and i < len(name) - 1:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i] + name[i:]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        rng = self.rng
        # Roughly the shape of English names: the commonest surname about 1.3% of pupils, the
        # commonest forename about 2% of its sex, and long tails of rarer names.
        compounds = [p + s for p in _PREFIX for s in _SUFFIX]
        rng.shuffle(compounds)
        invented = invented_surnames(rng, 40_000)
        self.surname = mixture(rng, [
            (0.55, zipf_choice(rng, SURNAMES, 12)),
            (0.2, zipf_choice(rng, compounds, 50)),
            (0.25, lambda: rng.choice(invented)),
        ])
        rare = sorted({t.name1.title() for t in nicknames.name_triplets()})
        self.boy = mixture(rng, [(0.7, zipf_choice(rng, BOYS, 15)), (0.3, zipf_choice(rng, rare, 50))])
        self.girl = mixture(rng, [(0.7, zipf_choice(rng, GIRLS, 15)), (0.3, zipf_choice(rng, rare, 50))])
        self.street = zipf_choice(rng, [f"{s} {k}" for s in STREETS for k in STREET_KINDS], 30)
        self.nick = nicknames.NickNamer()
        self.upns: set[str] = set()
        self.count = 0

    def postcode(self) -> str:
        rng = self.rng
        return f"NM{rng.randint(1, 24)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"

    def address(self) -> tuple[str, str]:
        return f"{self.rng.randint(1, 180)} {self.street()}, {TOWN}", self.postcode()

    def forename(self, sex: str) -> str:
        name = self.boy() if sex == "M" else self.girl()
        if name in MOHAMMED[:4]:
            name = self.rng.choice(MOHAMMED)
        return name

    def unique_upn(self, temporary: bool) -> str:
        while True:
            upn = make_upn(self.rng, temporary)
            if upn not in self.upns:
                self.upns.add(upn)
                return upn

    def household(self) -> list[dict]:
        rng = self.rng
        surname = self.surname()
        if rng.random() < 0.04:
            surname = f"{surname}-{self.surname()}"
        address, postcode = self.address()
        size = rng.choices([1, 2, 3, 4], weights=[50, 35, 12, 3])[0]
        start, end = date(2007, 9, 1), date(2021, 8, 31)
        children = []
        for k in range(size):
            if k and rng.random() < 0.03:
                dob = children[-1]["dob"]  # twins
            else:
                dob = start + timedelta(days=rng.randrange((end - start).days))
            sex = rng.choice("MF")
            forename = self.forename(sex)
            nicks = sorted(self.nick.nicknames_of(forename))
            self.count += 1
            children.append({
                "id": f"P{self.count:06d}",
                "upn": self.unique_upn(temporary=rng.random() < 0.03),
                "forename": forename,
                "middle_names": self.forename(sex) if rng.random() < 0.7 else "",
                "surname": surname,
                "former_surname": self.surname() if rng.random() < 0.05 else "",
                "preferred_forename": rng.choice(nicks).title() if nicks and rng.random() < 0.06 else "",
                "dob": dob, "sex": sex, "postcode": postcode, "address": address,
            })
        return children


def referral_from(g: Generator, child: dict, kind: str, number: int) -> dict:
    rng = g.rng
    r = dict(child, id=f"R{number:06d}", upn="")
    if kind == "misspelt_forename":
        r["forename"] = misspell(rng, r["forename"].lower()).title()
    elif kind == "misspelt_surname":
        r["surname"] = misspell(rng, r["surname"].lower()).title()
    elif kind == "nickname":
        nicks = sorted(g.nick.nicknames_of(r["forename"]))
        r["forename"] = rng.choice(nicks).title() if nicks else VARIANTS.get(r["forename"], r["forename"])
    elif kind == "preferred_name":
        r["forename"] = child["preferred_forename"] or r["forename"]
    elif kind == "former_surname":
        r["surname"] = child["former_surname"] or r["surname"]
    elif kind == "double_barrelled":
        parts = r["surname"].split("-")
        r["surname"] = rng.choice(parts) if len(parts) > 1 else r["surname"]
    elif kind == "swapped_names":
        r["forename"], r["surname"] = r["surname"], r["forename"]
    elif kind == "dob_day_month_swapped" and r["dob"].day <= 12:
        r["dob"] = date(r["dob"].year, r["dob"].day, r["dob"].month)
    elif kind == "dob_typo":
        text = r["dob"].isoformat()
        for _ in range(20):
            i = rng.choice([2, 3, 6, 8, 9])
            candidate = text[:i] + str(rng.randrange(10)) + text[i + 1:]
            try:
                new = date.fromisoformat(candidate)
            except ValueError:
                continue
            if new != r["dob"]:
                r["dob"] = new
                break
    elif kind == "dob_year_off":
        r["dob"] = r["dob"].replace(year=r["dob"].year + rng.choice([-1, 1])) if r["dob"].month * 100 + r["dob"].day != 229 else r["dob"]
    elif kind == "missing_fields":
        for f in rng.sample(["dob", "forename", "postcode", "address"], 2):
            r[f] = None if f == "dob" else ""
    elif kind == "name_variant":
        name = r["forename"]
        r["forename"] = rng.choice([m for m in MOHAMMED if m != name]) if name in MOHAMMED else VARIANTS.get(name, name)
    elif kind == "moved_address":
        r["address"], r["postcode"] = g.address()
    elif kind == "upn_given":
        r["upn"] = child["upn"]
        r["forename"] = misspell(rng, r["forename"].lower()).title()
    elif kind == "temporary_upn_given":
        r["upn"] = child["upn"] if child["upn"][-1].isalpha() else ""
    elif kind == "name_and_address":
        r["dob"], r["sex"], r["middle_names"] = None, "", ""
        return dict(r, former_surname="", preferred_forename="")
    # The usual gaps of a referral from a partner agency.
    if rng.random() < 0.4:
        r["sex"] = ""
    if rng.random() < 0.25:
        r["address"] = ""
    if rng.random() < 0.2:
        r["postcode"] = ""
    if rng.random() < 0.3:
        r["middle_names"] = ""
    r["former_surname"] = r["preferred_forename"] = ""
    return r


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        columns = (*COLUMNS, "preferred_forename")  # an optional column `cme link` reads
        w.writerow(columns)
        for r in rows:
            w.writerow([r["dob"].isoformat() if c == "dob" and r["dob"] else (r.get(c) or "") for c in columns])


# What the children on no roll are (shares of the no-roll referrals). The hard ones are those
# that look like a rolled pupil: an unrolled brother or sister (same surname and address), an
# unrolled twin (same date of birth too), a namesake (same forename and surname, another home,
# born a year or more apart) and a cousin (same surname, same street).
NO_ROLL_KINDS = {"sibling": 0.30, "twin": 0.05, "namesake": 0.20, "cousin": 0.10, "unrelated": 0.35}
# Referrals that carry little: a name and an address (the caller knows where the family lives,
# not the child's birthday), where a brother or sister on the roll fits as well as the child.
# A name alone is not a kind of its own: with namesakes about, no matcher can say from a name
# alone which child it is, and "missing_fields" already leaves some referrals with little more.
THIN_KINDS = ["name_and_address"]


def _sibling_dob(rng: random.Random, household: list[dict]) -> date:
    """A birthday at least 10 months from every brother and sister's."""
    start, end = date(2007, 9, 1), date(2021, 8, 31)
    for _ in range(200):
        dob = start + timedelta(days=rng.randrange((end - start).days))
        if all(abs((dob - c["dob"]).days) >= 300 for c in household):
            return dob
    return dob


def no_roll_child(g: Generator, kind: str, roll: list[dict], households: dict[str, list[dict]], number: int) -> dict:
    """A child on no roll who resembles a rolled pupil in the way `kind` says."""
    rng = g.rng
    if kind == "unrelated":
        return dict(g.household()[0], id=f"N{number:06d}")
    if kind in ("sibling", "twin"):
        pupil = rng.choice(roll)
        house = households[pupil["household"]]
        sex = rng.choice("MF")
        taken = {c["forename"] for c in house}
        forename = g.forename(sex)
        while forename in taken:
            forename = g.forename(sex)
        dob = pupil["dob"] if kind == "twin" else _sibling_dob(rng, house)
        return dict(pupil, id=f"N{number:06d}", upn=g.unique_upn(temporary=False), forename=forename,
                    middle_names=g.forename(sex) if rng.random() < 0.7 else "", sex=sex, dob=dob,
                    preferred_forename="", former_surname="")
    if kind == "namesake":
        pupil = rng.choice(roll)
        address, postcode = g.address()
        # Born a year or more before or after the pupil, on any day: never within the error
        # patterns of a date (a swap, a digit, a year out), as a real namesake is.
        sign = rng.choice([-1, 1])
        dob = pupil["dob"] + timedelta(days=sign * rng.randint(366, 5 * 365))
        return dict(pupil, id=f"N{number:06d}", upn=g.unique_upn(temporary=False), dob=dob,
                    middle_names=g.forename(pupil["sex"]) if rng.random() < 0.5 else "",
                    address=address, postcode=postcode, preferred_forename="", former_surname="")
    # A cousin: the same surname in the same street, another house.
    pupil = rng.choice(roll)
    sex = rng.choice("MF")
    street = pupil["address"].split(" ", 1)[1]
    return dict(pupil, id=f"N{number:06d}", upn=g.unique_upn(temporary=False), forename=g.forename(sex),
                middle_names="", sex=sex, dob=_sibling_dob(rng, [pupil]),
                address=f"{rng.randint(1, 180)} {street}", preferred_forename="", former_surname="")


def make(pupils: int, referrals: int, seed: int, out: Path, no_roll_share: float = 0.4) -> None:
    g = Generator(seed)
    rng = g.rng
    roll: list[dict] = []
    households: dict[str, list[dict]] = {}
    while len(roll) < pupils:
        house = g.household()
        key = f"H{len(households):06d}"
        for c in house:
            c["household"] = key
        households[key] = house
        roll.extend(house)
    roll = roll[:pupils]
    on_roll = {c["id"] for c in roll}
    for key, house in households.items():
        households[key] = [c for c in house if c["id"] in on_roll]
    # Pupils fit for each kind, so every kind really is exercised.
    fit = {
        "preferred_name": [c for c in roll if c["preferred_forename"]],
        "former_surname": [c for c in roll if c["former_surname"]],
        "double_barrelled": [c for c in roll if "-" in c["surname"]],
        "dob_day_month_swapped": [c for c in roll if c["dob"].day <= 12 and c["dob"].day != c["dob"].month],
        "name_variant": [c for c in roll if c["forename"] in MOHAMMED or c["forename"] in VARIANTS],
        "nickname": [c for c in roll if g.nick.nicknames_of(c["forename"]) or c["forename"] in VARIANTS],
        "temporary_upn_given": [c for c in roll if c["upn"][-1].isalpha()],
    }
    on_roll_kinds = ERROR_KINDS + THIN_KINDS
    no_roll_kinds = list(NO_ROLL_KINDS)
    no_roll_weights = list(NO_ROLL_KINDS.values())
    refs, truth = [], []
    stride = 1 / max(no_roll_share, 1e-9)
    next_no_roll = stride / 2
    for number in range(1, referrals + 1):
        if number >= next_no_roll and no_roll_share > 0:
            next_no_roll += stride
            kind = rng.choices(no_roll_kinds, weights=no_roll_weights)[0]
            child = no_roll_child(g, kind, roll, households, number)
            # A referral about a brother or sister often has no date of birth: the caller
            # knows the family, not the child's birthday.
            error = rng.choice(ERROR_KINDS + THIN_KINDS)
            refs.append(referral_from(g, child, error, number))
            truth.append((refs[-1]["id"], "", f"no_roll_{kind}"))
            continue
        kind = on_roll_kinds[number % len(on_roll_kinds)]
        child = rng.choice(fit.get(kind) or roll)
        refs.append(referral_from(g, child, kind, number))
        truth.append((refs[-1]["id"], child["id"], kind))
    out.mkdir(parents=True, exist_ok=True)
    write(out / "roll.csv", roll)
    write(out / "referrals.csv", refs)
    with open(out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["referral_id", "roll_id", "kind"])
        w.writerows(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=250_000)
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-roll-share", type=float, default=0.4,
                        help="share of referrals about children on no roll (default 0.4)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data" / "synthetic")
    args = parser.parse_args()
    make(args.pupils, args.referrals, args.seed, args.out, args.no_roll_share)
    print(f"wrote {args.pupils} pupils and {args.referrals} referrals to {args.out}")


if __name__ == "__main__":
    main()
