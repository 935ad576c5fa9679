-- ---
-- id = "attainment/adjusted_odds"
-- version = 2
-- title = "Facilitators and barriers, adjusted for each other"
-- labels = { n = "Children in the model", events = "Children with the outcome", children_with_factor = "Children with the factor", odds_ratio = "Adjusted odds ratio", ci_lower = "Lower 95%", ci_upper = "Upper 95%", model = "Outcome", p_value = "p (unadjusted)", q_value = "q (false discovery rate)", finding = "Finding (false discovery rate 5%)", finding_unadjusted = "Finding from the interval alone" }
-- units = { odds_ratio = "ratio", ci_lower = "ratio", ci_upper = "ratio" }
-- description = "For each outcome in attainment/factors, a logistic regression of the outcome on all the factors together (complete cases: children with every factor known), reporting each factor's adjusted odds ratio with a Wald 95% interval, fitted in Rust by iteratively reweighted least squares. An odds ratio above 1 goes with better outcomes after allowing for the other factors; each factor's Wald p value (z = log odds ratio / its standard error) is adjusted for the false discovery rate over every factor of every outcome's model together (Benjamini and Hochberg 1995, q value), and a factor is called a facilitator or barrier only when its interval excludes 1 and its q is 0.05 or less (finding_unadjusted: the interval's call alone; the interval shown is not adjusted). Factors with fewer than 10 children with or without them are left out of that model and shown as too few to say. Attendance above 95% and more than 3 years in care are the reference groups. Observational: adjusted associations, not causes."
-- params = ["term"]
-- depends_on = ["attainment/factors"]
--
-- [model]
-- kind = "logistic"
-- outcome = "achieved"
-- by = "outcome"
-- factors = ["sen", "placements_3plus", "school_move", "attendance_below_90", "attendance_90_to_95", "in_care_under_1_year", "in_care_1_to_3_years", "school_out_of_authority", "sdq_concern", "pep_rated_green", "suspended", "alternative_provision"]
-- labels = ["SEN support or EHC plan", "3 or more placements in the year", "A school move after 1 October", "Attendance below 90%", "Attendance 90% to 95%", "In care under 1 year", "In care 1 to 3 years", "School outside the authority", "SDQ 17 or more (concern)", "Latest PEP rated green", "Suspended in the year", "Alternative provision"]
-- ---
SELECT outcome, achieved, sen, placements_3plus, school_move, attendance_below_90, attendance_90_to_95,
       in_care_under_1_year, in_care_1_to_3_years, school_out_of_authority, sdq_concern,
       pep_rated_green, suspended, alternative_provision
FROM attainment.factors
