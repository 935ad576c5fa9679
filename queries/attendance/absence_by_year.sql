-- ---
-- id = "attendance/absence_by_year"
-- version = 6
-- title = "Absence by academic year, with breakdowns and the national comparison"
-- description = "Absence of children in care of compulsory school age over each academic year up to the run's term (attendance/sessions_by_term; domain.md section 3): overall, authorised and unauthorised absence as shares of possible sessions, and persistent (10% or more of possible sessions missed; DfE's threshold for each year, terms.pa_threshold, was 20% to 2009/10 and 15% to 2014/15, and each row carries its own) and severe (50% or more) absence on DfE's pupil basis, judged on each child's sessions summed over all their enrolments in the year (PA pupils / pupils x 100, as DfE's national CLA figure t_pupils_pa_10_exact and attendance/absence_by_term; the enrolment basis is a different measure and is not compared with it). Before the year's summer term the year is year to date (metrics.csv period_status). Breakdowns: the OC2 cohort (looked after 12 months at 31 March, roll/oc2_cohort), the population DfE's national CLA figures use, so compare the national figure with the OC2 row; as DfE counts it (matched to the school census, which knows nothing of care status; domain.md section 1), the OC2 row counts every session of the cohort's children in the whole academic year (compulsory school age), including those after a child leaves care between April and July, where every other row counts sessions while looked after; phase and year group (age on 31 August; year groups in every year, for the trend drawn one panel per year group); SEN provision (sen table for the year); school inside or outside the authority, and each school by URN (sessions at that school, a child counted under each school they attended)."
-- params = ["term"]
-- depends_on = ["attendance/sessions_by_term", "attendance/marks_by_term", "roll/oc2_cohort"]
-- suppress = ["pupils", "persistently_absent", "severely_absent"]
--
-- [[chart]]
-- type = "bar"
-- title = "Overall absence by year: all children in care and the OC2 cohort, against national"
-- x = "academic_year"
-- y = ["overall_absence_rate"]
-- series = "group"
-- comparators = ["national_overall"]
-- y_label = "Absence, % of possible sessions"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[chart]]
-- name = "year_groups"
-- type = "line"
-- title = "Overall absence by year group over the years, against national"
-- x = "academic_year"
-- y = ["overall_absence_rate"]
-- series = "group"
-- panels = "group"
-- comparators = ["national_overall"]
-- y_label = "Absence, % of possible sessions"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "attendance.overall_absence_rate"
-- label = "Overall absence"
-- value = "overall_absence_rate"
-- numerator = "absence_sessions"
-- denominator = "possible_sessions"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
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
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
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
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
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
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "attendance.severe_absence_rate"
-- label = "Severe absence (50% or more, pupil basis)"
-- value = "severe_absence_rate"
-- numerator = "severely_absent"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
-- ---
WITH child_year AS (
  SELECT s.child, s.academic_year, max(s.age_at_31_august) AS age,
         sum(s.possible_sessions) AS possible, sum(s.present_sessions) AS present,
         sum(s.authorised_sessions) AS authorised, sum(s.unauthorised_sessions) AS unauthorised
  FROM attendance.sessions_by_term s
  GROUP BY s.child, s.academic_year
),
child_school AS (
  SELECT s.child, s.academic_year, s.urn,
         sum(s.possible_sessions) AS possible, sum(s.present_sessions) AS present,
         sum(s.authorised_sessions) AS authorised, sum(s.unauthorised_sessions) AS unauthorised
  FROM attendance.sessions_by_term s
  GROUP BY s.child, s.academic_year, s.urn
),
child_location AS (
  SELECT s.child, s.academic_year,
         CASE WHEN sc.in_authority THEN 'in authority' ELSE 'out of authority' END AS location,
         sum(s.possible_sessions) AS possible, sum(s.present_sessions) AS present,
         sum(s.authorised_sessions) AS authorised, sum(s.unauthorised_sessions) AS unauthorised
  FROM attendance.sessions_by_term s
  JOIN schools sc ON sc.urn = s.urn
  GROUP BY s.child, s.academic_year, 3
),
oc2_year AS (
  -- The OC2 cohort's whole academic year, as DfE counts it: every mark of a cohort child in
  -- the year (up to the run's term), looked after that day or not (both rows of
  -- attendance/marks_by_term), classified by the code list valid on the day; compulsory
  -- school age (5 to 15 on 31 August) as every row.
  SELECT s.child, t.academic_year,
         max(CAST(extract(year FROM ys.year_start) - extract(year FROM h.dob)
                  - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS BIGINT)) AS age,
         sum(s.possible_sessions) AS possible, sum(s.present_sessions) AS present,
         sum(s.authorised_sessions) AS authorised, sum(s.unauthorised_sessions) AS unauthorised
  FROM attendance.marks_by_term s
  JOIN terms t ON t.ordinal = s.ordinal
  JOIN (SELECT academic_year, min(start_date) AS year_start FROM terms GROUP BY academic_year) ys
    ON ys.academic_year = t.academic_year
  JOIN roll.oc2_cohort k ON k.child = s.child AND k.academic_year = t.academic_year
  JOIN header h ON h.child = s.child
  GROUP BY s.child, t.academic_year
),
stacked AS (
  SELECT 1 AS b, 'all' AS breakdown, 'all' AS "group", 0 AS o, c.* FROM child_year c
  UNION ALL
  SELECT 2, 'cohort', 'OC2 cohort', 0, c.child, c.academic_year, c.age, c.possible, c.present, c.authorised, c.unauthorised
  FROM oc2_year c
  WHERE c.age BETWEEN 5 AND 15
  UNION ALL
  SELECT 3, 'phase', CASE WHEN c.age <= 10 THEN 'primary' ELSE 'secondary' END, 0, c.* FROM child_year c
  UNION ALL
  SELECT 4, 'year_group', concat('Year ', CAST(c.age - 4 AS VARCHAR)), c.age + 0, c.* FROM child_year c
  UNION ALL
  SELECT 5, 'sen_status', CASE n.sen_status WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END, 0, c.*
  FROM child_year c LEFT JOIN sen n ON n.child = c.child AND n.academic_year = c.academic_year
  UNION ALL
  SELECT 6, 'school_location', l.location, 0, l.child, l.academic_year, NULL, l.possible, l.present, l.authorised, l.unauthorised
  FROM child_location l
  UNION ALL
  SELECT 7, 'school', w.urn, 0, w.child, w.academic_year, NULL, w.possible, w.present, w.authorised, w.unauthorised
  FROM child_school w
),
totals AS (
  SELECT b, breakdown, "group", academic_year, min(o) AS o,
         count(DISTINCT child) AS pupils,
         sum(possible) AS possible_sessions,
         sum(possible - present) AS absence_sessions,
         sum(authorised) AS authorised_sessions,
         sum(unauthorised) AS unauthorised_sessions,
         sum(CASE WHEN possible > 0 AND 100 * (possible - present) >= y.pa_threshold * possible THEN 1 ELSE 0 END) AS persistently_absent,
         sum(CASE WHEN possible > 0 AND 2 * (possible - present) >= possible THEN 1 ELSE 0 END) AS severely_absent,
         min(y.pa_threshold) AS pa_threshold
  FROM stacked
  JOIN (SELECT DISTINCT academic_year AS year, pa_threshold FROM terms) y ON y.year = stacked.academic_year
  WHERE possible > 0
  GROUP BY b, breakdown, "group", academic_year
)
SELECT t.academic_year, t.breakdown, t."group", t.pupils, t.possible_sessions, t.absence_sessions,
       t.authorised_sessions, t.unauthorised_sessions, t.persistently_absent, t.severely_absent, t.pa_threshold,
       100.0 * t.absence_sessions / t.possible_sessions AS overall_absence_rate,
       100.0 * t.authorised_sessions / t.possible_sessions AS authorised_absence_rate,
       100.0 * t.unauthorised_sessions / t.possible_sessions AS unauthorised_absence_rate,
       100.0 * t.persistently_absent / t.pupils AS persistent_absence_rate,
       100.0 * t.severely_absent / t.pupils AS severe_absence_rate,
       n.value AS national_overall
FROM totals t
LEFT JOIN benchmarks n ON n.measure = 'attendance.overall_absence_rate' AND n.cohort = 'cla_12m'
  AND n.academic_year = t.academic_year
WHERE t.b <= 2 OR t.breakdown = 'year_group'
   OR t.academic_year = (SELECT academic_year FROM params)
ORDER BY t.academic_year, t.b, t.o, t."group"
