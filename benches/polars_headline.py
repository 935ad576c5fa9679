"""The headline attendance figures of `attendance/absence_by_term`, computed with Polars.

This script is the comparison named in issue 16 ("faster than a Polars script for the
headline attendance figures"): it reads the same Parquet data folder as `cohort run` and
computes, for each term, the two headline columns of cohort's analysis
`attendance/absence_by_term` for children in care of compulsory school age:

- overall absence rate: (authorised + unauthorised absence sessions) / possible sessions x 100;
- persistent absence rate, pupil basis: pupils whose absence, summed over all their
  enrolments in the term, is at least DfE's threshold for the year (10% from 2015/16, 15%
  2010/11 to 2014/15, 20% before) of their possible sessions / pupils x 100.

It follows queries/attendance/sessions_by_term.sql (version 5), queries/roll/care_periods.sql
(version 1) and queries/attendance/absence_by_term.sql (version 4):

- a mark counts by the treatment its code has in the attendance code list valid on its date
  (the 2024 code change). A code outside that list would not be counted at all, not even as
  a possible session, but cohort refuses such a folder before running anything, and the
  codes of both lists have the same treatment in each, so on data cohort accepts the dating
  changes no figure;
- while the child was looked after: some SSDA903 episode, short breaks (legal status V3, V4)
  left out, covers the date, an episode ending at the earlier of DEC and the day before the
  18th birthday (a date plus 18 years as DataFusion adds it: 29 February goes to 28 February,
  so the period ends on 27 February; no pupil counted here is 18 in the year, so the end at
  18 changes no figure);
- of compulsory school age: 5 to 15 on the 31 August before the academic year;
- marks are counted per child, school and term; an enrolment with no possible session is
  left out; the pupil basis sums a child's enrolments in the term.

Terms are cohort's own calendar (src/contract/calendar.rs): autumn 1 September to 31
December, spring 1 January to Easter Sunday, summer Easter Monday to 31 August, for the
academic years the attendance marks span; every term up to the latest one with marks is
reported (cohort's default run term). The code lists are cohort's built-in ones, copied
below from src/contract/codes.rs.

Run it (Polars from PyPI: `pip install polars`):

    python3 benches/polars_headline.py DATA_DIR
    python3 benches/polars_headline.py DATA_DIR --check OUT_DIR
    python3 benches/polars_headline.py DATA_DIR --engine streaming

DATA_DIR is a folder as `cohort sample --format parquet` writes it (attendance.parquet,
episodes.parquet and header.parquet are read; names in any case). The figures print per term
with the wall time of the computation (reading the files included; Python start and the
Polars import not). With `--check OUT_DIR`, the figures are compared with cohort's
OUT_DIR/results/attendance/absence_by_term.csv from

    cohort run --data DATA_DIR --only attendance/absence_by_term --out OUT_DIR

and the script exits 1 on any difference: a term in one and not the other, a count
(pupils, possible and absence sessions, persistently absent pupils) that differs, or a rate
more than 1e-6 relative away (cohort's CSV writes six decimals, so a rate is also let
through when within the half unit of the sixth decimal that the CSV's rounding allows).

The marks are taken as cohort's contract spells them (as `cohort sample` writes them):
cohort also accepts a mark written in lower case or with padding and rewrites it, which
this script does not do. Threads: POLARS_MAX_THREADS, as for any Polars program.
"""

import argparse
import csv
import datetime as dt
import math
import sys
import time
from pathlib import Path

import polars as pl

