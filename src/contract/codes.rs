//! The code lists the contract allows, with the dates each code is valid for.
//!
//! Kept as data: an analysis joins `code_lists` (registered by the catalog) rather
//! than hard-coding what a code means, so a change of guidance is a change here.

use super::calendar::ymd;
use super::{Code, CodeList};
use chrono::NaiveDate;

/// The day DfE's new attendance codes took effect.
fn attendance_change() -> NaiveDate {
    ymd(2024, 8, 19)
}

fn plain(
    id: &'static str,
    description: &'static str,
    source: &'static str,
    codes: &[(&'static str, &'static str)],
) -> CodeList {
    grouped(
        id,
        description,
        source,
        &codes.iter().map(|(c, l)| (*c, *l, "")).collect::<Vec<_>>(),
    )
}

fn grouped(
    id: &'static str,
    description: &'static str,
    source: &'static str,
    codes: &[(&'static str, &'static str, &'static str)],
) -> CodeList {
    CodeList {
        id,
        description,
        source,
        codes: codes
            .iter()
            .map(|(code, label, group)| Code {
                code,
                label,
                group,
                valid_from: None,
                valid_to: None,
            })
            .collect(),
    }
}

fn dated(list: &mut CodeList, codes: &[&str], from: Option<NaiveDate>, to: Option<NaiveDate>) {
    for c in list.codes.iter_mut().filter(|c| codes.contains(&c.code)) {
        c.valid_from = from;
        c.valid_to = to;
    }
}

const SSDA903: &str = "DfE, Children looked after return (SSDA903) guidance";

/// Every code list of the contract.
pub fn code_lists() -> Vec<CodeList> {
    vec![
        sex(),
        ethnicity(),
        plain(
            "rne",
            "Reason for new episode",
            SSDA903,
            &[
                ("S", "Started to be looked after"),
                ("L", "Change of legal status only"),
                ("P", "Change of placement and carer"),
                ("T", "Change of placement, same carer"),
                ("B", "Change of legal status and placement and carer"),
                ("U", "Change of legal status and placement, same carer"),
            ],
        ),
        grouped(
            "legal_status",
            "Legal status",
            SSDA903,
            &[
                ("C1", "Interim care order", "care_order"),
                ("C2", "Full care order", "care_order"),
                ("D1", "Freeing order", "placement_order"),
                ("E1", "Placement order", "placement_order"),
                (
                    "V2",
                    "Single period of accommodation under section 20",
                    "s20",
                ),
                (
                    "V3",
                    "Accommodated under an agreed series of short-term breaks",
                    "short_break",
                ),
                (
                    "V4",
                    "Accommodated under an agreed series of short-term breaks, when agreements are recorded",
                    "short_break",
                ),
                ("L1", "Under police protection", "emergency"),
                ("L2", "Emergency protection order", "emergency"),
                ("L3", "Child assessment order", "emergency"),
                (
                    "J1",
                    "Remanded to local authority accommodation",
                    "youth_justice",
                ),
                (
                    "J2",
                    "Placed in local authority accommodation under PACE",
                    "youth_justice",
                ),
                (
                    "J3",
                    "Sentenced to a youth rehabilitation order with residence requirement",
                    "youth_justice",
                ),
            ],
        ),
        plain(
            "category_of_need",
            "Category of need",
            SSDA903,
            &[
                ("N1", "Abuse or neglect"),
                ("N2", "Child's disability"),
                ("N3", "Parental illness or disability"),
                ("N4", "Family in acute stress"),
                ("N5", "Family dysfunction"),
                ("N6", "Socially unacceptable behaviour"),
                ("N7", "Low income"),
                ("N8", "Absent parenting"),
            ],
        ),
        placement_type(),
        plain(
            "placement_provider",
            "Placement provider",
            SSDA903,
            &[
                (
                    "PR0",
                    "Parents or other person with parental responsibility",
                ),
                ("PR1", "Own provision (by the council)"),
                ("PR2", "Other local authority provision"),
                ("PR3", "Other public provision"),
                ("PR4", "Private provision"),
                ("PR5", "Voluntary or third sector provision"),
            ],
        ),
        grouped(
            "reason_ceased",
            "Reason episode ceased",
            SSDA903,
            &[
                (
                    "X1",
                    "Episode ceases and new episode begins on same day",
                    "continues",
                ),
                ("E11", "Adopted: application unopposed", "adopted"),
                ("E12", "Adopted: consent dispensed with", "adopted"),
                ("E2", "Died", "other"),
                ("E3", "Care taken over by another local authority", "other"),
                ("E4A", "Returned home to live with parents, planned", "home"),
                (
                    "E4B",
                    "Returned home to live with parents, not planned",
                    "home",
                ),
                (
                    "E13",
                    "Left care to live with parents, not under a planned arrangement",
                    "home",
                ),
                (
                    "E41",
                    "Residence or child arrangements order granted",
                    "permanence",
                ),
                (
                    "E45",
                    "Special guardianship order made to former foster carers",
                    "permanence",
                ),
                (
                    "E46",
                    "Special guardianship order made to carers other than former foster carers",
                    "permanence",
                ),
                (
                    "E47",
                    "Special guardianship order made to relatives or friends, former foster carers",
                    "permanence",
                ),
                (
                    "E48",
                    "Special guardianship order made to relatives or friends, not former foster carers",
                    "permanence",
                ),
                (
                    "E5",
                    "Moved into independent living with supportive accommodation",
                    "independence",
                ),
                (
                    "E6",
                    "Moved into independent living with no formalised support",
                    "independence",
                ),
                (
                    "E7",
                    "Transferred to residential care funded by adult social care",
                    "other",
                ),
                (
                    "E8",
                    "Period of being looked after ceased for any other reason",
                    "other",
                ),
                ("E9", "Sentenced to custody", "other"),
                ("E14", "Accommodation on remand ended", "other"),
                (
                    "E15",
                    "Age assessment determined child is 18 or over",
                    "other",
                ),
                ("E16", "Child moved abroad", "other"),
                (
                    "E17",
                    "Aged 18 (or over) and remained with current carers",
                    "independence",
                ),
            ],
        ),
        plain(
            "sdq_reason",
            "Reason no SDQ score was returned",
            SSDA903,
            &[
                (
                    "SDQ1",
                    "No form returned as child was aged under 4 or over 17",
                ),
                ("SDQ2", "Carer refused"),
                ("SDQ3", "Not possible due to severity of disability"),
                ("SDQ4", "Other"),
                ("SDQ5", "Child or young person refused"),
            ],
        ),
        grouped(
            "activity",
            "Activity of a care leaver or post-16 young person (OC3 ACTIV); EET is any F or P code",
            SSDA903,
            &[
                ("F1", "Higher education, full time", "eet"),
                ("P1", "Higher education, part time", "eet"),
                ("F2", "Other education, full time", "eet"),
                ("P2", "Other education, part time", "eet"),
                ("F4", "Apprenticeship, full time", "eet"),
                ("P4", "Apprenticeship, part time", "eet"),
                ("F5", "Training or employment, full time", "eet"),
                ("P5", "Training or employment, part time", "eet"),
                ("G4", "NEET: illness or disability", "neet"),
                ("G5", "NEET: other reasons", "neet"),
                ("G6", "NEET: pregnancy or parenting", "neet"),
                ("0", "Not known", "unknown"),
            ],
        ),
        plain(
            "in_touch",
            "Whether the authority is in touch with the care leaver (OC3 IN_TOUCH)",
            SSDA903,
            &[
                ("YES", "In touch"),
                ("NO", "Not in touch"),
                ("DIED", "Died"),
                ("REFU", "Refuses contact"),
                ("NREQ", "No longer requires services"),
                ("RHOM", "Returned home"),
            ],
        ),
        plain(
            "accommodation",
            "Accommodation of a care leaver (OC3 ACCOM), suitability suffix 1 suitable, 2 not",
            SSDA903,
            &accommodation(),
        ),
        attendance_marks(),
        plain(
            "session",
            "Register session",
            "DfE, School attendance guidance",
            &[("AM", "Morning"), ("PM", "Afternoon")],
        ),
        plain(
            "suspension_type",
            "Kind of exclusion",
            "DfE, Suspension and permanent exclusion guidance",
            &[
                ("suspension", "Suspension (fixed period)"),
                ("lunchtime", "Lunchtime suspension (counts as half a day)"),
                ("permanent", "Permanent exclusion"),
            ],
        ),
        plain(
            "suspension_reason",
            "Reason for suspension or permanent exclusion (versioned; a longer list is coming)",
            "DfE, School census guidance",
            &[
                ("PP", "Physical assault against a pupil"),
                ("PA", "Physical assault against an adult"),
                (
                    "VP",
                    "Verbal abuse or threatening behaviour against a pupil",
                ),
                (
                    "VA",
                    "Verbal abuse or threatening behaviour against an adult",
                ),
                (
                    "OW",
                    "Use or threat of use of an offensive weapon or prohibited item",
                ),
                ("BU", "Bullying"),
                ("RA", "Racist abuse"),
                ("LG", "Abuse against sexual orientation or gender identity"),
                ("DS", "Abuse relating to disability"),
                ("SM", "Sexual misconduct"),
                ("DA", "Drug and alcohol related"),
                ("DM", "Damage"),
                ("TH", "Theft"),
                ("DB", "Persistent disruptive behaviour"),
                (
                    "MT",
                    "Inappropriate use of social media or online technology",
                ),
                (
                    "PH",
                    "Wilful and repeated transgression of protective measures in place to protect public health",
                ),
            ],
        ),
        plain(
            "writing_ta",
            "KS2 writing teacher assessment",
            "STA, KS2 assessment and reporting arrangements",
            &[
                ("WTS", "Working towards the expected standard"),
                ("EXS", "Working at the expected standard"),
                ("GDS", "Working at greater depth"),
            ],
        ),
        plain(
            "judgement",
            "Termly progress judgement (local scale; configurable)",
            "Local ePEP scale",
            &[
                ("below", "Below expected"),
                ("working_towards", "Working towards expected"),
                ("expected", "At expected"),
                ("above", "Above expected"),
            ],
        ),
        plain(
            "qa_rating",
            "PEP quality assurance rating",
            "Local PEP QA",
            &[
                ("red", "Inadequate"),
                ("amber", "Requires improvement"),
                ("green", "Good or outstanding"),
            ],
        ),
        plain(
            "eef_tier",
            "EEF tiered approach to spending",
            "EEF, Using pupil premium",
            &[
                ("1", "High-quality teaching"),
                ("2", "Targeted academic support"),
                ("3", "Wider strategies"),
            ],
        ),
        plain(
            "request_status",
            "PP+ request decision",
            "Local PP+ panel",
            &[("approved", "Approved"), ("declined", "Declined")],
        ),
        plain(
            "sen_status",
            "Special educational needs provision",
            "DfE, School census",
            &[
                ("N", "No SEN"),
                ("K", "SEN support"),
                ("E", "Education, health and care plan"),
            ],
        ),
        plain(
            "sen_need",
            "Primary type of need",
            "DfE, School census",
            &[
                ("SPLD", "Specific learning difficulty"),
                ("MLD", "Moderate learning difficulty"),
                ("SLD", "Severe learning difficulty"),
                ("PMLD", "Profound and multiple learning difficulty"),
                ("SEMH", "Social, emotional and mental health"),
                ("SLCN", "Speech, language and communication needs"),
                ("HI", "Hearing impairment"),
                ("VI", "Visual impairment"),
                ("MSI", "Multi-sensory impairment"),
                ("PD", "Physical disability"),
                ("ASD", "Autistic spectrum disorder"),
                ("OTH", "Other difficulty or disability"),
                ("NSA", "SEN support but no specialist assessment"),
            ],
        ),
        plain(
            "provision",
            "Kind of provision an enrolment is",
            "Local",
            &[
                ("mainstream", "Mainstream school"),
                ("special", "Special school"),
                ("alternative_provision", "Alternative provision"),
                ("early_years", "Early years setting"),
                ("post16", "College or sixth form"),
            ],
        ),
        plain(
            "phase",
            "School phase",
            "DfE, Get information about schools",
            &[
                ("nursery", "Nursery"),
                ("primary", "Primary"),
                ("secondary", "Secondary"),
                ("all_through", "All-through"),
                ("special", "Special"),
                (
                    "alternative_provision",
                    "Alternative provision / pupil referral unit",
                ),
                ("post16", "16 plus"),
            ],
        ),
        plain(
            "school_type",
            "School type",
            "DfE, Get information about schools",
            &[
                ("academy", "Academy or free school"),
                ("maintained", "Local-authority maintained"),
                ("independent", "Independent"),
                ("college", "Further education college"),
                ("pru", "Pupil referral unit"),
            ],
        ),
        plain(
            "wider_cohort",
            "A cohort the Virtual School serves besides children in care",
            "DfE, Virtual school head guidance",
            &[
                (
                    "CPIC",
                    "Child previously in care (adopted, special guardianship, child arrangements order)",
                ),
                (
                    "CWSW",
                    "Child with a social worker (child in need or child protection)",
                ),
                ("KINSHIP", "Child in kinship care (from September 2024)"),
            ],
        ),
        plain(
            "benchmark_cohort",
            "The population a national figure describes",
            "DfE",
            &[
                (
                    "cla_12m",
                    "Children looked after 12 months at 31 March (OC2 cohort)",
                ),
                ("cla", "All children looked after"),
                ("all_pupils", "All pupils in England"),
                ("care_leavers_19_21", "Care leavers aged 19 to 21"),
                ("england", "England total"),
            ],
        ),
        plain(
            "unit",
            "Unit of a figure",
            "cohort",
            &[
                ("percent", "Percentage"),
                ("per_100", "Rate per 100 pupils"),
                ("mean", "Mean"),
                ("count", "Count"),
            ],
        ),
    ]
}

fn ethnicity() -> CodeList {
    let codes: Vec<(&str, &str, &str)> = vec![
        ("WBRI", "White British", "white"),
        ("WIRI", "White Irish", "white"),
        ("WOTH", "Any other White background", "white"),
        ("WIRT", "Traveller of Irish heritage", "white"),
        ("WROM", "Gypsy/Roma", "white"),
        ("MWBC", "White and Black Caribbean", "mixed"),
        ("MWBA", "White and Black African", "mixed"),
        ("MWAS", "White and Asian", "mixed"),
        ("MOTH", "Any other mixed background", "mixed"),
        ("AIND", "Indian", "asian"),
        ("APKN", "Pakistani", "asian"),
        ("ABAN", "Bangladeshi", "asian"),
        ("AOTH", "Any other Asian background", "asian"),
        ("BCRB", "Caribbean", "black"),
        ("BAFR", "African", "black"),
        ("BOTH", "Any other Black background", "black"),
        ("CHNE", "Chinese", "other"),
        ("OOTH", "Any other ethnic group", "other"),
        ("REFU", "Refused", "unknown"),
        ("NOBT", "Information not yet obtained", "unknown"),
    ];
    grouped(
        "ethnicity",
        "Ethnicity, grouped into the five major groups",
        SSDA903,
        &codes,
    )
}

fn placement_type() -> CodeList {
    let mut list = grouped(
        "placement_type",
        "Placement type, dated by DECOM and the collection year (1 April to 31 March): K3 from the 2024/25 return; H5 and P2 valid through the 2024/25 return and withdrawn from 2025/26, when Z1 splits into Z11-Z14",
        SSDA903,
        &[
            (
                "A3",
                "Placed for adoption with consent, with former foster carers",
                "adoption",
            ),
            (
                "A4",
                "Placed for adoption with consent, not with former foster carers",
                "adoption",
            ),
            (
                "A5",
                "Placed for adoption with placement order, with former foster carers",
                "adoption",
            ),
            (
                "A6",
                "Placed for adoption with placement order, not with former foster carers",
                "adoption",
            ),
            ("H5", "Semi-independent living accommodation", "independent"),
            ("K1", "Secure children's home", "residential"),
            ("K2", "Children's home", "residential"),
            ("K3", "Registered supported accommodation", "independent"),
            ("P1", "Placed with own parents", "parents"),
            ("P2", "Independent living", "independent"),
            ("P3", "Residential employment", "independent"),
            ("R1", "Residential care home", "residential"),
            ("R2", "NHS or health trust", "residential"),
            ("R3", "Family centre or mother and baby unit", "residential"),
            ("R5", "Young offender institution or prison", "residential"),
            ("S1", "Residential school", "residential"),
            ("T0", "Temporary placement", "temporary"),
            ("T1", "Temporary, periods of less than 7 days", "temporary"),
            ("T2", "Temporary, foster carer on holiday", "temporary"),
            ("T3", "Temporary, periods of respite", "temporary"),
            ("T4", "Temporary, other", "temporary"),
            (
                "U1",
                "Foster with relative or friend, long term",
                "foster_kin",
            ),
            (
                "U2",
                "Foster with relative or friend, not long term or FFA",
                "foster_kin",
            ),
            (
                "U3",
                "Foster with relative or friend, fostering for adoption",
                "foster_kin",
            ),
            ("U4", "Foster with other carer, long term", "foster"),
            (
                "U5",
                "Foster with other carer, not long term or FFA",
                "foster",
            ),
            (
                "U6",
                "Foster with other carer, fostering for adoption",
                "foster",
            ),
            ("Z1", "Other placements", "other"),
            ("Z11", "Other placement (label unconfirmed)", "other"),
            ("Z12", "Other placement (label unconfirmed)", "other"),
            ("Z13", "Other placement (label unconfirmed)", "other"),
            ("Z14", "Other placement (label unconfirmed)", "other"),
        ],
    );
    // The 2024/25 return (1 April 2024 to 31 March 2025) is the last that accepts H5 and P2.
    dated(&mut list, &["H5", "P2"], None, Some(ymd(2025, 3, 31)));
    dated(&mut list, &["K3"], Some(ymd(2024, 4, 1)), None);
    dated(&mut list, &["Z1"], None, Some(ymd(2025, 3, 31)));
    dated(
        &mut list,
        &["Z11", "Z12", "Z13", "Z14"],
        Some(ymd(2025, 4, 1)),
        None,
    );
    list
}

/// SSDA903 SEX: 1 and 2 up to the 2023/24 return (which ends 31 March 2024), M, F and U
/// from the 2024/25 return. A return is checked as at its 31 March; a file with no return
/// year (a stacked header) may hold either, since each child's row comes from its own return.
fn sex() -> CodeList {
    let mut list = plain(
        "sex",
        "Sex: 1/2 up to 2023/24, M/F/U from 2024/25",
        SSDA903,
        &[
            ("1", "Male"),
            ("2", "Female"),
            ("M", "Male"),
            ("F", "Female"),
            ("U", "Unknown"),
        ],
    );
    dated(&mut list, &["1", "2"], None, Some(ymd(2024, 3, 31)));
    dated(&mut list, &["M", "F", "U"], Some(ymd(2024, 4, 1)), None);
    list
}

fn accommodation() -> Vec<(&'static str, &'static str)> {
    vec![
        ("B1", "Parents or relatives, suitable"),
        ("B2", "Parents or relatives, not suitable"),
        ("C1", "Community home, suitable"),
        ("C2", "Community home, not suitable"),
        (
            "D1",
            "Semi-independent transitional accommodation, suitable",
        ),
        (
            "D2",
            "Semi-independent transitional accommodation, not suitable",
        ),
        ("E1", "Supported lodgings, suitable"),
        ("E2", "Supported lodgings, not suitable"),
        ("G1", "Gone abroad, suitable"),
        ("G2", "Gone abroad, not suitable"),
        ("H1", "Deported, suitable"),
        ("H2", "Deported, not suitable"),
        ("K1", "Ordinary lodgings, suitable"),
        ("K2", "Ordinary lodgings, not suitable"),
        ("R1", "Residence not known, suitable"),
        ("R2", "Residence not known, not suitable"),
        ("S1", "Independent living, suitable"),
        ("S2", "Independent living, not suitable"),
        ("T1", "Emergency accommodation, suitable"),
        ("T2", "Emergency accommodation, not suitable"),
        ("U1", "Foster carers (staying put), suitable"),
        ("U2", "Foster carers (staying put), not suitable"),
        (
            "V1",
            "Residential care funded by adult social care, suitable",
        ),
        (
            "V2",
            "Residential care funded by adult social care, not suitable",
        ),
        ("W1", "Other accommodation, suitable"),
        ("W2", "Other accommodation, not suitable"),
        ("X1", "In custody, suitable"),
        ("X2", "In custody, not suitable"),
        ("Y1", "Other, suitable"),
        ("Y2", "Other, not suitable"),
        ("Z1", "No information, suitable"),
        ("Z2", "No information, not suitable"),
        ("0", "Not known"),
    ]
}

/// Attendance marks, versioned by date. Groups: present, approved_activity
/// (counts as present), authorised, unauthorised, not_possible. The 2024 set
/// follows domain.md section 3; the set before follows the 2016 regulations.
fn attendance_marks() -> CodeList {
    let before = Some(ymd(2024, 8, 18));
    let from = Some(attendance_change());
    let old: &[(&'static str, &'static str, &'static str)] = &[
        ("/", "Present (AM)", "present"),
        ("\\", "Present (PM)", "present"),
        ("L", "Late before registers closed", "present"),
        ("B", "Educated off site", "approved_activity"),
        ("D", "Dual registered at another school", "not_possible"),
        ("J", "At an interview", "approved_activity"),
        ("P", "Approved sporting activity", "approved_activity"),
        ("V", "Educational visit or trip", "approved_activity"),
        ("W", "Work experience", "approved_activity"),
        ("C", "Authorised absence, other", "authorised"),
        (
            "E",
            "Suspended or excluded, no alternative provision",
            "authorised",
        ),
        ("H", "Authorised holiday", "authorised"),
        ("I", "Illness", "authorised"),
        ("M", "Medical or dental appointment", "authorised"),
        ("R", "Religious observance", "authorised"),
        ("S", "Study leave", "authorised"),
        ("T", "Traveller absence", "authorised"),
        ("G", "Holiday not authorised", "unauthorised"),
        ("N", "Reason not yet provided", "unauthorised"),
        ("O", "Unauthorised absence", "unauthorised"),
        ("U", "Arrived after registers closed", "unauthorised"),
        (
            "X",
            "Not required to attend (non-compulsory school age)",
            "not_possible",
        ),
        (
            "Y",
            "Unable to attend due to exceptional circumstances",
            "not_possible",
        ),
        ("Z", "Pupil not on roll", "not_possible"),
        ("#", "Planned whole-school closure", "not_possible"),
    ];
    let new: &[(&'static str, &'static str, &'static str)] = &[
        ("/", "Present (AM)", "present"),
        ("\\", "Present (PM)", "present"),
        ("L", "Late before registers closed", "present"),
        (
            "K",
            "Attending education provision arranged by the local authority",
            "approved_activity",
        ),
        (
            "V",
            "Attending an educational visit or trip",
            "approved_activity",
        ),
        (
            "P",
            "Participating in a supervised sporting activity",
            "approved_activity",
        ),
        ("W", "Attending work experience", "approved_activity"),
        (
            "B",
            "Attending any other approved educational activity",
            "approved_activity",
        ),
        (
            "C",
            "Leave of absence for exceptional circumstances",
            "authorised",
        ),
        (
            "C1",
            "Leave of absence for a regulated performance or employment abroad",
            "authorised",
        ),
        (
            "C2",
            "Leave of absence for a part-time timetable",
            "authorised",
        ),
        (
            "M",
            "Leave of absence for medical or dental appointments",
            "authorised",
        ),
        ("J1", "Leave of absence for an interview", "authorised"),
        ("S", "Leave of absence for study leave", "authorised"),
        (
            "T",
            "Leave of absence, Traveller mobile child",
            "authorised",
        ),
        ("R", "Religious observance", "authorised"),
        ("I", "Illness", "authorised"),
        (
            "E",
            "Suspended or permanently excluded, no alternative provision",
            "authorised",
        ),
        ("G", "Holiday not granted by the school", "unauthorised"),
        (
            "N",
            "Reason for absence not yet established",
            "unauthorised",
        ),
        (
            "O",
            "Absent in other or unknown circumstances",
            "unauthorised",
        ),
        (
            "U",
            "Arrived in school after registration closed",
            "unauthorised",
        ),
        ("D", "Dual registered at another school", "not_possible"),
        (
            "X",
            "Non-compulsory school age, not required to attend",
            "not_possible",
        ),
        (
            "Q",
            "Unable to attend because of lack of access arrangements",
            "not_possible",
        ),
        (
            "Y1",
            "Unable to attend: transport not available",
            "not_possible",
        ),
        (
            "Y2",
            "Unable to attend: widespread transport disruption",
            "not_possible",
        ),
        (
            "Y3",
            "Unable to attend: part of school premises closed",
            "not_possible",
        ),
        (
            "Y4",
            "Unable to attend: whole school closed unexpectedly",
            "not_possible",
        ),
        (
            "Y5",
            "Unable to attend: in criminal justice detention",
            "not_possible",
        ),
        (
            "Y6",
            "Unable to attend: public health guidance or law",
            "not_possible",
        ),
        (
            "Y7",
            "Unable to attend: any other unavoidable cause",
            "not_possible",
        ),
        (
            "Z",
            "Prospective pupil not on admission register",
            "not_possible",
        ),
        (
            "#",
            "Planned whole or partial school closure",
            "not_possible",
        ),
    ];
    let mut codes = Vec::new();
    for (set, vf, vt) in [(old, None, before), (new, from, None)] {
        for (code, label, group) in set {
            codes.push(Code {
                code,
                label,
                group,
                valid_from: vf,
                valid_to: vt,
            });
        }
    }
    CodeList {
        id: "attendance_mark",
        description: "Attendance register marks, by the date of the session (new codes from 19 August 2024). Treatment of D, X and Q: not possible sessions, to be checked against the DfE annex",
        source: "DfE, Working together to improve school attendance (2024) and the 2016 pupil registration regulations",
        codes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(id: &str) -> CodeList {
        code_lists()
            .into_iter()
            .find(|l| l.id == id)
            .unwrap_or_else(|| panic!("no code list {id}"))
    }

    fn valid(list: &CodeList, code: &str, date: NaiveDate) -> bool {
        list.codes
            .iter()
            .any(|c| c.code == code && c.valid_on(date))
    }

    #[test]
    fn placement_types_follow_the_collection_years() {
        let place = list("placement_type");
        // The 2024/25 return runs 1 April 2024 to 31 March 2025: H5 and P2 are still valid on
        // its last day and withdrawn from the 2025/26 return, when Z1 splits into Z11-Z14.
        let last_2425 = ymd(2025, 3, 31);
        let first_2526 = ymd(2025, 4, 1);
        for code in ["H5", "P2", "Z1"] {
            assert!(valid(&place, code, ymd(2024, 6, 1)), "{code} in 2024/25");
            assert!(valid(&place, code, last_2425), "{code} on 31 March 2025");
            assert!(!valid(&place, code, first_2526), "{code} in 2025/26");
        }
        for code in ["Z11", "Z12", "Z13", "Z14"] {
            assert!(!valid(&place, code, last_2425), "{code} before 2025/26");
            assert!(valid(&place, code, first_2526), "{code} in 2025/26");
        }
        // K3 (registered supported accommodation) from the 2024/25 return.
        assert!(!valid(&place, "K3", ymd(2024, 3, 31)));
        assert!(valid(&place, "K3", ymd(2024, 4, 1)));
    }

    #[test]
    fn sex_codes_follow_the_return_year() {
        let sex = list("sex");
        // The 2023/24 return is as at 31 March 2024: 1 and 2 only. The 2024/25 return is as
        // at 31 March 2025: M, F and U only.
        for (code, in_2324, in_2425) in [
            ("1", true, false),
            ("2", true, false),
            ("M", false, true),
            ("F", false, true),
            ("U", false, true),
        ] {
            assert_eq!(
                valid(&sex, code, ymd(2024, 3, 31)),
                in_2324,
                "{code} in 2023/24"
            );
            assert_eq!(
                valid(&sex, code, ymd(2025, 3, 31)),
                in_2425,
                "{code} in 2024/25"
            );
        }
    }

    #[test]
    fn care_leaver_accommodation_has_both_suitability_suffixes() {
        // OC3 ACCOM: each accommodation letter with 1 (suitable) and 2 (not suitable); H2
        // (deported, not suitable) is a valid code and was refused.
        let accom = list("accommodation");
        for letter in [
            "B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
        ] {
            for suffix in ["1", "2"] {
                let code = format!("{letter}{suffix}");
                assert!(accom.find(&code).is_some(), "ACCOM {code}");
            }
        }
    }

    #[test]
    fn ssda903_code_lists_match_domain_section_2() {
        // domain.md section 2, list by list.
        let codes = |id: &str| -> Vec<&'static str> {
            let mut c: Vec<&str> = list(id).codes.iter().map(|c| c.code).collect();
            c.dedup();
            c
        };
        assert_eq!(codes("rne"), ["S", "L", "P", "T", "B", "U"]);
        assert_eq!(
            codes("legal_status"),
            [
                "C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"
            ]
        );
        assert_eq!(
            codes("category_of_need"),
            ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
        );
        assert_eq!(
            codes("placement_provider"),
            ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
        );
        let rec = codes("reason_ceased");
        for code in [
            "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48",
            "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17",
        ] {
            assert!(rec.contains(&code), "REC {code}");
        }
        assert_eq!(
            codes("sdq_reason"),
            ["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]
        );
        assert_eq!(
            codes("activity"),
            [
                "F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"
            ]
        );
    }
}
