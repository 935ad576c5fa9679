-- ---
-- id = "attainment/ks4_by_year"
-- version = 2
-- title = "Key stage 4 results by year"
-- labels = { attainment8_mean = "Average Attainment 8", basics_4plus_rate = "Grade 4+ in English and maths", basics_5plus_rate = "Grade 5+ in English and maths", national_cla_basics_4plus = "National CLA, grade 4+", national_cla_attainment8 = "National CLA Attainment 8", all_pupils_attainment8 = "All pupils Attainment 8" }
-- units = { attainment8_mean = "score", national_cla_attainment8 = "score", all_pupils_attainment8 = "score", basics_4plus_rate = "percent", basics_5plus_rate = "percent", national_cla_basics_4plus = "percent" }
-- description = "Children with KS4 results each year up to the run's who were looked after during that academic year (a period of roll/care_periods overlapping 1 September to 31 August: not short breaks only, not a child whose care ended before the year): mean Attainment 8 (maximum 90), and grade 4 or above (standard pass) and 5 or above (strong pass) in both English and maths (domain.md section 5). National figures: DfE, CLA 12 months and all pupils."
-- params = ["academic_year"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["pupils", "basics_4plus", "basics_5plus"]
--
-- [[chart]]
-- type = "bar"
-- title = "KS4: average Attainment 8"
-- x = "academic_year"
-- y = ["attainment8_mean"]
-- comparators = ["national_cla_attainment8", "all_pupils_attainment8"]
-- y_label = "Attainment 8 score (maximum 90)"
-- x_label = "Academic year"
-- unit = "mean"
--
-- [[metric]]
-- id = "attainment.ks4_attainment8_mean"
-- value = "attainment8_mean"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "mean"
--
-- [[metric]]
-- id = "attainment.ks4_basics_4plus_rate"
-- value = "basics_4plus_rate"
-- numerator = "basics_4plus"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
--
-- [[metric]]
-- id = "attainment.ks4_basics_5plus_rate"
-- value = "basics_5plus_rate"
-- numerator = "basics_5plus"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- ---
WITH looked_after AS (
  -- Looked after at some point in the result's academic year (1 September to 31 August):
  -- a period of roll/care_periods overlapping it, so short breaks only and care that ended
  -- before the year (adopted, special guardianship, returned home) do not count.
  SELECT DISTINCT r.child, r.academic_year
  FROM ks4_results r
  JOIN roll.care_periods c ON c.child = r.child
   AND c.decom <= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 8, 31)
   AND c.end_date >= make_date(CAST(substr(r.academic_year, 1, 4) AS INT), 9, 1)
),
per_year AS (
  SELECT r.academic_year,
         count(*) AS pupils,
         avg(r.attainment8) AS attainment8_mean,
         sum(CASE WHEN r.english_grade >= 4 AND r.maths_grade >= 4 THEN 1 ELSE 0 END) AS basics_4plus,
         sum(CASE WHEN r.english_grade >= 5 AND r.maths_grade >= 5 THEN 1 ELSE 0 END) AS basics_5plus
  FROM ks4_results r
  JOIN looked_after l ON l.child = r.child AND l.academic_year = r.academic_year
  CROSS JOIN params p
  WHERE r.academic_year <= p.academic_year
  GROUP BY r.academic_year
)
SELECT y.academic_year, y.pupils, y.attainment8_mean, y.basics_4plus, y.basics_5plus,
       100.0 * y.basics_4plus / y.pupils AS basics_4plus_rate,
       100.0 * y.basics_5plus / y.pupils AS basics_5plus_rate,
       n.value AS national_cla_attainment8,
       a.value AS all_pupils_attainment8,
       n4.value AS national_cla_basics_4plus
FROM per_year y
LEFT JOIN benchmarks n ON n.measure = 'attainment.ks4_attainment8_mean' AND n.cohort = 'cla_12m' AND n.academic_year = y.academic_year
LEFT JOIN benchmarks a ON a.measure = 'attainment.ks4_attainment8_mean' AND a.cohort = 'all_pupils' AND a.academic_year = y.academic_year
LEFT JOIN benchmarks n4 ON n4.measure = 'attainment.ks4_basics_4plus_rate' AND n4.cohort = 'cla_12m' AND n4.academic_year = y.academic_year
ORDER BY y.academic_year