# Attendance marks and their treatment: cohort's built-in code list `attendance_mark`
# (src/contract/codes.rs, fn attendance_marks), valid by the date of the session. DfE's new
# codes took effect on 19 August 2024; the set before follows the 2016 regulations.
CODE_CHANGE = dt.date(2024, 8, 19)
MARKS_BEFORE_2024 = {
    "/": "present", "\\": "present", "L": "present",
    "B": "approved_activity", "J": "approved_activity", "P": "approved_activity",
    "V": "approved_activity", "W": "approved_activity",
    "C": "authorised", "E": "authorised", "H": "authorised", "I": "authorised",
    "M": "authorised", "R": "authorised", "S": "authorised", "T": "authorised",
    "G": "unauthorised", "N": "unauthorised", "O": "unauthorised", "U": "unauthorised",
    "D": "not_possible", "X": "not_possible", "Y": "not_possible", "Z": "not_possible",
    "#": "not_possible",
}
MARKS_FROM_2024 = {
    "/": "present", "\\": "present", "L": "present",
    "K": "approved_activity", "V": "approved_activity", "P": "approved_activity",
    "W": "approved_activity", "B": "approved_activity",
    "C": "authorised", "C1": "authorised", "C2": "authorised", "M": "authorised",
    "J1": "authorised", "S": "authorised", "T": "authorised", "R": "authorised",
    "I": "authorised", "E": "authorised",
    "G": "unauthorised", "N": "unauthorised", "O": "unauthorised", "U": "unauthorised",
    "D": "not_possible", "X": "not_possible", "Q": "not_possible",
    "Y1": "not_possible", "Y2": "not_possible", "Y3": "not_possible", "Y4": "not_possible",
    "Y5": "not_possible", "Y6": "not_possible", "Y7": "not_possible",
    "Z": "not_possible", "#": "not_possible",
}

SEASONS = ("autumn", "spring", "summer")


def code_list() -> pl.LazyFrame:
    """`code_lists` for `attendance_mark`: mark, treatment and the dates it is valid for."""
    rows = [
        (code, group, None, CODE_CHANGE - dt.timedelta(days=1))
        for code, group in MARKS_BEFORE_2024.items()
    ] + [(code, group, CODE_CHANGE, None) for code, group in MARKS_FROM_2024.items()]
    return pl.LazyFrame(
        rows,
        schema={"mark": pl.String, "code_group": pl.String,
                "valid_from": pl.Date, "valid_to": pl.Date},
        orient="row",
    )


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian algorithm, as src/contract/calendar.rs)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    return dt.date(year, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)


