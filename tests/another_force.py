"""Another force, made from the shipped police.uk files: a sample of every month's rows moved to Lancashire's
14 districts (real ONS codes, with population and boundaries in data/), "Lancashire Constabulary" as the force,
street names replaced, and Crime IDs repeated as police.uk publishes them (exact copies, copies that differ in
the outcome, in the LSOA, in the crime type). Nothing here is a Leicestershire place name.

``write_force(folder)`` writes the monthly files; ``PARTNERSHIPS_YAML`` is its partnerships file, written as the
README's "Setting up another force" says.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

from matplotlib.path import Path as Outline

from helpers import config

FORCE = "Lancashire Constabulary"
DISTRICTS = {  # ONS code: name, as in data/population and data/boundaries
    "E06000008": "Blackburn with Darwen",
    "E06000009": "Blackpool",
    "E07000117": "Burnley",
    "E07000118": "Chorley",
    "E07000119": "Fylde",
    "E07000120": "Hyndburn",
    "E07000121": "Lancaster",
    "E07000122": "Pendle",
    "E07000123": "Preston",
    "E07000124": "Ribble Valley",
    "E07000125": "Rossendale",
    "E07000126": "South Ribble",
    "E07000127": "West Lancashire",
    "E07000128": "Wyre",
}
SHIPPED = (
    "Leicester",
    "Blaby",
    "Charnwood",
    "Harborough",
    "Hinckley and Bosworth",
    "Melton",
    "North West Leicestershire",
    "Oadby and Wigston",
    "Rutland",
)  # the shipped files' districts, moved
OUTSIDE = "Wigan"  # rows of the shipped files' neighbouring forces land in a district outside the partnership
EVERY = 30  # one row in EVERY of each month's: a small, quick fixture
GENERIC = (
    "No Location",
    "On or near Supermarket",
    "On or near Parking Area",
    "On or near Petrol Station",
    "On or near ",
    "On or near Sports/Recreation Area",
    "On or near Shopping Area",
    "On or near Park/Open Space",
    "On or near Nightclub",
    "On or near Pedestrian Subway",
    "On or near Police Station",
)
STREETS = (
    "Moss Lane",
    "Brook Street",
    "Mill Road",
    "Fleetwood Road",
    "Hollins Lane",
    "Garstang Road",
    "Ribble Drive",
    "Pennine Way",
    "Bank Top",
    "Fell View",
    "Weavers Row",
    "Canal Side",
)
# Repeated Crime IDs, in the month they are added to: (how many, what differs from the row they copy)
REPEATS = {
    "2022-08": [(3, None), (2, "Last outcome category")],
    "2022-09": [(1, "LSOA"), (1, "Crime type")],
    "2021-09": [(2, None)],
}

PARTNERSHIPS_YAML = """\
groups:
  lancashire-county:
    name: Lancashire
    code: E10000017
    type: county
    districts: [E07000117, E07000118, E07000119, E07000120, E07000121, E07000122, E07000123, E07000124,
                E07000125, E07000126, E07000127, E07000128]

partnerships:
  pan-lancashire:
    name: Pan-Lancashire
    code: E10000017+E06000008+E06000009
    board: Pan-Lancashire Community Safety Partnership Board
    districts:
{districts}
    subtotals: [lancashire-county]
    local_extract: none
    contact: {{name: Community Safety Analyst, role: Pan-Lancashire Community Safety Partnership,
               email: csp@example.org.uk}}

  preston:
    name: Preston
    board: Preston Community Safety Partnership
    districts: {{E07000123: Preston}}
    compared_with: lancashire-county
    local_extract: none
    contact: {{name: Community Safety Officer, role: Preston City Council, email: csp@example.org.uk}}
