-- ---
-- id = "attendance/absence_by_term"
-- version = 4
-- title = "Absence by term"
-- description = "DfE measures (domain.md section 3) for children in care of compulsory school age, per term: overall, authorised and unauthorised absence as a share of possible sessions; persistent absence (10% or more of possible sessions missed; DfE's threshold for the year, terms.pa_threshold, which was 20% to 2009/10 and 15% to 2014/15) and severe absence (50% or more) on DfE's pupil basis, each pupil's sessions summed across all their enrolments in the term (PA pupils / pupils x 100: the basis of DfE's national CLA figure, t_pupils_pa_10_exact, and of attendance/absence_by_year), and on the enrolment basis for school-level views, each enrolment judged on its own sessions (attendance.persistent_absence_rate_enrolments, attendance.severe_absence_rate_enrolments; DfE's all-pupil school census basis, which must not be compared with the pupil basis). The national CLA figure is DfE's full-year figure for the OC2 cohort, shown for context. Each term also carries its change on the same term a year earlier, in percentage points."
-- depends_on = ["attendance/sessions_by_term"]
-- labels = { national_cla_overall = "National CLA overall absence, whole year", national_cla_persistent = "National CLA persistent absence, whole year" }
-- suppress = ["pupils", "persistently_absent", "severely_absent", "enrolments", "persistent_enrolments", "severe_enrolments"]
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
-- title = "Persistent and severe absence by term (pupil basis)"
-- x = "term"
-- y = ["persistent_absence_rate", "severe_absence_rate"]
-- comparators = ["national_cla_persistent"]
-- y_label = "Pupils, % (pupil basis)"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.overall_absence_rate"
-- label = "Overall absence"
-- value = "overall_absence_rate"
-- numerator = "absence_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
-- same_within = 1.0
--
-- [[metric]]
-- id = "attendance.authorised_absence_rate"
-- label = "Authorised absence"
-- value = "authorised_absence_rate"
-- numerator = "authorised_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
-- same_within = 1.0
--
-- [[metric]]
-- id = "attendance.unauthorised_absence_rate"
-- label = "Unauthorised absence"
-- value = "unauthorised_absence_rate"
-- numerator = "unauthorised_sessions"
-- denominator = "possible_sessions"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
-- same_within = 1.0
--
-- [[metric]]
-- id = "attendance.persistent_absence_rate"
-- label = "Persistent absence (10% or more, pupil basis)"
-- value = "persistent_absence_rate"
-- numerator = "persistently_absent"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "attendance.severe_absence_rate"
-- label = "Severe absence (50% or more, pupil basis)"
-- value = "severe_absence_rate"
-- numerator = "severely_absent"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "attendance.persistent_absence_rate_enrolments"
-- label = "Persistent absence (10% or more, enrolment basis)"
-- value = "persistent_absence_rate_enrolments"
-- numerator = "persistent_enrolments"
-- denominator = "enrolments"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "attendance.severe_absence_rate_enrolments"
-- label = "Severe absence (50% or more, enrolment basis)"
-- value = "severe_absence_rate_enrolments"
-- numerator = "severe_enrolments"
-- denominator = "enrolments"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
-- ---
WITH per_pupil AS (
  SELECT child, term, ordinal, academic_year,
         sum(possible_sessions) AS possible,
         sum(authorised_sessions + unauthorised_sessions) AS absent
  FROM attendance.sessions_by_term
  WHERE possible_sessions > 0
  GROUP BY child, term, ordinal, academic_year
),
pupil_basis AS (
  SELECT p.term,
         count(*) AS pupils,
         sum(CASE WHEN 100 * p.absent >= y.pa_threshold * p.possible THEN 1 ELSE 0 END) AS persistently_absent,
         sum(CASE WHEN p.absent * 2 >= p.possible THEN 1 ELSE 0 END) AS severely_absent
  FROM per_pupil p JOIN terms y ON y.term = p.term
  GROUP BY p.term
),
per_term AS (
  SELECT s.term, s.ordinal, s.academic_year,
         count(*) AS enrolments,
         sum(s.possible_sessions) AS possible_sessions,
         sum(s.authorised_sessions) AS authorised_sessions,
         sum(s.unauthorised_sessions) AS unauthorised_sessions,
         sum(s.authorised_sessions + s.unauthorised_sessions) AS absence_sessions,
         sum(CASE WHEN 100 * (s.authorised_sessions + s.unauthorised_sessions) >= y.pa_threshold * s.possible_sessions THEN 1 ELSE 0 END) AS persistent_enrolments,
         sum(CASE WHEN (s.authorised_sessions + s.unauthorised_sessions) * 2 >= s.possible_sessions THEN 1 ELSE 0 END) AS severe_enrolments,
         min(y.pa_threshold) AS pa_threshold
  FROM attendance.sessions_by_term s JOIN terms y ON y.term = s.term
  WHERE s.possible_sessions > 0
  GROUP BY s.term, s.ordinal, s.academic_year
),
joined AS (
  SELECT t.*, b.pupils, b.persistently_absent, b.severely_absent
  FROM per_term t JOIN pupil_basis b ON b.term = t.term
)
SELECT t.term, t.academic_year, t.pupils, t.enrolments, t.possible_sessions, t.absence_sessions,
       t.authorised_sessions, t.unauthorised_sessions,
       t.persistently_absent, t.severely_absent, t.persistent_enrolments, t.severe_enrolments, t.pa_threshold,
       100.0 * t.absence_sessions / t.possible_sessions AS overall_absence_rate,
       100.0 * t.authorised_sessions / t.possible_sessions AS authorised_absence_rate,
       100.0 * t.unauthorised_sessions / t.possible_sessions AS unauthorised_absence_rate,
       100.0 * t.persistently_absent / t.pupils AS persistent_absence_rate,
       100.0 * t.severely_absent / t.pupils AS severe_absence_rate,
       100.0 * t.persistent_enrolments / t.enrolments AS persistent_absence_rate_enrolments,
       100.0 * t.severe_enrolments / t.enrolments AS severe_absence_rate_enrolments,
       o.value AS national_cla_overall,
       pa.value AS national_cla_persistent,
       100.0 * t.absence_sessions / t.possible_sessions
         - 100.0 * ly.absence_sessions / ly.possible_sessions AS overall_change_on_last_year,
       -- Not across a change of DfE's threshold (2010-11, 2015-16): the two rates measure different things.
       CASE WHEN t.pa_threshold = ly.pa_threshold
            THEN 100.0 * t.persistently_absent / t.pupils - 100.0 * ly.persistently_absent / ly.pupils
       END AS persistent_change_on_last_year
FROM joined t
LEFT JOIN joined ly ON ly.ordinal = t.ordinal - 3
LEFT JOIN benchmarks o
  ON o.measure = 'attendance.overall_absence_rate' AND o.cohort = 'cla_12m' AND o.academic_year = t.academic_year
LEFT JOIN benchmarks pa
  ON pa.measure = 'attendance.persistent_absence_rate' AND pa.cohort = 'cla_12m' AND pa.academic_year = t.academic_year
ORDER BY t.ordinal
