//! The SSDA903 return's tables, with DfE's column names and `dd/mm/YYYY` dates.

use super::*;

/// The tables of this kind, in the order the contract page lists them.
pub(super) fn tables() -> Vec<Table> {
    use Origin::*;
    use Storage::*;
    vec![
        table(
            "header",
            Ssda903,
            Csv,
            true,
            "SSDA903 header: one row per child looked after, as in the statutory return.",
            vec![
                col("CHILD", TEXT, "Pseudonymous child identifier"),
                col("SEX", TEXT, "Sex").codes("sex"),
                col("DOB", UK, "Date of birth"),
                col("ETHNIC", TEXT, "Ethnicity").codes("ethnicity"),
                col("UPN", TEXT, "Unique pupil number, or UN1-UN5 when unknown").null(),
                col("MOTHER", INT, "1 if the child is a mother")
                    .null()
                    .range(0.0, 1.0),
                col("MC_DOB", UK, "Date of birth of the child's first child").null(),
            ],
            vec!["CHILD"],
            vec![],
        ),
        table(
            "episodes",
            Ssda903,
            Csv,
            true,
            "SSDA903 episodes: every episode of care, full history (each placement or legal status change starts one).",
            vec![
                col("CHILD", TEXT, "Child"),
                col("DECOM", UK, "Date the episode started"),
                col("RNE", TEXT, "Reason for new episode").codes("rne"),
                col("LS", TEXT, "Legal status").codes("legal_status"),
                col("CIN", TEXT, "Category of need").codes("category_of_need"),
                col("PLACE", TEXT, "Placement type")
                    .codes("placement_type")
                    .dated_by("DECOM"),
                col("PLACE_PROVIDER", TEXT, "Placement provider")
                    .codes("placement_provider")
                    .null(),
                col("DEC", UK, "Date the episode ceased; empty while open").null(),
                col("REC", TEXT, "Reason the episode ceased; empty while open")
                    .codes("reason_ceased")
                    .null(),
                col("REASON_PLACE_CHANGE", TEXT, "Reason for a placement change").null(),
                col("HOME_POST", TEXT, "Home postcode district").null(),
                col("PL_POST", TEXT, "Placement postcode district").null(),
                col("URN", TEXT, "Ofsted URN of the placement provider").null(),
            ],
            vec!["CHILD", "DECOM"],
            vec![cla_ref("CHILD")],
        ),
        table(
            "oc2",
            Ssda903,
            Csv,
            false,
            "SSDA903 OC2: outcomes for children looked after 12 months at 31 March; one file stacks several years' returns, so it carries YEAR.",
            vec![
                col("CHILD", TEXT, "Child"),
                col(
                    "YEAR",
                    INT,
                    "Collection year, as the calendar year of its 31 March (2024 for 2023-24)",
                )
                .range(2000.0, 2100.0),
                col("DOB", UK, "Date of birth"),
                col("SDQ_SCORE", INT, "SDQ total difficulties score")
                    .null()
                    .range(0.0, 40.0),
                col("SDQ_REASON", TEXT, "Reason there is no SDQ score")
                    .codes("sdq_reason")
                    .null(),
                col("CONVICTED", INT, "Convicted during the year")
                    .null()
                    .range(0.0, 1.0),
                col("HEALTH_CHECK", INT, "Health check up to date")
                    .null()
                    .range(0.0, 1.0),
                col("IMMUNISATIONS", INT, "Immunisations up to date")
                    .null()
                    .range(0.0, 1.0),
                col("TEETH_CHECK", INT, "Teeth checked")
                    .null()
                    .range(0.0, 1.0),
                col("HEALTH_ASSESSMENT", INT, "Health assessment up to date")
                    .null()
                    .range(0.0, 1.0),
                col(
                    "SUBSTANCE_MISUSE",
                    INT,
                    "Identified as having a substance misuse problem",
                )
                .null()
                .range(0.0, 1.0),
                col(
                    "INTERVENTION_RECEIVED",
                    INT,
                    "Received an intervention for substance misuse",
                )
                .null()
                .range(0.0, 1.0),
                col(
                    "INTERVENTION_OFFERED",
                    INT,
                    "Offered an intervention for substance misuse",
                )
                .null()
                .range(0.0, 1.0),
            ],
            vec!["CHILD", "YEAR"],
            vec![cla_ref("CHILD")],
        ),
        table(
            "oc3",
            Ssda903,
            Csv,
            false,
            "SSDA903 OC3: care leavers' activity and accommodation around their birthday; stacked years carry YEAR.",
            vec![
                col("CHILD", TEXT, "Care leaver"),
                col(
                    "YEAR",
                    INT,
                    "Collection year, as the calendar year of its 31 March",
                )
                .range(2000.0, 2100.0),
                col("DOB", UK, "Date of birth"),
                col("IN_TOUCH", TEXT, "Whether the authority is in touch").codes("in_touch"),
                col("ACTIV", TEXT, "Main activity").codes("activity").null(),
                col("ACCOM", TEXT, "Accommodation")
                    .codes("accommodation")
                    .null(),
            ],
            vec!["CHILD", "YEAR"],
            vec![cla_ref("CHILD")],
        ),
    ]
}
