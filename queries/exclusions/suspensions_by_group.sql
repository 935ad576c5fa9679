-- ---
-- id = "exclusions/suspensions_by_group"
-- version = 5
-- title = "Suspensions this year by phase, SEN provision and school location"
-- description = "For the run's academic year, pupils in care with possible sessions (attendance/sessions_by_term) and their suspensions (including lunchtime) and permanent exclusions starting that year while they were looked after (roll/care_periods, as exclusions/suspensions_by_year; domain.md section 4), by phase (age on 31 August: primary to Year 6, secondary from Year 7), SEN provision (sen table for the year) whether the excluding school is inside the authority, and each school by URN (a pupil counted under each school, or kind of school, they attended): suspensions per 100 pupils, the share with one or more, with two or more, and sessions lost. The OC2 cohort's whole-year figures, the ones set beside DfE's, are exclusions/oc2_by_year's. Permanent exclusions (pupils permanently excluded over pupils) are shown for every row."
-- params = ["academic_year"]
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- suppress = ["pupils", "suspensions", "pupils_suspended", "pupils_repeat", "permanent_exclusions"]
--
-- [[metric]]
-- id = "exclusions.suspension_rate"
-- label = "Suspensions per 100 pupils"
-- value = "suspension_rate"
-- numerator = "suspensions"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "per_100"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.one_plus_suspension_rate"
-- label = "Pupils with one or more suspensions"
-- value = "one_plus_suspension_rate"
-- numerator = "pupils_suspended"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.repeat_suspension_rate"
-- label = "Pupils with two or more suspensions"
-- value = "repeat_suspension_rate"
-- numerator = "pupils_repeat"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.permanent_exclusion_rate"
-- label = "Permanently excluded"
-- value = "permanent_exclusion_rate"
-- numerator = "permanent_exclusions"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
-- ---
WITH in_care AS (
  -- A suspension counts only while the child was looked after (roll/care_periods).
  SELECT DISTINCT s.child, s.urn, s.start_date, s.type, s.sessions
  FROM suspensions s
  JOIN roll.care_periods c ON c.child = s.child AND s.start_date >= c.decom AND s.start_date <= c.end_date
),
pupils AS (
  SELECT s.child, s.academic_year, max(s.age_at_31_august) AS age
  FROM attendance.sessions_by_term s CROSS JOIN params p
  WHERE s.possible_sessions > 0 AND s.academic_year = p.academic_year
  GROUP BY s.child, s.academic_year
),
pupil_schools AS (
  SELECT DISTINCT s.child, s.urn, CASE WHEN sc.in_authority THEN 'in authority' ELSE 'out of authority' END AS location
  FROM attendance.sessions_by_term s
  JOIN schools sc ON sc.urn = s.urn
  CROSS JOIN params p
  WHERE s.possible_sessions > 0 AND s.academic_year = p.academic_year
),
events AS (
  SELECT x.child, x.type, x.sessions, x.urn,
         CASE WHEN sc.in_authority THEN 'in authority' ELSE 'out of authority' END AS location
  FROM in_care x
  JOIN terms t ON x.start_date BETWEEN t.start_date AND t.end_date
  JOIN schools sc ON sc.urn = x.urn
  CROSS JOIN params p
  WHERE t.academic_year = p.academic_year
),
labelled AS (
  SELECT 1 AS b, 'phase' AS breakdown, CASE WHEN p.age <= 10 THEN 'primary' ELSE 'secondary' END AS "group", p.child,
         CAST(NULL AS VARCHAR) AS location, CAST(NULL AS VARCHAR) AS urn
  FROM pupils p
  UNION ALL
  SELECT 2, 'sen_status', CASE n.sen_status WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END, p.child,
         CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM pupils p LEFT JOIN sen n ON n.child = p.child AND n.academic_year = p.academic_year
  UNION ALL
  SELECT DISTINCT 3, 'school_location', concat('', s.location), s.child, s.location, CAST(NULL AS VARCHAR) FROM pupil_schools s
  UNION ALL
  SELECT 4, 'school', concat('', s.urn), s.child, CAST(NULL AS VARCHAR), s.urn FROM pupil_schools s
),
per_pupil AS (
  SELECT l.b, l.breakdown, l."group", l.child,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN 1 ELSE 0 END) AS suspensions,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN e.sessions ELSE 0 END) AS sessions_lost,
         sum(CASE WHEN e.type = 'permanent' THEN 1 ELSE 0 END) AS permanent
  FROM labelled l
  LEFT JOIN events e ON e.child = l.child AND (l.location IS NULL OR e.location = l.location)
   AND (l.urn IS NULL OR e.urn = l.urn)
  GROUP BY l.b, l.breakdown, l."group", l.child
),
all_per_pupil AS (
  SELECT b, breakdown, "group", child, suspensions, sessions_lost, permanent FROM per_pupil
)
SELECT p.academic_year, x.breakdown, x."group",
       count(*) AS pupils,
       sum(x.suspensions) AS suspensions,
       sum(CASE WHEN x.suspensions > 0 THEN 1 ELSE 0 END) AS pupils_suspended,
       sum(CASE WHEN x.suspensions > 1 THEN 1 ELSE 0 END) AS pupils_repeat,
       sum(x.sessions_lost) AS sessions_lost,
       100.0 * sum(x.suspensions) / count(*) AS suspension_rate,
       100.0 * sum(CASE WHEN x.suspensions > 0 THEN 1 ELSE 0 END) / count(*) AS one_plus_suspension_rate,
       100.0 * sum(CASE WHEN x.suspensions > 1 THEN 1 ELSE 0 END) / count(*) AS repeat_suspension_rate,
       sum(CASE WHEN x.permanent > 0 THEN 1 ELSE 0 END) AS permanent_exclusions,
       100.0 * sum(CASE WHEN x.permanent > 0 THEN 1 ELSE 0 END) / count(*) AS permanent_exclusion_rate
FROM all_per_pupil x CROSS JOIN params p
GROUP BY p.academic_year, x.b, x.breakdown, x."group"
ORDER BY x.b, x."group"
