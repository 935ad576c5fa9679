-- ---
-- id = "exclusions/suspensions_by_year"
-- version = 2
-- title = "Suspensions and permanent exclusions by academic year"
-- labels = { suspension_rate = "Suspensions per 100 pupils", one_plus_suspension_rate = "Pupils with one or more suspensions", repeat_suspension_rate = "Pupils with two or more suspensions", permanent_exclusion_rate = "Permanently excluded", pupils_suspended = "Pupils suspended", pupils_repeat = "Pupils suspended twice or more", permanent_exclusions = "Permanent exclusions", sessions_lost_per_pupil_suspended = "Sessions lost per pupil suspended" }
-- units = { suspension_rate = "per_100", sessions_lost_per_pupil_suspended = "mean" }
-- description = "Pupils in care with possible sessions at any point in the academic year (attendance/sessions_by_term: looked after, compulsory school age) and their suspensions and permanent exclusions starting that year while they were looked after (roll/care_periods; one after the child left care counts in no year and no term), as domain.md section 4 defines: suspensions per 100 pupils (a pupil can count several times; a lunchtime suspension counts), the share with one or more suspensions, with two or more (repeat), permanently excluded, and sessions lost per pupil suspended. National CLA: 9.8% with one or more (2020/21)."
-- params = ["academic_year"]
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- suppress = ["pupils", "suspensions", "pupils_suspended", "pupils_repeat", "permanent_exclusions"]
--
-- [[chart]]
-- type = "bar"
-- title = "Pupils in care with one or more suspensions, by year"
-- x = "academic_year"
-- y = ["one_plus_suspension_rate", "repeat_suspension_rate"]
-- y_label = "Pupils in care, %"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "exclusions.suspension_rate"
-- label = "Suspensions per 100 pupils"
-- value = "suspension_rate"
-- numerator = "suspensions"
-- denominator = "pupils"
-- time_period = "academic_year"
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
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.sessions_lost_per_pupil_suspended"
-- label = "Sessions lost per pupil suspended"
-- value = "sessions_lost_per_pupil_suspended"
-- denominator = "pupils_suspended"
-- time_period = "academic_year"
-- unit = "mean"
-- better = "lower"
-- same_within = 1.0
-- ---
WITH in_care AS (
  -- A suspension counts only while the child was looked after (roll/care_periods): one
  -- that starts after the child left care, or on short breaks only, counts in no term and no year.
  SELECT DISTINCT s.child, s.urn, s.start_date, s.type, s.sessions, s.reason_1, s.reason_2, s.reason_3
  FROM suspensions s
  JOIN roll.care_periods c ON c.child = s.child AND s.start_date >= c.decom AND s.start_date <= c.end_date
),
pupils AS (
  SELECT DISTINCT child, academic_year
  FROM attendance.sessions_by_term
  WHERE possible_sessions > 0
),
events AS (
  SELECT s.child, t.academic_year, s.type, s.sessions
  FROM in_care s
  JOIN terms t ON s.start_date BETWEEN t.start_date AND t.end_date
),
per_pupil AS (
  SELECT p.academic_year, p.child,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN 1 ELSE 0 END) AS suspensions,
         sum(CASE WHEN e.type = 'permanent' THEN 1 ELSE 0 END) AS permanent,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN e.sessions ELSE 0 END) AS sessions_lost
  FROM pupils p
  LEFT JOIN events e ON e.child = p.child AND e.academic_year = p.academic_year
  GROUP BY p.academic_year, p.child
)
SELECT academic_year,
       count(*) AS pupils,
       sum(suspensions) AS suspensions,
       sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END) AS pupils_suspended,
       sum(CASE WHEN suspensions > 1 THEN 1 ELSE 0 END) AS pupils_repeat,
       sum(CASE WHEN permanent > 0 THEN 1 ELSE 0 END) AS permanent_exclusions,
       sum(sessions_lost) AS sessions_lost,
       100.0 * sum(suspensions) / count(*) AS suspension_rate,
       100.0 * sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END) / count(*) AS one_plus_suspension_rate,
       100.0 * sum(CASE WHEN suspensions > 1 THEN 1 ELSE 0 END) / count(*) AS repeat_suspension_rate,
       100.0 * sum(CASE WHEN permanent > 0 THEN 1 ELSE 0 END) / count(*) AS permanent_exclusion_rate,
       CAST(sum(sessions_lost) AS DOUBLE) / nullif(sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END), 0) AS sessions_lost_per_pupil_suspended
FROM per_pupil
GROUP BY academic_year
ORDER BY academic_year
