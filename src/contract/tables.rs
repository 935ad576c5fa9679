//! The tables of a Virtual School's data folder.
//!
//! SSDA903 tables keep DfE's names and `dd/mm/YYYY` dates so a local authority's
//! own return can be dropped in as it is. The rest is ours, shaped like ePEP and
//! attendance-feed exports, with snake_case names and ISO dates.

use super::{Column, ColumnType, DateFormat, Origin, Reference, Storage, Table};

const UK: ColumnType = ColumnType::Date(DateFormat::Uk);
const ISO: ColumnType = ColumnType::Date(DateFormat::Iso);
const TEXT: ColumnType = ColumnType::Text;
const INT: ColumnType = ColumnType::Integer;
const NUM: ColumnType = ColumnType::Decimal;
const BOOL: ColumnType = ColumnType::Boolean;

fn col(name: &'static str, ty: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        codes: None,
        code_date: None,
        range: None,
        description,
    }
}

trait ColumnExt {
    fn null(self) -> Self;
    fn codes(self, list: &'static str) -> Self;
    fn dated_by(self, column: &'static str) -> Self;
    fn range(self, lo: f64, hi: f64) -> Self;
}

impl ColumnExt for Column {
    fn null(mut self) -> Self {
        self.nullable = true;
        self
    }
    fn codes(mut self, list: &'static str) -> Self {
        self.codes = Some(list);
        self
    }
    fn dated_by(mut self, column: &'static str) -> Self {
        self.code_date = Some(column);
        self
    }
    fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
}

fn child_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("header", "CHILD"), ("wider_cohort", "child")],
    }
}

fn cla_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("header", "CHILD")],
    }
}

fn school_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("schools", "urn")],
    }
}

#[allow(clippy::too_many_arguments)]
fn table(
    name: &'static str,
    origin: Origin,
    storage: Storage,
    required: bool,
    description: &'static str,
    columns: Vec<Column>,
    key: Vec<&'static str>,
    references: Vec<Reference>,
) -> Table {
    Table {
        name,
        origin,
        storage,
        required,
        description,
        columns,
        key,
        references,
    }
}

