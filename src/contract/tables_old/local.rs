//! The Virtual School's own tables, shaped like ePEP and attendance-feed exports.

use super::*;

/// The tables of this kind, in the order the contract page lists them.
pub(super) fn tables() -> Vec<Table> {
    use Origin::*;
    use Storage::*;
    vec![
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
    ]
}
