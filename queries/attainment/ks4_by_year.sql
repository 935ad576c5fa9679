-- ---
-- id = "attainment/ks4_by_year"
-- version = 3
-- title = "Key stage 4 results by year"
-- labels = { attainment8_mean = "Average Attainment 8", basics_4plus_rate = "Grade 4+ in English and maths", basics_5plus_rate = "Grade 5+ in English and maths", all_pupils_attainment8 = "All pupils Attainment 8" }
-- units = { attainment8_mean = "score", all_pupils_attainment8 = "score", basics_4plus_rate = "percent", basics_5plus_rate = "percent" }
-- description = "Children with KS4 results each year up to the run's who were looked after at the KS4 exams (a period of roll/care_periods covering some day of May of that year, when the exams begin: not a child on short breaks only, and not a child adopted, under special guardianship or returned home before the exams, who is previously in care at the exams, nor one who entered care after May; domain.md section 1): mean Attainment 8 (maximum 90), and grade 4 or above (standard pass) and 5 or above (strong pass) in both English and maths (domain.md section 5). These are all children in care at the exams, however long they had been looked after, so the figures are not DfE's national figures for children looked after 12 months at 31 March and are never set beside them: the OC2 cohort's own figures are, in attainment/oc2_comparison. The all-pupil Attainment 8 (DfE) is shown for context."
-- params = ["academic_year"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["pupils", "basics_4plus", "basics_5plus"]
--
-- [[chart]]
-- type = "bar"
-- title = "KS4: average Attainment 8"
-- x = "academic_year"
-- y = ["attainment8_mean"]
-- comparators = ["all_pupils_attainment8"]
-- y_label = "Attainment 8 score (maximum 90)"
-- x_label = "Academic year"
-- unit = "mean"
--
-- [[metric]]
-- id = "attainment.ks4_attainment8_mean"
-- label = "KS4 average Attainment 8"
-- value = "attainment8_mean"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "mean"
-- better = "higher"
-- same_within = 5.0
--
-- [[metric]]
-- id = "attainment.ks4_basics_4plus_rate"
-- label = "KS4 grade 4 or above in English and maths"
-- value = "basics_4plus_rate"
-- numerator = "basics_4plus"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "attainment.ks4_basics_5plus_rate"
-- label = "KS4 grade 5 or above in English and maths"
-- value = "basics_5plus_rate"
-- numerator = "basics_5plus"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
-- ---
WITH looked_after AS (
  -- Looked after at the KS4 exams (roll/care_periods): a period covering some day of May of
  -- the result's academic year, when the tests and exams are sat. A child adopted, under
  -- special guardianship or returned home before then is previously in care at the tests,
  -- one entering care after May was not yet in care, and a child on short breaks only was
  -- never looked after.
  SELECT DISTINCT r.child, r.academic_year
  FROM ks4_results r
  JOIN roll.care_periods c ON c.child = r.child
   AND c.decom <= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 5, 31)
   AND c.end_date >= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 5, 1)
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
       a.value AS all_pupils_attainment8
FROM per_year y
LEFT JOIN benchmarks a ON a.measure = 'attainment.ks4_attainment8_mean' AND a.cohort = 'all_pupils' AND a.academic_year = y.academic_year
ORDER BY y.academic_year
