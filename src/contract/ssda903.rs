//! The SSDA903 tables a return holds besides those the contract reads, by their
//! column sets in DfE's specification, so files can be recognised and set aside with a note.

/// A 903 table no analysis reads: its name, the spellings its file takes, and its columns.
#[derive(Debug, Clone, Copy)]
pub struct OtherTable {
    pub name: &'static str,
    /// File stems it is found under, lower case without `_`, `-` or spaces.
    pub stems: &'static [&'static str],
    pub columns: &'static [&'static str],
}

/// Reviews, UASC, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes and (from 2026-27) DoLo.
pub const OTHER_903_TABLES: &[OtherTable] = &[
    OtherTable {
        name: "Reviews",
        stems: &["reviews", "review"],
        columns: &["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    },
    OtherTable {
        name: "UASC",
        stems: &["uasc"],
        columns: &["CHILD", "SEX", "DOB", "DUC"],
    },
    OtherTable {
        name: "AD1",
        stems: &["ad1"],
        columns: &[
            "CHILD",
            "DOB",
            "DATE_INT",
            "DATE_MATCH",
            "FOSTER_CARE",
            "NB_ADOPTR",
            "SEX_ADOPTR",
            "LS_ADOPTR",
        ],
    },
    OtherTable {
        name: "PlacedAdoption",
        stems: &["placedadoption", "placedforadoption"],
        columns: &[
            "CHILD",
            "DOB",
            "DATE_PLACED",
            "DATE_PLACED_CEASED",
            "REASON_PLACED_CEASED",
        ],
    },
    OtherTable {
        name: "PrevPerm",
        stems: &["prevperm", "previouspermanence"],
        columns: &["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    },
    OtherTable {
        name: "Missing",
        stems: &["missing"],
        columns: &["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    },
    OtherTable {
        name: "SWEpisodes",
        stems: &["swepisodes", "socialworker", "socialworkerepisodes"],
        columns: &["CHILD", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
    },
    OtherTable {
        name: "DoLo",
        stems: &["dolo"],
        columns: &["CHILD", "DOB", "DOLO_START", "DOLO_END"],
    },
];

/// The other 903 table a file stem names (`Prev_Perm`, `placed-adoption`), if any.
pub fn other_903_by_stem(stem: &str) -> Option<&'static OtherTable> {
    let s: String = stem
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect::<String>()
        .to_lowercase();
    OTHER_903_TABLES
        .iter()
        .find(|t| t.stems.contains(&s.as_str()))
}
