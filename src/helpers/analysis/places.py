"""Below the district, in words: the district and neighbourhood (MSOA) an LSOA's police.uk name gives, how a
neighbourhood is labelled in the report, a district's main town, and the indicators the Where chapter leads with.

police.uk names each LSOA "<district> <MSOA number><letter>" (2011 and 2021 LSOAs alike): the MSOA is the name
less its last letter, and the House of Commons Library names it ("Loughborough Storer & Queen's Park" for
"Charnwood 003"). Apart from ``neighbourhoods`` (the counts and their tests), so that the report's notebooks
use these without loading the statistics.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# Words that end a place's name in the Library's names ("Wigston North", "Loughborough - University").
_COMPASS = {"north", "south", "east", "west", "central", "centre", "town", "-"}


def headline_ids(catalogue: dict) -> list[str]:
    """The police.uk indicators the catalogue gives a ``headline`` place (the Where chapter's), in that order."""
    headlined = [i for i in catalogue.values() if i.headline]
    return [i.id for i in sorted(headlined, key=lambda i: i.headline)]


def district_of(lsoa_names: pd.Series) -> pd.Series:
    """The district: the LSOA name less its last token ('Charnwood 012A' -> 'Charnwood'), as ingest counts it."""
    return _per_name(lsoa_names, lambda names: names.str.rsplit(" ", n=1).str[0])


def msoa_of(lsoa_names: pd.Series) -> pd.Series:
    """The neighbourhood (MSOA) of each LSOA name: the name less its last letter ('Charnwood 012A' -> 'Charnwood 012')."""
    return _per_name(lsoa_names, lambda names: names.str[:-1])


def _per_name(lsoa_names: pd.Series, part: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``part`` of every LSOA name, worked out once for each distinct name: the rows repeat a few hundred names."""
    codes, distinct = pd.factorize(lsoa_names, use_na_sentinel=False)
    return part(pd.Series(distinct)).take(codes).set_axis(lsoa_names.index).rename(lsoa_names.name)


def labelled(name: str, neighbourhood: str) -> str:
    """How a neighbourhood is named in the report: "Loughborough Storer & Queen's Park (Charnwood 003)", or the
    ONS name alone when the Library has no name for it."""
    return f"{name} ({neighbourhood})" if name else neighbourhood


def main_town(names: pd.Series, crimes: pd.Series) -> tuple[str, list[str]]:
    """A district's main town and the neighbourhoods that make it, from the Library's names (``names``:
    neighbourhood -> name) and this year's crimes (``crimes``: neighbourhood -> count).

    The town is the place the most neighbourhoods' names begin with ("Loughborough", "Melton Mowbray"), the one
    with more crimes on a tie, when it names at least two neighbourhoods and a fifth of the district's; a
    district that is one town (a city of many named suburbs) or has no town names its busiest neighbourhood."""
    places: dict[str, set[str]] = {}
    for neighbourhood, name in names.items():
        words = name.replace(",", " &").split(" &")[0].split()
        for length in range(1, len(words) + 1):
            if words[length - 1].lower() in _COMPASS:
                break
            places.setdefault(" ".join(words[:length]), set()).add(neighbourhood)
    weight = {
        place: (len(members), crimes.reindex(list(members)).fillna(0).sum(), len(place))
        for place, members in places.items()
    }
    shared = [p for p, (count, _, _) in weight.items() if count >= max(2, len(names) / 5)]
    if shared:
        town = max(shared, key=lambda p: weight[p])
        return town, sorted(places[town])
    busiest = crimes.reindex(list(names.index)).fillna(0).idxmax() if len(names) else ""
    return names.get(busiest, busiest), [busiest] if busiest else []