def academic_year_of(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def persistent_absence_threshold(start: int) -> int:
    """DfE's threshold (% of possible sessions missed): 20 to 2009/10, 15 to 2014/15, then 10."""
    return 20 if start <= 2009 else 15 if start <= 2014 else 10


def term_calendar(first: dt.date, last: dt.date) -> pl.LazyFrame:
    """cohort's `terms` table for the academic years from the one before `first` to `last`'s."""
    rows = []
    for start in range(academic_year_of(first) - 1, academic_year_of(last) + 1):
        easter = easter_sunday(start + 1)
        dates = [
            (dt.date(start, 9, 1), dt.date(start, 12, 31)),
            (dt.date(start + 1, 1, 1), easter),
            (easter + dt.timedelta(days=1), dt.date(start + 1, 8, 31)),
        ]
        year = f"{start}-{(start + 1) % 100:02d}"
        for index, (season, (begins, ends)) in enumerate(zip(SEASONS, dates)):
            rows.append((f"{year}-{season}", year, start * 3 + index, begins, ends,
                         persistent_absence_threshold(start), start))
    return pl.LazyFrame(
        rows,
        schema={"term": pl.String, "academic_year": pl.String, "ordinal": pl.Int64,
                "start_date": pl.Date, "end_date": pl.Date, "pa_threshold": pl.Int64,
                # The calendar year of the 31 August before the term's academic year,
                # the date ages are taken on (the SQL's august_year).
                "august_year": pl.Int32},
        orient="row",
    )


def scan(data: Path, table: str, columns: list[str]) -> pl.LazyFrame:
    """`<table>.parquet` in `data` (any case), with the contract's lower-case column names."""
    found = [p for p in data.iterdir() if p.name.lower() == f"{table}.parquet"]
    if len(found) != 1:
        sys.exit(f"{data}: expected one {table}.parquet, found {len(found)}")
    lf = pl.scan_parquet(found[0])
    names = {c.lower(): c for c in lf.collect_schema().names()}
    return lf.select(pl.col(names[c]).alias(c) for c in columns)


def care_spans(episodes: pl.LazyFrame, header: pl.LazyFrame) -> pl.LazyFrame:
    """roll/care_periods as spans per child: the periods looked after (no short breaks, ending
    the day before the 18th birthday), overlapping or touching ones merged, so that a mark
    falls in at most one span and the join below keeps it at most once (the SQL's semi join)."""
    periods = (
        episodes.filter(~pl.col("ls").is_in(["V3", "V4"]))
        .join(header, on="child")
        .with_columns(
            last_day_under_18=pl.col("dob").dt.offset_by("18y") - pl.duration(days=1))
        .with_columns(
            end_date=pl.when(pl.col("dec").is_null() | (pl.col("dec") > pl.col("last_day_under_18")))
            .then(pl.col("last_day_under_18"))
            .otherwise(pl.col("dec")))
        .filter(pl.col("decom") <= pl.col("last_day_under_18"))
        .select("child", "decom", "end_date")
    )
    return (
        periods.sort("child", "decom")
        .with_columns(reach=pl.col("end_date").cum_max().over("child"))
        .with_columns(
            span=(pl.col("decom") > pl.col("reach").shift(1).over("child") + pl.duration(days=1))
            .fill_null(True)
            .cum_sum()
            .over("child"))
        .group_by("child", "span")
        .agg(pl.col("decom").min().alias("span_start"), pl.col("end_date").max().alias("span_end"))
        .drop("span")
    )


def headline(data: Path, engine: str = "auto") -> pl.DataFrame:
    attendance = scan(data, "attendance", ["child", "urn", "date", "mark"])
    episodes = scan(data, "episodes", ["child", "decom", "dec", "ls"])
    header = scan(data, "header", ["child", "dob"])

    # The term calendar spans the academic years of the marks; the run's term is the latest
    # with marks (cohort's default), so every term up to it is reported.
    first, last = attendance.select(
        pl.col("date").min().alias("first"), pl.col("date").max().alias("last")).collect().row(0)
    terms = term_calendar(first, last)
    run_term_ordinal = (
        terms.filter(pl.col("start_date") <= last).select(pl.col("ordinal").max()).collect().item())

    # Each school day in its term, with the marks valid that day and what they count as: a
    # small table, so that every mark takes one equi-join on (date, mark).
    day_codes = (
        attendance.select("date").unique()
        .join_where(terms, pl.col("date") >= pl.col("start_date"), pl.col("date") <= pl.col("end_date"))
        .filter(pl.col("ordinal") <= run_term_ordinal)
        .join(code_list(), how="cross")
        .filter(
            (pl.col("valid_from").is_null() | (pl.col("date") >= pl.col("valid_from")))
            & (pl.col("valid_to").is_null() | (pl.col("date") <= pl.col("valid_to"))))
        .select(
            "date", "mark", "term", "ordinal", "academic_year", "august_year",
            possible=(pl.col("code_group") != "not_possible").cast(pl.Int8),
            authorised=(pl.col("code_group") == "authorised").cast(pl.Int8),
            unauthorised=(pl.col("code_group") == "unauthorised").cast(pl.Int8),
        )
    )

    # attendance/sessions_by_term: sessions per child, school and term while looked after,
    # for children 5 to 15 on 31 August.
    enrolments = (
        attendance.join(day_codes, on=["date", "mark"])
        .join(care_spans(episodes, header), on="child")
        .filter(pl.col("date").is_between(pl.col("span_start"), pl.col("span_end")))
        .group_by("child", "urn", "term", "ordinal", "academic_year", "august_year")
        .agg(pl.col("possible", "authorised", "unauthorised").sum())
        .join(header, on="child")
        .filter(
            (pl.col("august_year") - pl.col("dob").dt.year()
             - (pl.col("dob").dt.month() >= 9).cast(pl.Int32)).is_between(5, 15))
        .filter(pl.col("possible") > 0)
        .with_columns(absent=pl.col("authorised") + pl.col("unauthorised"))
    )
    threshold = terms.select("term", "pa_threshold")

    # attendance/absence_by_term: sessions on the enrolment basis, persistent absence on the
    # pupil basis (each child's enrolments in the term summed).
    sessions = enrolments.group_by("term", "ordinal").agg(
        possible_sessions=pl.col("possible").sum(),
        absence_sessions=pl.col("absent").sum(),
    )
    pupils = (
        enrolments.group_by("child", "term")
        .agg(pl.col("possible", "absent").sum())
        .join(threshold, on="term")
        .group_by("term")
        .agg(
            pupils=pl.len(),
            persistently_absent=(
                100 * pl.col("absent") >= pl.col("pa_threshold") * pl.col("possible")).sum(),
        )
    )
    return (
        sessions.join(pupils, on="term")
        .with_columns(
            overall_absence_rate=100.0 * pl.col("absence_sessions") / pl.col("possible_sessions"),
            persistent_absence_rate=100.0 * pl.col("persistently_absent") / pl.col("pupils"),
        )
        .sort("ordinal")
        .drop("ordinal")
        .collect(engine=engine)
    )


COUNTS = ["pupils", "possible_sessions", "absence_sessions", "persistently_absent"]
RATES = ["overall_absence_rate", "persistent_absence_rate"]


def check(figures: pl.DataFrame, out: Path) -> bool:
    """Compares `figures` with cohort's result; prints the largest differences."""
    path = out / "results" / "attendance" / "absence_by_term.csv"
    with path.open(newline="") as f:
        cohort = {row["term"]: row for row in csv.DictReader(f)}
    ours = {row["term"]: row for row in figures.iter_rows(named=True)}
    ok = True
    for term in sorted(ours.keys() ^ cohort.keys()):
        print(f"check: term {term} only in {'this script' if term in ours else 'cohort'}")
        ok = False
    max_count, max_rate = 0, 0.0
    for term in sorted(ours.keys() & cohort.keys(), key=lambda t: list(ours).index(t)):
        mine, theirs = ours[term], cohort[term]
        for col in COUNTS:
            try:
                diff = abs(mine[col] - int(theirs[col]))
            except ValueError:  # a suppressed or empty cell
                print(f"check: {term} {col}: cohort gives {theirs[col]!r}")
                ok = False
                continue
            max_count = max(max_count, diff)
            if diff:
                print(f"check: {term} {col}: {mine[col]} here, {theirs[col]} in cohort")
                ok = False
        for col in RATES:
            try:
                value = float(theirs[col])
            except ValueError:
                print(f"check: {term} {col}: cohort gives {theirs[col]!r}")
                ok = False
                continue
            diff = abs(mine[col] - value)
            relative = diff / abs(value) if value else (0.0 if diff == 0 else math.inf)
            max_rate = max(max_rate, relative)
            # cohort's CSV gives six decimals: allow their rounding as well as 1e-6 relative.
            if relative > 1e-6 and diff > 0.5e-6 + 1e-12:
                print(f"check: {term} {col}: {mine[col]!r} here, {theirs[col]} in cohort")
                ok = False
    print(f"check against {path}: {len(cohort)} terms in cohort, {len(ours)} here; "
          f"max count difference {max_count}, max relative rate difference {max_rate:.3g}: "
          f"{'match' if ok else 'DIFFERENT'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the Parquet data folder")
    parser.add_argument("--check", type=Path, metavar="OUT_DIR",
                        help="compare with cohort's results/attendance/absence_by_term.csv in OUT_DIR")
    parser.add_argument("--engine", choices=["auto", "in-memory", "streaming"], default="auto",
                        help="Polars' engine for the main query (default: auto)")
    args = parser.parse_args()

    started = time.perf_counter()
    figures = headline(args.data, args.engine)
    seconds = time.perf_counter() - started

    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, float_precision=6):
        print(figures.select("term", *RATES))
    print(f"wall time: {seconds:.3f} s (Polars {pl.__version__}, {args.engine} engine, "
          f"{pl.thread_pool_size()} threads)")
    if args.check is not None and not check(figures, args.check):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
