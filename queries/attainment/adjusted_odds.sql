-- ---
-- id = "attainment/adjusted_odds"
-- version = 3
-- title = "Facilitators and barriers, adjusted for each other"
-- labels = { n = "Children in the model", events = "Children with the outcome", children_with_factor = "Children with the factor", odds_ratio = "Adjusted odds ratio", ci_lower = "Lower 95%", ci_upper = "Upper 95%", model = "Outcome", p_value = "p (unadjusted)", q_value = "q (false discovery rate)", finding = "Finding (false discovery rate 5%)", finding_unadjusted = "Finding from the interval alone" }
-- units = { odds_ratio = "ratio", ci_lower = "ratio", ci_upper = "ratio" }
-- description = "For each outcome in attainment/factors, a logistic regression of the outcome on all the factors together (complete cases: children with every factor known), reporting each factor's adjusted odds ratio with a Wald 95% interval, fitted in Rust by iteratively reweighted least squares. An odds ratio above 1 goes with better outcomes after allowing for the other factors; each factor's Wald p value (z = log odds ratio / its standard error) is adjusted for the false discovery rate over every factor of every outcome's model together (Benjamini and Hochberg 1995, q value), and a factor is called a facilitator or barrier only when its interval excludes 1 and its q is 0.05 or less (finding_unadjusted: the interval's call alone; the interval shown is not adjusted). Factors with fewer than 10 children with or without them (or whose children with or without them all had one outcome) are left out of that model and shown as too few to say. Attendance above 95% and more than 3 years in care are the reference groups, and a band too small to estimate (attendance below 90% or 90% to 95%, in care under 1 year or 1 to 3 years) is never merged into its reference group: its children are left out of that model (n counts the children in it), so the reference group holds only the children it names. n, events and children_with_factor are counts of children, declared for disclosure control. Observational: adjusted associations, not causes."
-- params = ["term"]
-- depends_on = ["attainment/factors"]
-- suppress = ["n", "events", "children_with_factor"]
--
-- [model]
-- kind = "logistic"
-- outcome = "achieved"
-- by = "outcome"
-- factors = ["sen", "placements_3plus", "school_move", "attendance_below_90", "attendance_90_to_95", "in_care_under_1_year", "in_care_1_to_3_years", "school_out_of_authority", "sdq_concern", "pep_rated_green", "suspended", "alternative_provision"]
-- labels = ["SEN support or EHC plan", "3 or more placements in the year", "A school move after 1 October", "Attendance below 90%", "Attendance 90% to 95%", "In care under 1 year", "In care 1 to 3 years", "School outside the authority", "SDQ 17 or more (concern)", "Latest PEP rated green", "Suspended in the year", "Alternative provision"]
-- ---
WITH known AS (
  -- The model uses complete cases over the factors known for some child of the outcome.
  SELECT outcome,
         max(CASE WHEN sen IS NULL THEN 0 ELSE 1 END) AS k_sen,
         max(CASE WHEN placements_3plus IS NULL THEN 0 ELSE 1 END) AS k_placements,
         max(CASE WHEN school_move IS NULL THEN 0 ELSE 1 END) AS k_move,
         max(CASE WHEN attendance_below_90 IS NULL THEN 0 ELSE 1 END) AS k_attendance,
         max(CASE WHEN in_care_under_1_year IS NULL THEN 0 ELSE 1 END) AS k_in_care,
         max(CASE WHEN school_out_of_authority IS NULL THEN 0 ELSE 1 END) AS k_location,
         max(CASE WHEN sdq_concern IS NULL THEN 0 ELSE 1 END) AS k_sdq,
         max(CASE WHEN pep_rated_green IS NULL THEN 0 ELSE 1 END) AS k_pep,
         max(CASE WHEN suspended IS NULL THEN 0 ELSE 1 END) AS k_suspended,
         max(CASE WHEN alternative_provision IS NULL THEN 0 ELSE 1 END) AS k_ap
  FROM attainment.factors
  WHERE achieved IS NOT NULL
  GROUP BY outcome
),
complete AS (
  SELECT f.*
  FROM attainment.factors f
  JOIN known k ON k.outcome = f.outcome
  WHERE f.achieved IS NOT NULL
    AND (f.sen IS NOT NULL OR k.k_sen = 0)
    AND (f.placements_3plus IS NOT NULL OR k.k_placements = 0)
    AND (f.school_move IS NOT NULL OR k.k_move = 0)
    AND (f.attendance_below_90 IS NOT NULL OR k.k_attendance = 0)
    AND (f.in_care_under_1_year IS NOT NULL OR k.k_in_care = 0)
    AND (f.school_out_of_authority IS NOT NULL OR k.k_location = 0)
    AND (f.sdq_concern IS NOT NULL OR k.k_sdq = 0)
    AND (f.pep_rated_green IS NOT NULL OR k.k_pep = 0)
    AND (f.suspended IS NOT NULL OR k.k_suspended = 0)
    AND (f.alternative_provision IS NOT NULL OR k.k_ap = 0)
),
bands AS (
  SELECT 'attendance_below_90' AS band, outcome, child, academic_year, achieved, attendance_below_90 AS member FROM complete
  UNION ALL SELECT 'attendance_90_to_95', outcome, child, academic_year, achieved, attendance_90_to_95 FROM complete
  UNION ALL SELECT 'in_care_under_1_year', outcome, child, academic_year, achieved, in_care_under_1_year FROM complete
  UNION ALL SELECT 'in_care_1_to_3_years', outcome, child, academic_year, achieved, in_care_1_to_3_years FROM complete
),
band_counts AS (
  SELECT band, outcome,
         count(*) AS n, sum(achieved) AS events,
         sum(member) AS with_band, sum(member * achieved) AS events_with
  FROM bands
  GROUP BY band, outcome
),
too_small AS (
  -- A band the model cannot estimate (as src/run/model.rs judges it: fewer than 10 children
  -- with or without it, or one outcome for all with or all without it).
  SELECT band, outcome FROM band_counts
  WHERE with_band < 10 OR n - with_band < 10
     OR events_with = 0 OR events_with = with_band
     OR events - events_with = 0 OR events - events_with = n - with_band
),
all_bands AS (
  SELECT 'attendance_below_90' AS band, outcome, child, academic_year, attendance_below_90 AS member FROM attainment.factors
  UNION ALL SELECT 'attendance_90_to_95', outcome, child, academic_year, attendance_90_to_95 FROM attainment.factors
  UNION ALL SELECT 'in_care_under_1_year', outcome, child, academic_year, in_care_under_1_year FROM attainment.factors
  UNION ALL SELECT 'in_care_1_to_3_years', outcome, child, academic_year, in_care_1_to_3_years FROM attainment.factors
),
left_out AS (
  -- Its children (complete cases or not, as leaving some out changes which factors are
  -- known) leave that model rather than join the reference group.
  SELECT DISTINCT b.outcome, b.child, b.academic_year
  FROM all_bands b
  JOIN too_small t ON t.band = b.band AND t.outcome = b.outcome
  WHERE b.member = 1
)
SELECT f.outcome,
       CASE WHEN l.child IS NULL THEN f.achieved END AS achieved,
       f.sen, f.placements_3plus, f.school_move, f.attendance_below_90, f.attendance_90_to_95,
       f.in_care_under_1_year, f.in_care_1_to_3_years, f.school_out_of_authority, f.sdq_concern,
       f.pep_rated_green, f.suspended, f.alternative_provision
FROM attainment.factors f
LEFT JOIN left_out l ON l.outcome = f.outcome AND l.child = f.child AND l.academic_year = f.academic_year
