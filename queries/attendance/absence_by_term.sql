-- ---
-- id = "attendance/absence_by_term"
-- version = 2
-- title = "Absence by term"
-- description = "DfE measures (domain.md section 3) for children in care of compulsory school age, per term: overall, authorised and unauthorised absence as a share of possible sessions; persistent absence (an enrolment absent for 10% or more of its own possible sessions) and severe absence (50% or more) as a share of enrolments. The national CLA figure is DfE's full-year figure for the OC2 cohort, shown for context. Each term also carries its change on the same term a year earlier, in percentage points."
-- depends_on = ["attendance/sessions_by_term"]
-- suppress = ["enrolments", "persistent_absentees", "severe_absentees"]
--
-- [[chart]]
-- name = "absence"
-- type = "line"
-- title = "Absence rates by term, children in care of compulsory school age"
-- x = "term"
-- y = ["overall_absence_rate", "authorised_absence_rate", "unauthorised_absence_rate"]
-- comparators = ["national_cla_overall"]
-- y_label = "Absence, % of possible sessions"
-- x_label = "Term"
-- unit = "percent"
--
-- [[chart]]
-- name = "persistent"
-- type = "line"
-- title = "Persistent and severe absence by term"
-- x = "term"
-- y = ["persistent_absence_rate", "severe_absence_rate"]
-- comparators = ["national_cla_persistent"]
-- y_label = "Enrolments, %"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.overall_absence_rate"
-- value = "overall_absence_rate"
-- numerator = "absence_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.authorised_absence_rate"
-- value = "authorised_absence_rate"
-- numerator = "authorised_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.unauthorised_absence_rate"
-- value = "unauthorised_absence_rate"
-- numerator = "unauthorised_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.persistent_absence_rate"
-- value = "persistent_absence_rate"
-- numerator = "persistent_absentees"
-- denominator = "enrolments"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.severe_absence_rate"
-- value = "severe_absence_rate"
-- numerator = "severe_absentees"
-- denominator = "enrolments"
-- time_period = "term"
-- unit = "percent"
-- ---
WITH per_term AS (
  SELECT term, ordinal, academic_year,
         count(*) AS enrolments,
         sum(possible_sessions) AS possible_sessions,
         sum(authorised_sessions) AS authorised_sessions,
         sum(unauthorised_sessions) AS unauthorised_sessions,
         sum(authorised_sessions + unauthorised_sessions) AS absence_sessions,
         sum(CASE WHEN possible_sessions > 0
                   AND (authorised_sessions + unauthorised_sessions) * 10 >= possible_sessions THEN 1 ELSE 0 END) AS persistent_absentees,
         sum(CASE WHEN possible_sessions > 0
                   AND (authorised_sessions + unauthorised_sessions) * 2 >= possible_sessions THEN 1 ELSE 0 END) AS severe_absentees
  FROM attendance.sessions_by_term
  WHERE possible_sessions > 0
  GROUP BY term, ordinal, academic_year
)
SELECT t.term, t.academic_year, t.enrolments, t.possible_sessions, t.absence_sessions,
       t.authorised_sessions, t.unauthorised_sessions, t.persistent_absentees, t.severe_absentees,
       100.0 * t.absence_sessions / t.possible_sessions AS overall_absence_rate,
       100.0 * t.authorised_sessions / t.possible_sessions AS authorised_absence_rate,
       100.0 * t.unauthorised_sessions / t.possible_sessions AS unauthorised_absence_rate,
       100.0 * t.persistent_absentees / t.enrolments AS persistent_absence_rate,
       100.0 * t.severe_absentees / t.enrolments AS severe_absence_rate,
       o.value AS national_cla_overall,
       pa.value AS national_cla_persistent,
       100.0 * t.absence_sessions / t.possible_sessions
         - 100.0 * ly.absence_sessions / ly.possible_sessions AS overall_change_on_last_year,
       100.0 * t.persistent_absentees / t.enrolments
         - 100.0 * ly.persistent_absentees / ly.enrolments AS persistent_change_on_last_year
FROM per_term t
LEFT JOIN per_term ly ON ly.ordinal = t.ordinal - 3
LEFT JOIN benchmarks o
  ON o.measure = 'attendance.overall_absence_rate' AND o.cohort = 'cla_12m' AND o.academic_year = t.academic_year
LEFT JOIN benchmarks pa
  ON pa.measure = 'attendance.persistent_absence_rate' AND pa.cohort = 'cla_12m' AND pa.academic_year = t.academic_year
ORDER BY t.ordinal
