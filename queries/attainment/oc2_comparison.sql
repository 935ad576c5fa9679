-- ---
-- id = "attainment/oc2_comparison"
-- version = 1
-- title = "Results of the OC2 cohort against national children in care"
-- labels = { ks2_pupils = "KS2 pupils", ks2_rwm_expected_rate = "KS2 expected standard", national_cla_ks2_rwm = "National CLA KS2", ks4_pupils = "KS4 pupils", ks4_attainment8_mean = "KS4 Attainment 8", national_cla_attainment8 = "National CLA Attainment 8", ks4_basics_4plus_rate = "KS4 grade 4+ English and maths", national_cla_basics_4plus = "National CLA grade 4+" }
-- units = { ks4_attainment8_mean = "score", national_cla_attainment8 = "score" }
-- description = "The statutory results of children in the OC2 cohort for the year of the results (looked after 12 months at 31 March, roll/oc2_cohort; domain.md section 1), the population DfE's national CLA figures describe, so these are the figures to set beside them: KS2 reading, writing and maths at the expected standard, KS4 average Attainment 8 and grade 4 or above in English and maths (definitions as attainment/ks2_by_year and attainment/ks4_by_year, domain.md section 5), with the national CLA and all-pupil figures and the gap to national CLA."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_cohort"]
-- suppress = ["ks2_pupils", "ks2_achieved", "ks4_pupils", "basics_achieved"]
--
-- [[metric]]
-- id = "attainment.ks2_rwm_expected_rate"
-- label = "KS2 reading, writing and maths at the expected standard"
-- value = "ks2_rwm_expected_rate"
-- numerator = "ks2_achieved"
-- denominator = "ks2_pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "attainment.ks4_attainment8_mean"
-- label = "KS4 average Attainment 8"
-- value = "ks4_attainment8_mean"
-- denominator = "ks4_pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "mean"
-- better = "higher"
-- same_within = 5.0
--
-- [[metric]]
-- id = "attainment.ks4_basics_4plus_rate"
-- label = "KS4 grade 4 or above in English and maths"
-- value = "ks4_basics_4plus_rate"
-- numerator = "basics_achieved"
-- denominator = "ks4_pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- better = "higher"
-- ---
WITH years AS (
  SELECT DISTINCT t.academic_year FROM terms t CROSS JOIN params p WHERE t.academic_year <= p.academic_year
),
ks2 AS (
  SELECT r.academic_year, count(*) AS pupils,
         sum(CASE WHEN r.reading_score >= 100 AND r.maths_score >= 100 AND r.writing_ta IN ('EXS', 'GDS') THEN 1 ELSE 0 END) AS achieved
  FROM ks2_results r
  JOIN roll.oc2_cohort k ON k.child = r.child AND k.academic_year = r.academic_year
  GROUP BY r.academic_year
),
ks4 AS (
  SELECT r.academic_year, count(*) AS pupils,
         sum(CASE WHEN r.english_grade >= 4 AND r.maths_grade >= 4 THEN 1 ELSE 0 END) AS achieved,
         avg(r.attainment8) AS mean
  FROM ks4_results r
  JOIN roll.oc2_cohort k ON k.child = r.child AND k.academic_year = r.academic_year
  GROUP BY r.academic_year
)
SELECT y.academic_year, 'OC2 cohort' AS cohort,
       k2.pupils AS ks2_pupils, k2.achieved AS ks2_achieved,
       100.0 * k2.achieved / k2.pupils AS ks2_rwm_expected_rate,
       n2.value AS national_cla_ks2_rwm,
       k4.pupils AS ks4_pupils, k4.mean AS ks4_attainment8_mean,
       n8.value AS national_cla_attainment8,
       k4.achieved AS basics_achieved,
       100.0 * k4.achieved / k4.pupils AS ks4_basics_4plus_rate,
       n4.value AS national_cla_basics_4plus
FROM years y
LEFT JOIN ks2 k2 ON k2.academic_year = y.academic_year
LEFT JOIN ks4 k4 ON k4.academic_year = y.academic_year
LEFT JOIN benchmarks n2 ON n2.measure = 'attainment.ks2_rwm_expected_rate' AND n2.cohort = 'cla_12m' AND n2.academic_year = y.academic_year
LEFT JOIN benchmarks n8 ON n8.measure = 'attainment.ks4_attainment8_mean' AND n8.cohort = 'cla_12m' AND n8.academic_year = y.academic_year
LEFT JOIN benchmarks n4 ON n4.measure = 'attainment.ks4_basics_4plus_rate' AND n4.cohort = 'cla_12m' AND n4.academic_year = y.academic_year
WHERE k2.pupils IS NOT NULL OR k4.pupils IS NOT NULL
ORDER BY y.academic_year
