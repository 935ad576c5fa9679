-- ---
-- id = "post16/eet_by_year"
-- version = 2
-- title = "Care leavers in education, employment or training"
-- description = "Care leavers as DfE counts them (roll/care_leavers: looked after for at least 13 weeks which began after the age of 14 and ended after the age of 16; a young person looked after only under short breaks is not one), leaving out, in numerator and denominator alike, those who died (REC E2), whose care was transferred to another authority (E3) or who returned home to parents (E4A, E4B, E13) at least 6 months before the collection year's 31 March, and those the OC3 return itself reports as died or returned home (IN_TOUCH DIED, RHOM) (domain.md section 1). Their main activity from the SSDA903 OC3 return, around their birthday in each collection year (reported as the academic year ending that March), by age on that birthday: 18, and 19 to 21 (the DfE headline). EET is any F or P activity code, NEET any G code; 'not known' covers young people the authority is not in touch with or whose activity is not recorded. Shares are of all care leavers of that age, as DfE publishes them (domain.md section 9: care leavers aged 19-21, 2024: EET 54%, NEET 39%)."
-- params = ["academic_year"]
-- depends_on = ["roll/care_leavers"]
-- suppress = ["care_leavers", "eet", "neet", "not_known", "in_touch"]
--
-- [[chart]]
-- type = "bar"
-- title = "Care leavers aged 19 to 21 not in education, employment or training"
-- x = "academic_year"
-- y = ["neet_rate"]
-- comparators = ["national_neet"]
-- y_label = "Care leavers aged 19 to 21 who are NEET, %"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "eet.neet_rate"
-- label = "Care leavers not in education, employment or training"
-- value = "neet_rate"
-- numerator = "neet"
-- denominator = "care_leavers"
-- time_period = "academic_year"
-- group = "age_group"
-- breakdown = "age_group"
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "eet.eet_rate"
-- label = "EET rate"
-- value = "eet_rate"
-- numerator = "eet"
-- denominator = "care_leavers"
-- time_period = "academic_year"
-- group = "age_group"
-- breakdown = "age_group"
-- unit = "percent"
-- better = "higher"
-- ---
WITH aged AS (
  SELECT concat(CAST(o.year - 1 AS VARCHAR), '-', substr(CAST(o.year AS VARCHAR), 3, 2)) AS academic_year,
         CAST(CASE WHEN extract(month FROM o.dob) >= 4 THEN o.year - 1 ELSE o.year END - extract(year FROM o.dob) AS BIGINT) AS age,
         o.in_touch, o.activ
  FROM oc3 o
  JOIN roll.care_leavers l ON l.child = o.child
  WHERE l.activity_exclusion IS NULL
    AND o.in_touch NOT IN ('DIED', 'RHOM')
    AND NOT (l.returned_home
             AND CAST(l.left_care + INTERVAL '6 months' AS DATE) <= make_date(CAST(o.year AS INT), 3, 31))
),
grouped AS (
  SELECT a.academic_year,
         CASE WHEN a.age BETWEEN 19 AND 21 THEN '19-21' ELSE CAST(a.age AS VARCHAR) END AS age_group,
         a.in_touch, a.activ
  FROM aged a CROSS JOIN params p
  WHERE a.age BETWEEN 17 AND 21 AND a.academic_year <= p.academic_year
),
per_year AS (
  SELECT academic_year, age_group, count(*) AS care_leavers,
         sum(CASE WHEN substr(activ, 1, 1) IN ('F', 'P') THEN 1 ELSE 0 END) AS eet,
         sum(CASE WHEN substr(activ, 1, 1) = 'G' THEN 1 ELSE 0 END) AS neet,
         sum(CASE WHEN activ IS NULL OR activ = '0' THEN 1 ELSE 0 END) AS not_known,
         sum(CASE WHEN in_touch = 'YES' THEN 1 ELSE 0 END) AS in_touch
  FROM grouped GROUP BY academic_year, age_group
)
SELECT y.academic_year, y.age_group, y.care_leavers, y.eet, y.neet, y.not_known, y.in_touch,
       100.0 * y.eet / y.care_leavers AS eet_rate,
       100.0 * y.neet / y.care_leavers AS neet_rate,
       100.0 * y.not_known / y.care_leavers AS not_known_rate,
       CASE WHEN y.age_group = '19-21' THEN n.value END AS national_neet
FROM per_year y
LEFT JOIN benchmarks n ON n.measure = 'eet.neet_rate' AND n.cohort = 'care_leavers_19_21' AND n.academic_year = y.academic_year
ORDER BY y.academic_year, y.age_group
