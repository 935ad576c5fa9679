-- ---
-- id = "exclusions/oc2_by_year"
-- version = 4
-- title = "Suspensions and permanent exclusions of the OC2 cohort, against DfE's CLA figures"
-- labels = { pupils = "Pupils in the OC2 cohort", pupils_suspended = "Pupils suspended", one_plus_suspension_rate = "Pupils with one or more suspensions", suspensions = "Suspensions", suspension_rate = "Suspensions per 100 pupils", pupils_excluded = "Pupils permanently excluded", permanent_exclusion_rate = "Permanently excluded", national_one_plus_suspension_rate = "National CLA, one or more suspensions", national_permanent_exclusion_rate = "National CLA, permanently excluded", national_year = "Year of the national figure" }
-- units = { suspension_rate = "per_100" }
-- description = "Suspensions and permanent exclusions on DfE's basis for its national CLA figures (domain.md sections 1 and 4): children in the OC2 cohort for the academic year (looked after 12 months at 31 March, roll/oc2_cohort) who were on a school's roll (mainstream, special or alternative provision) at some point in that year (roll/oc2_pupils), and every suspension and permanent exclusion of theirs starting in the academic year, whatever their care status on the day (a cohort child who left care in May still has the summer's suspensions counted). The share with one or more suspensions (lunchtime ones count), suspensions per 100 pupils and the share permanently excluded. A year in which neither the attendance feed nor the suspensions file holds any record is left out (the data does not cover it: not known, not zero). Beside each year, DfE's latest national figure for children looked after 12 months for that year or before, with its year (cohort's benchmarks hold 2020/21: 9.8% and 0.03%)."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_pupils", "reference/latest_national", "attendance/days"]
-- suppress = ["pupils", "pupils_suspended", "suspensions", "pupils_excluded"]
--
-- [[metric]]
-- id = "exclusions.one_plus_suspension_rate"
-- label = "Pupils with one or more suspensions"
-- value = "one_plus_suspension_rate"
-- numerator = "pupils_suspended"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "exclusions.permanent_exclusion_rate"
-- label = "Permanently excluded"
-- value = "permanent_exclusion_rate"
-- numerator = "pupils_excluded"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- better = "lower"
-- ---
WITH covered AS (
  -- The academic years the school data covers: a year with no attendance mark and no
  -- suspension for anyone is not known, so it is left out rather than shown as 0.
  SELECT DISTINCT t.academic_year
  FROM terms t
  WHERE EXISTS (SELECT 1 FROM attendance.days a WHERE a.ordinal = t.ordinal)
     OR EXISTS (SELECT 1 FROM suspensions s WHERE s.start_date BETWEEN t.start_date AND t.end_date)
),
pupils AS (
  SELECT k.academic_year, k.child, k.year_start, k.year_end
  FROM roll.oc2_pupils k
  JOIN covered c ON c.academic_year = k.academic_year
),
events AS (
  SELECT p.academic_year, p.child, s.type
  FROM pupils p
  JOIN suspensions s ON s.child = p.child AND s.start_date >= p.year_start AND s.start_date <= p.year_end
),
per_pupil AS (
  SELECT p.academic_year, p.child,
         coalesce(sum(CASE WHEN e.type IN ('suspension', 'lunchtime') THEN 1 ELSE 0 END), 0) AS suspensions,
         coalesce(sum(CASE WHEN e.type = 'permanent' THEN 1 ELSE 0 END), 0) AS permanent
  FROM pupils p
  LEFT JOIN events e ON e.academic_year = p.academic_year AND e.child = p.child
  GROUP BY p.academic_year, p.child
),
counted AS (
  SELECT academic_year,
         count(*) AS pupils,
         sum(CASE WHEN suspensions > 0 THEN 1 ELSE 0 END) AS pupils_suspended,
         sum(suspensions) AS suspensions,
         sum(CASE WHEN permanent > 0 THEN 1 ELSE 0 END) AS pupils_excluded
  FROM per_pupil
  GROUP BY academic_year
),
national AS (
  -- DfE's latest year at or before this one with either figure, and its figures of that
  -- year (reference/latest_national holds each measure's latest on its own).
  SELECT academic_year, national_year,
         max(CASE WHEN measure = 'exclusions.one_plus_suspension_rate' THEN value END) AS one_plus,
         max(CASE WHEN measure = 'exclusions.permanent_exclusion_rate' THEN value END) AS permanent
  FROM (
    SELECT l.*, max(l.national_year) OVER (PARTITION BY l.academic_year) AS latest
    FROM reference.latest_national l
    WHERE l.cohort = 'cla_12m' AND l.measure IN ('exclusions.one_plus_suspension_rate', 'exclusions.permanent_exclusion_rate')
  ) figures
  WHERE national_year = latest
  GROUP BY academic_year, national_year
)
SELECT c.academic_year, 'OC2 cohort' AS cohort, c.pupils,
       c.pupils_suspended, 100.0 * c.pupils_suspended / c.pupils AS one_plus_suspension_rate,
       c.suspensions, 100.0 * c.suspensions / c.pupils AS suspension_rate,
       c.pupils_excluded, 100.0 * c.pupils_excluded / c.pupils AS permanent_exclusion_rate,
       n.one_plus AS national_one_plus_suspension_rate,
       n.permanent AS national_permanent_exclusion_rate,
       n.national_year
FROM counted c
LEFT JOIN national n ON n.academic_year = c.academic_year
ORDER BY c.academic_year
