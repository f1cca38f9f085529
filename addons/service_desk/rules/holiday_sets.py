"""Public holidays and adjusted working days (调休) by set name, from
`holidays/<SET>.csv` (date, kind holiday|workday, name).

CN holds the State Council's arrangement for 2026 (国办发明电〔2025〕7号:
New Year 1-3 Jan, Spring Festival 15-23 Feb, Qingming 4-6 Apr, Labour Day
1-5 May, Dragon Boat 19-21 Jun, Mid-Autumn 25-27 Sep, National Day 1-7 Oct;
make-up working days 4 Jan, 14 and 28 Feb, 9 May, 20 Sep, 10 Oct). A year's
arrangement is published each November: add its rows when it is out (2027's
is not in the file yet, so 2027 counts as ordinary weeks)."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).with_name("holidays")
HOLIDAY, WORKDAY = "holiday", "workday"


@dataclass(frozen=True)
class HolidaySet:
    holidays: frozenset[dt.date]  # days off, whatever the weekday
    workdays: frozenset[dt.date]  # days worked, whatever the weekday


NONE = HolidaySet(frozenset(), frozenset())


def available() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.csv"))


@lru_cache(maxsize=None)
def holiday_set(name: str | None) -> HolidaySet:
    """The named set; no name is no holidays. An unknown name raises ValueError."""
    if not name:
        return NONE
    path = FOLDER / f"{name}.csv"
    if not path.is_file():
        raise ValueError(f"unknown holiday set '{name}' (one of: {', '.join(available())})")
    days: dict[str, set[dt.date]] = {HOLIDAY: set(), WORKDAY: set()}
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            if row["kind"] not in days:
                raise ValueError(f"{path.name} line {n}: kind must be holiday or workday")
            days[row["kind"]].add(dt.date.fromisoformat(row["date"]))
    return HolidaySet(frozenset(days[HOLIDAY]), frozenset(days[WORKDAY]))
