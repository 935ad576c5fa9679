//! Published figures: national benchmarks, DfE's comparators and statistical neighbours.

use super::*;

/// The tables of this kind, in the order the contract page lists them.
pub(super) fn tables() -> Vec<Table> {
    use Origin::*;
    use Storage::*;
    vec![
        table(
            "benchmarks",
            Reference,
            Csv,
            false,
            "National comparator figures with source and vintage; cohort ships domain.md section 9 and uses it when the folder has no file.",
            vec![
                col("measure", TEXT, "Metric id the figure compares with"),
                col("academic_year", TEXT, "Academic year the figure describes"),
                col("cohort", TEXT, "Population").codes("benchmark_cohort"),
                col("value", NUM, "The figure"),
                col("unit", TEXT, "Unit").codes("unit"),
                col("source", TEXT, "Publication"),
                col("vintage", TEXT, "Edition of the publication"),
            ],
            vec!["measure", "academic_year", "cohort"],
            vec![],
        ),
        table(
            "comparators",
            Reference,
            Csv,
            false,
            "DfE's published figures for England, each region and every local authority, derived from DfE's own files by `cohort comparators`; cohort ships a set and uses it when the folder has none.",
            vec![
                col("measure", TEXT, "Metric id the figure compares with"),
                col(
                    "academic_year",
                    TEXT,
                    "Academic year (a reporting year to 31 March is its collection year)",
                ),
                col("time_period", TEXT, "DfE's time_period (202425 or 2025)"),
                col(
                    "time_identifier",
                    TEXT,
                    "DfE's time_identifier (Academic year, Reporting year)",
                ),
                col(
                    "geographic_level",
                    TEXT,
                    "National, Regional or Local authority",
                ),
                col(
                    "area_code",
                    TEXT,
                    "ONS code of the country, region or authority",
                )
                .null(),
                col(
                    "old_la_code",
                    TEXT,
                    "DfE's three-digit authority code (874)",
                )
                .null(),
                col(
                    "area_name",
                    TEXT,
                    "Name of the country, region or authority",
                ),
                col("region_code", TEXT, "ONS code of the region").null(),
                col("cohort", TEXT, "Population").codes("benchmark_cohort"),
                col("value", NUM, "The figure; empty where DfE printed a symbol").null(),
                col(
                    "symbol",
                    TEXT,
                    "DfE's symbol in place of the figure: c, z, x, low, k, u",
                )
                .null(),
                col("unit", TEXT, "Unit").codes("unit"),
                col("source_file", TEXT, "DfE file the figure comes from"),
                col(
                    "version",
                    TEXT,
                    "DfE's version of the figure (Provisional, Revised, Final)",
                )
                .null(),
            ],
            vec![
                "measure",
                "academic_year",
                "cohort",
                "geographic_level",
                "area_code",
                "old_la_code",
            ],
            vec![],
        ),
        table(
            "statistical_neighbours",
            Reference,
            Csv,
            false,
            "DfE's statistical neighbours (2025 model): each authority's ten nearest authorities, derived by `cohort comparators`.",
            vec![
                col("old_la_code", TEXT, "The authority"),
                col("la_name", TEXT, "Its name"),
                col("region_name", TEXT, "Its region"),
                col("rank", INT, "1 is the nearest neighbour").range(1.0, 10.0),
                col("neighbour_old_la_code", TEXT, "The neighbour"),
                col("closeness", TEXT, "DfE's words for how close").null(),
                col("source_file", TEXT, "DfE file"),
            ],
            vec!["old_la_code", "rank"],
            vec![],
        ),
        table(
            "authority",
            Reference,
            Csv,
            false,
            "The local authority this Virtual School belongs to (`la_code` in cohort.toml), for its own published figures and its statistical neighbours.",
            vec![
                col(
                    "la_code",
                    TEXT,
                    "DfE's three-digit code (old_la_code), e.g. 874",
                ),
                col("la_name", TEXT, "Its name").null(),
            ],
            vec!["la_code"],
            vec![],
        ),
    ]
}
