"""The engine limit for `cargo bench --bench scale`: every shipped analysis's SQL run
directly on DuckDB (its Python package) over the same validated Parquet files cohort scans.

    python3 benches/duckdb_replay.py CACHE_DIR TABLES_DIR QUERIES_DIR

CACHE_DIR is a `.cohort/cache` a `cohort run` wrote (one Parquet file per contract table
with a JSON manifest); TABLES_DIR holds the catalog's other tables (reference tables, code
lists, terms, the run's params) as `<name>.csv` with `<name>.types.json`, written by the
bench through `cohort query`. Each analysis runs once, in dependency order, as
`CREATE TABLE area.name AS <its SQL>`, on 2 threads. The Rust model step of a `[model]`
analysis is not replayed (its SQL is). Prints one JSON line: seconds for the analyses and
for loading, rows and seconds per analysis.
"""

import glob
import json
import os
import sys
import time

import duckdb

TYPES = {
    "Utf8": "VARCHAR",
    "Utf8View": "VARCHAR",
    "LargeUtf8": "VARCHAR",
    "Int64": "BIGINT",
    "Int32": "INTEGER",
    "Float64": "DOUBLE",
    "Boolean": "BOOLEAN",
    "Date32": "DATE",
}


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def analyses(queries):
    """Each analysis: id, its dependencies and its SQL (the text after the front matter)."""
    out = []
    for path in sorted(glob.glob(os.path.join(queries, "**", "*.sql"), recursive=True)):
        lines = open(path, encoding="utf-8").read().split("\n")
        marks = [i for i, line in enumerate(lines) if line.strip() == "-- ---"]
        if len(marks) < 2:
            continue
        front = lines[marks[0] + 1 : marks[1]]
        meta = {}
        for line in front:
            body = line[3:] if line.startswith("-- ") else line
            if " = " in body and not body.startswith("["):
                key, value = body.split(" = ", 1)
                meta.setdefault(key.strip(), value.strip())
        ident = json.loads(meta["id"])
        deps = json.loads(meta.get("depends_on", "[]"))
        out.append((ident, deps, "\n".join(lines[marks[1] + 1 :])))
    return out


def order(items):
    """Dependencies first, as cohort's waves do."""
    done, ordered, pending = set(), [], list(items)
    while pending:
        ready = [a for a in pending if all(d in done for d in a[1])]
        if not ready:
            raise SystemExit("a dependency cycle or an unknown dependency")
        for a in ready:
            ordered.append(a)
            done.add(a[0])
            pending.remove(a)
    return ordered


def main():
    cache, tables, queries = sys.argv[1:4]
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET preserve_insertion_order = true")
    started = time.time()
    for manifest in glob.glob(os.path.join(cache, "*.json")):
        m = json.load(open(manifest))
        data = manifest[: -len(".json")] + ".parquet"
        con.execute(
            f"CREATE VIEW {quote(m['table'])} AS SELECT * FROM read_parquet({literal(data)})"
        )
    for types_file in glob.glob(os.path.join(tables, "*.types.json")):
        name = os.path.basename(types_file)[: -len(".types.json")]
        columns = json.load(open(types_file))
        csv = os.path.join(tables, name + ".csv")
        casts = ", ".join(
            f"CAST({quote(c['column_name'])} AS {TYPES.get(c['data_type'], 'VARCHAR')}) AS {quote(c['column_name'])}"
            for c in columns
        )
        if os.path.getsize(csv) == 0 or not casts:
            defs = ", ".join(
                f"{quote(c['column_name'])} {TYPES.get(c['data_type'], 'VARCHAR')}"
                for c in columns
            )
            con.execute(f"CREATE TABLE {quote(name)} ({defs})")
            continue
        con.execute(
            f"CREATE TABLE {quote(name)} AS SELECT {casts} FROM "
            f"read_csv({literal(csv)}, header = true, all_varchar = true)"
        )
    loaded = time.time()
    rows, seconds = {}, {}
    for ident, _, sql in order(analyses(queries)):
        began = time.time()
        area, name = ident.split("/", 1)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(area)}")
        con.execute(f"CREATE TABLE {quote(area)}.{quote(name)} AS {sql}")
        rows[ident] = con.execute(f"SELECT count(*) FROM {quote(area)}.{quote(name)}").fetchone()[0]
        seconds[ident] = round(time.time() - began, 3)
    finished = time.time()
    print(
        json.dumps(
            {
                "load_s": round(loaded - started, 3),
                "analyses_s": round(finished - loaded, 3),
                "rows": rows,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
