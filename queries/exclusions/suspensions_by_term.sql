-- ---
-- id = "exclusions/suspensions_by_term"
-- version = 4
-- title = "Suspensions and permanent exclusions by term"
-- labels = { suspension_rate = "Suspensions per 100 pupils", one_plus_suspension_rate = "Pupils with one or more suspensions", repeat_suspension_rate = "Pupils with two or more suspensions", permanent_exclusion_rate = "Permanently excluded", pupils_suspended = "Pupils suspended", pupils_repeat = "Pupils suspended twice or more", permanent_exclusions = "Permanent exclusions" }
-- units = { suspension_rate = "per_100" }
-- description = "DfE measures (domain.md section 4) for children in care of compulsory school age with attendance in the term, counting suspensions that started in the term while the child was looked after (roll/care_periods; so the terms of a year add up to the year): suspension rate = suspensions / pupils x 100 (a pupil may count several times; lunchtime suspensions included); one-or-more suspension rate = pupils with at least one / pupils x 100; permanent exclusion rate = pupils permanently excluded / pupils x 100; sessions lost to suspensions (lunchtime included, permanent exclusions not, as exclusions/suspensions_by_year counts them, so the terms of a year add up to the year)."
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- suppress = ["pupils", "suspensions", "pupils_suspended", "pupils_repeat", "permanent_exclusions"]
--
-- [[chart]]
-- type = "line"
-- title = "Suspensions per 100 pupils in care, by term"
-- x = "term"
-- y = ["suspension_rate"]
-- y_label = "Suspensions per 100 pupils"
-- x_label = "Term"
-- unit = "per_100"
--
-- [[chart]]
-- name = "pupils"
-- type = "line"
-- title = "Pupils in care with one or more suspensions, by term"
-- x = "term"
-- y = ["one_plus_suspension_rate"]
-- y_label = "Pupils, %"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "exclusions.suspension_rate"
-- label = "Suspensions per 100 pupils"
-- value = "suspension_rate"
-- numerator = "suspensions"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "per_100"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.one_plus_suspension_rate"
-- label = "Pupils with one or more suspensions"
-- value = "one_plus_suspension_rate"
-- numerator = "pupils_suspended"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.repeat_suspension_rate"
-- label = "Pupils with two or more suspensions"
-- value = "repeat_suspension_rate"
-- numerator = "pupils_repeat"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.permanent_exclusion_rate"
-- label = "Permanently excluded"
-- value = "permanent_exclusion_rate"
-- numerator = "permanent_exclusions"
-- denominator = "pupils"
-- time_period = "term"
-- unit = "percent"
-- better = "lower"
-- ---
WITH in_care AS (
  -- A suspension counts only while the child was looked after (roll/care_periods): one
  -- that starts after the child left care, or on short breaks only, counts in no term and no year.
  SELECT DISTINCT s.child, s.urn, s.start_date, s.type, s.sessions, s.reason_1, s.reason_2, s.reason_3
  FROM suspensions s
  JOIN roll.care_periods c ON c.child = s.child AND s.start_date >= c.decom AND s.start_date <= c.end_date
),
pupils AS (
  SELECT DISTINCT child, term, ordinal
  FROM attendance.sessions_by_term
  WHERE possible_sessions > 0
),
events AS (
  SELECT s.child, t.term, s.type, s.sessions
  FROM in_care s
  JOIN terms t ON s.start_date BETWEEN t.start_date AND t.end_date
),
per_pupil AS (
  SELECT p.term, p.ordinal, p.child,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN 1 ELSE 0 END) AS suspensions,
         sum(CASE WHEN e.type = 'permanent' THEN 1 ELSE 0 END) AS permanent,
         sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN e.sessions ELSE 0 END) AS sessions_lost
  FROM pupils p
  LEFT JOIN events e ON e.child = p.child AND e.term = p.term
  GROUP BY p.term, p.ordinal, p.child
)
SELECT term,
       count(*) AS pupils,
       sum(suspensions) AS suspensions,
       sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END) AS pupils_suspended,
       sum(CASE WHEN suspensions > 1 THEN 1 ELSE 0 END) AS pupils_repeat,
       sum(CASE WHEN permanent > 0 THEN 1 ELSE 0 END) AS permanent_exclusions,
       sum(sessions_lost) AS sessions_lost,
       100.0 * sum(suspensions) / count(*) AS suspension_rate,
       100.0 * sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END) / count(*) AS one_plus_suspension_rate,
       100.0 * sum(CASE WHEN suspensions > 1 THEN 1 ELSE 0 END) / count(*) AS repeat_suspension_rate,
       100.0 * sum(CASE WHEN permanent > 0 THEN 1 ELSE 0 END) / count(*) AS permanent_exclusion_rate
FROM per_pupil
GROUP BY term, ordinal
ORDER BY ordinal
