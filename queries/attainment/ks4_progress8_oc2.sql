-- ---
-- id = "attainment/ks4_progress8_oc2"
-- version = 1
-- title = "KS4 Progress 8 of the OC2 cohort, against national children in care"
-- labels = { ks4_pupils = "KS4 pupils in the OC2 cohort", pupils_with_prior_attainment = "Pupils with a Progress 8 score", progress8_mean = "Progress 8 (average)", status = "Published", national_cla_progress8 = "National CLA Progress 8", national_status = "National figure" }
-- units = { progress8_mean = "score", national_cla_progress8 = "score" }
-- description = "Progress 8 (domain.md section 5: each pupil's Attainment 8 against pupils nationally with the same KS2 prior attainment; 0 is average) for children in the OC2 cohort in the year of their KS4 results (looked after 12 months at 31 March, roll/oc2_cohort), averaged over the pupils who have a score, that is whose prior attainment exists; KS4 pupils without one are counted beside it. DfE does not publish Progress 8 for 2024/25 (these pupils sat no KS2 tests), nor for a year whose national CLA figure DfE marks x (not available: 2019/20 and 2020/21): those years show 'not published' and no figure, as DfE does. Beside each year, DfE's national figure for children looked after 12 months (ks4_la.csv, avg_p8score, through the comparators table)."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_cohort"]
-- suppress = ["ks4_pupils", "pupils_with_prior_attainment"]
--
-- [[metric]]
-- id = "attainment.ks4_progress8_mean"
-- value = "progress8_mean"
-- denominator = "pupils_with_prior_attainment"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "mean"
-- better = "higher"
-- same_within = 0.5
-- label = "KS4 Progress 8"
-- ---
WITH ks4 AS (
  SELECT r.academic_year, count(*) AS ks4_pupils,
         count(r.progress8) AS with_p8,
         avg(r.progress8) AS p8_mean
  FROM ks4_results r
  JOIN roll.oc2_cohort k ON k.child = r.child AND k.academic_year = r.academic_year
  CROSS JOIN params p
  WHERE r.academic_year <= p.academic_year
  GROUP BY r.academic_year
),
national AS (
  SELECT academic_year, value, symbol
  FROM comparators
  WHERE measure = 'attainment.ks4_progress8_mean' AND cohort = 'cla_12m' AND geographic_level = 'National'
),
judged AS (
  SELECT k.*, n.value AS national_value, n.symbol AS national_symbol,
         CASE WHEN k.academic_year = '2024-25' OR n.symbol = 'x' THEN true ELSE false END AS not_published
  FROM ks4 k
  LEFT JOIN national n ON n.academic_year = k.academic_year
)
SELECT academic_year, 'OC2 cohort' AS cohort, ks4_pupils,
       CASE WHEN not_published THEN NULL ELSE with_p8 END AS pupils_with_prior_attainment,
       CASE WHEN not_published THEN NULL ELSE p8_mean END AS progress8_mean,
       CASE WHEN not_published THEN 'not published'
            WHEN with_p8 = 0 THEN 'no pupil with prior attainment'
            ELSE 'published' END AS status,
       CASE WHEN not_published THEN NULL ELSE national_value END AS national_cla_progress8,
       CASE WHEN not_published THEN 'not published'
            WHEN national_value IS NULL THEN 'not available'
            ELSE 'published' END AS national_status
FROM judged
ORDER BY academic_year