""".format(districts="\n".join(f"      {code}: {name}" for code, name in DISTRICTS.items()))


def _outlines() -> dict[str, list[Outline]]:
    """Each new district's polygons (outer rings), from the shipped boundaries."""
    features = json.loads(config.BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return {
        f["properties"]["LAD23NM"]: [Outline(polygon[0]) for polygon in f["geometry"]["coordinates"]]
        for f in features
        if f["properties"]["LAD23CD"] in DISTRICTS
    }


def _point_in(outlines: list[Outline], rng: random.Random) -> tuple[float, float]:
    boxes = [o.get_extents() for o in outlines]
    while True:
        box = rng.choice(boxes)
        x, y = rng.uniform(box.x0, box.x1), rng.uniform(box.y0, box.y1)
        if any(o.contains_point((x, y)) for o in outlines):
            return x, y


def write_force(folder: Path) -> list[Path]:
    """The monthly ``<month>-lancashire-street.csv`` files (every other one gzipped), as police.uk publishes them."""
    rng = random.Random(20)
    outlines = _outlines()
    names = sorted(DISTRICTS.values())
    neighbourhoods: dict[tuple[str, str], str] = {}  # shipped (district, MSOA) -> new MSOA name
    places: dict[str, tuple[float, float]] = {}  # new LSOA name -> its centre
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, source in enumerate(sorted((config.POLICE_UK / "leicestershire").glob("*-street.csv.gz"))):
        with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header, rows = reader.fieldnames, [r for i, r in enumerate(reader) if i % EVERY == 0]
        for row in rows:
            row["Reported by"] = row["Falls within"] = FORCE
            if row["Location"] not in GENERIC:
                row["Location"] = f"On or near {STREETS[sum(map(ord, row['Location'])) % len(STREETS)]}"
            if not row["LSOA name"]:
                continue
            district, code = row["LSOA name"].rsplit(" ", 1)
            if district not in SHIPPED:
                row["LSOA name"] = f"{OUTSIDE} {code}"
                continue
            key = (district, code[:3])
            if key not in neighbourhoods:
                new = names[(SHIPPED.index(district) * 5 + int(code[:3])) % len(names)]
                taken = sum(1 for n in neighbourhoods.values() if n.rsplit(" ", 1)[0] == new)
                neighbourhoods[key] = f"{new} {taken + 1:03d}"
            row["LSOA name"] = lsoa = f"{neighbourhoods[key]}{code[3:]}"
            if lsoa not in places:
                places[lsoa] = _point_in(outlines[lsoa.rsplit(" ", 1)[0]], rng)
            if row["Longitude"]:
                x, y = places[lsoa]
                row["Longitude"], row["Latitude"] = (
                    f"{x + rng.uniform(-0.004, 0.004):.6f}",
                    f"{y + rng.uniform(-0.003, 0.003):.6f}",
                )
        month = rows[0]["Month"]
        with_id = [r for r in rows if r["Crime ID"] and r["LSOA name"] and not r["LSOA name"].startswith(OUTSIDE)]
        for count, differs in REPEATS.get(month, []):
            for original in rng.sample(with_id, count):
                copy = dict(original)
                if differs == "Last outcome category":
                    copy[differs] = (
                        "Unable to prosecute suspect"
                        if original[differs] != "Unable to prosecute suspect"
                        else "Under investigation"
                    )
                elif differs == "Crime type":
                    copy[differs] = "Public order" if original[differs] != "Public order" else "Other crime"
                elif differs == "LSOA":
                    other = next(r for r in with_id if r["LSOA name"] != original["LSOA name"])
                    copy.update({k: other[k] for k in ("LSOA code", "LSOA name", "Longitude", "Latitude", "Location")})
                rows.insert(rows.index(original) + 1, copy)
        path = folder / f"{month}-lancashire-street.csv"
        text = _csv_text(header, rows)
        if number % 2:
            path = path.with_name(path.name + ".gz")
            path.write_bytes(gzip.compress(text.encode(), mtime=0))
        else:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _csv_text(header: list[str], rows: list[dict]) -> str:
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