/// Every table of the contract, in the order the contract page lists them.
pub fn tables() -> Vec<Table> {
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
        table(
            "wider_cohort",
            Local,
            Csv,
            false,
            "Children the Virtual School serves who are not looked after: previously in care, with a social worker, in kinship care.",
            vec![
                col("child", TEXT, "Pseudonymous child identifier"),
                col("cohort", TEXT, "Which cohort").codes("wider_cohort"),
                col("dob", ISO, "Date of birth"),
                col("sex", TEXT, "Sex").codes("sex"),
                col("start_date", ISO, "Date the child joined the cohort"),
                col("end_date", ISO, "Date the child left the cohort").null(),
            ],
            vec!["child", "cohort", "start_date"],
            vec![],
        ),
        table(
            "schools",
            Local,
            Csv,
            true,
            "Schools and settings our children attend.",
            vec![
                col("urn", TEXT, "Unique reference number (DfE)"),
                col("name", TEXT, "School name"),
                col("phase", TEXT, "Phase").codes("phase"),
                col("type", TEXT, "Type").codes("school_type"),
                col("trust", TEXT, "Multi-academy trust, if any").null(),
                col(
                    "in_authority",
                    BOOL,
                    "True when the school is inside the local authority's area",
                ),
            ],
            vec!["urn"],
            vec![],
        ),
        table(
            "enrolments",
            Local,
            Csv,
            true,
            "Which child was on which school's roll, when.",
            vec![
                col("child", TEXT, "Child"),
                col("urn", TEXT, "School"),
                col("start_date", ISO, "First day on roll"),
                col("end_date", ISO, "Last day on roll; empty while on roll").null(),
                col("provision", TEXT, "Kind of provision").codes("provision"),
            ],
            vec!["child", "urn", "start_date"],
            vec![child_ref("child"), school_ref("urn")],
        ),
        table(
            "attendance",
            Local,
            Parquet,
            true,
            "Daily attendance marks, one row per child per session, as daily feeds export them.",
            vec![
                col("child", TEXT, "Child"),
                col("urn", TEXT, "School taking the register"),
                col("date", ISO, "Date of the session"),
                col("session", TEXT, "AM or PM").codes("session"),
                col("mark", TEXT, "Register mark, valid on the date")
                    .codes("attendance_mark")
                    .dated_by("date"),
            ],
            vec!["child", "date", "session"],
            vec![child_ref("child"), school_ref("urn")],
        ),
        table(
            "suspensions",
            Local,
            Csv,
            true,
            "Suspensions and permanent exclusions.",
            vec![
                col("child", TEXT, "Child"),
                col("urn", TEXT, "Excluding school"),
                col("start_date", ISO, "First day of the suspension"),
                col("type", TEXT, "Suspension, lunchtime or permanent").codes("suspension_type"),
                col(
                    "sessions",
                    INT,
                    "Sessions lost (a day is two; a lunchtime counts one)",
                )
                .range(0.0, 90.0),
                col("reason_1", TEXT, "Main reason")
                    .codes("suspension_reason")
                    .dated_by("start_date"),
                col("reason_2", TEXT, "Second reason")
                    .codes("suspension_reason")
                    .dated_by("start_date")
                    .null(),
                col("reason_3", TEXT, "Third reason")
                    .codes("suspension_reason")
                    .dated_by("start_date")
                    .null(),
            ],
            vec!["child", "urn", "start_date", "type"],
            vec![child_ref("child"), school_ref("urn")],
        ),
        table(
            "ks2_results",
            Local,
            Csv,
            false,
            "Key stage 2 results: test scaled scores and writing teacher assessment.",
            vec![
                col("child", TEXT, "Child"),
                col("academic_year", TEXT, "Year of the tests, e.g. 2023-24"),
                col("reading_score", INT, "Reading scaled score")
                    .null()
                    .range(80.0, 120.0),
                col("maths_score", INT, "Maths scaled score")
                    .null()
                    .range(80.0, 120.0),
                col(
                    "gps_score",
                    INT,
                    "Grammar, punctuation and spelling scaled score",
                )
                .null()
                .range(80.0, 120.0),
                col("writing_ta", TEXT, "Writing teacher assessment")
                    .codes("writing_ta")
                    .null(),
            ],
            vec!["child", "academic_year"],
            vec![child_ref("child")],
        ),
        table(
            "ks4_results",
            Local,
            Csv,
            false,
            "Key stage 4 results: English and maths GCSE grades and Attainment 8.",
            vec![
                col("child", TEXT, "Child"),
                col("academic_year", TEXT, "Year of the exams"),
                col("english_grade", INT, "Best English GCSE grade, 0 when none").range(0.0, 9.0),
                col("maths_grade", INT, "Maths GCSE grade, 0 when none").range(0.0, 9.0),
                col("attainment8", NUM, "Attainment 8 score").range(0.0, 90.0),
                col("progress8", NUM, "Progress 8 score, when published")
                    .null()
                    .range(-10.0, 10.0),
            ],
            vec!["child", "academic_year"],
            vec![child_ref("child")],
        ),
        table(
            "progress",
            Local,
            Csv,
            false,
            "Termly teacher judgements from PEPs (no national scale).",
            vec![
                col("child", TEXT, "Child"),
                col("term", TEXT, "Term, e.g. 2024-25-spring"),
                col(
                    "subject",
                    TEXT,
                    "Subject (reading, writing, maths, english, ...)",
                ),
                col("judgement", TEXT, "Current judgement").codes("judgement"),
                col("target", TEXT, "Target judgement").codes("judgement"),
                col("on_track", BOOL, "On track to meet the target"),
            ],
            vec!["child", "term", "subject"],
            vec![child_ref("child")],
        ),
        table(
            "peps",
            Local,
            Csv,
            true,
            "Personal Education Plans: one per child per term, with timeliness and quality assurance.",
            vec![
                col("child", TEXT, "Child"),
                col("term", TEXT, "Term the PEP belongs to"),
                col("urn", TEXT, "School at the time").null(),
                col("due_date", ISO, "Deadline set by the Virtual School"),
                col("held_date", ISO, "Date of the PEP meeting").null(),
                col("completed_date", ISO, "Date the PEP was completed").null(),
                col("qa_rating", TEXT, "Quality assurance rating")
                    .codes("qa_rating")
                    .null(),
                col("sw_team", TEXT, "Social work team"),
                col("dt_present", BOOL, "Designated teacher attended"),
                col("child_voice", BOOL, "Child's voice captured"),
            ],
            vec!["child", "term"],
            vec![cla_ref("child"), school_ref("urn")],
        ),
        table(
            "pp_plus",
            Local,
            Csv,
            true,
            "Pupil Premium Plus requests and decisions.",
            vec![
                col("request_id", TEXT, "Request identifier"),
                col("child", TEXT, "Child"),
                col("urn", TEXT, "Requesting school"),
                col("term", TEXT, "Term the funding is for"),
                col("amount", NUM, "Amount requested, pounds").range(0.0, 100000.0),
                col("eef_tier", TEXT, "EEF tier").codes("eef_tier"),
                col(
                    "intervention",
                    TEXT,
                    "Intervention type, e.g. tuition, mentoring",
                ),
                col(
                    "pep_target",
                    TEXT,
                    "The PEP target the request is linked to",
                )
                .null(),
                col("status", TEXT, "Panel decision").codes("request_status"),
            ],
            vec!["request_id"],
            vec![cla_ref("child"), school_ref("urn")],
        ),
        table(
            "sdq",
            Local,
            Csv,
            false,
            "Strengths and Difficulties Questionnaire returns, one per child per assessment.",
            vec![
                col("child", TEXT, "Child"),
                col("assessment_date", ISO, "Date completed"),
                col("total_score", INT, "Total difficulties score")
                    .null()
                    .range(0.0, 40.0),
                col("reason", TEXT, "Reason there is no score")
                    .codes("sdq_reason")
                    .null(),
            ],
            vec!["child", "assessment_date"],
            vec![child_ref("child")],
        ),
        table(
            "sen",
            Local,
            Csv,
            false,
            "Special educational needs status by academic year.",
            vec![
                col("child", TEXT, "Child"),
                col("academic_year", TEXT, "Academic year"),
                col("sen_status", TEXT, "SEN provision").codes("sen_status"),
                col("primary_need", TEXT, "Primary type of need")
                    .codes("sen_need")
                    .null(),
            ],
            vec!["child", "academic_year"],
            vec![child_ref("child")],
        ),
        table(
            "post16",
            Local,
            Csv,
            false,
            "Post-16 activity of young people in care and care leavers, termly.",
            vec![
                col("child", TEXT, "Young person"),
                col("term", TEXT, "Term"),
                col("activity", TEXT, "Main activity (OC3 ACTIV codes)").codes("activity"),
                col("provider", TEXT, "College, employer or training provider").null(),
            ],
            vec!["child", "term"],
            vec![cla_ref("child")],
        ),
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
