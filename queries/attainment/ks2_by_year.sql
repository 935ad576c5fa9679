-- ---
-- id = "attainment/ks2_by_year"
-- version = 2
-- title = "Key stage 2 results by year"
-- labels = { rwm_expected_rate = "Reading, writing and maths at the expected standard", rwm_higher_rate = "At the higher standard", national_cla = "National CLA", all_pupils = "All pupils" }
-- units = { rwm_expected_rate = "percent", rwm_higher_rate = "percent", national_cla = "percent", all_pupils = "percent" }
-- description = "Children with KS2 results each year up to the run's who were looked after during that academic year (a period of roll/care_periods overlapping 1 September to 31 August: not short breaks only, not a child whose care ended before the year): expected standard in reading, writing and maths combined (reading and maths scaled scores 100 or more, writing EXS or GDS) and the higher standard (110 or more and GDS), as DfE defines them (domain.md section 5). A pupil without a score counts as not meeting the standard. National figures: DfE, CLA 12 months and all pupils."
-- params = ["academic_year"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["pupils", "rwm_expected", "rwm_higher"]
--
-- [[chart]]
-- type = "bar"
-- title = "KS2: reading, writing and maths at the expected standard"
-- x = "academic_year"
-- y = ["rwm_expected_rate"]
-- comparators = ["national_cla", "all_pupils"]
-- y_label = "Pupils meeting the expected standard, %"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "attainment.ks2_rwm_expected_rate"
-- value = "rwm_expected_rate"
-- numerator = "rwm_expected"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
--
-- [[metric]]
-- id = "attainment.ks2_rwm_higher_rate"
-- value = "rwm_higher_rate"
-- numerator = "rwm_higher"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- ---
WITH looked_after AS (
  -- Looked after at some point in the result's academic year (1 September to 31 August):
  -- a period of roll/care_periods overlapping it, so short breaks only and care that ended
  -- before the year (adopted, special guardianship, returned home) do not count.
  SELECT DISTINCT r.child, r.academic_year
  FROM ks2_results r
  JOIN roll.care_periods c ON c.child = r.child
   AND c.decom <= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 8, 31)
   AND c.end_date >= make_date(CAST(substr(r.academic_year, 1, 4) AS INT), 9, 1)
),
scored AS (
  SELECT r.academic_year,
         CASE WHEN r.reading_score >= 100 AND r.maths_score >= 100 AND r.writing_ta IN ('EXS', 'GDS') THEN 1 ELSE 0 END AS expected,
         CASE WHEN r.reading_score >= 110 AND r.maths_score >= 110 AND r.writing_ta = 'GDS' THEN 1 ELSE 0 END AS higher
  FROM ks2_results r
  JOIN looked_after l ON l.child = r.child AND l.academic_year = r.academic_year
  CROSS JOIN params p
  WHERE r.academic_year <= p.academic_year
),
per_year AS (
  SELECT academic_year, count(*) AS pupils, sum(expected) AS rwm_expected, sum(higher) AS rwm_higher
  FROM scored
  GROUP BY academic_year
)
SELECT y.academic_year, y.pupils, y.rwm_expected, y.rwm_higher,
       100.0 * y.rwm_expected / y.pupils AS rwm_expected_rate,
       100.0 * y.rwm_higher / y.pupils AS rwm_higher_rate,
       n.value AS national_cla,
       a.value AS all_pupils
FROM per_year y
LEFT JOIN benchmarks n ON n.measure = 'attainment.ks2_rwm_expected_rate' AND n.cohort = 'cla_12m' AND n.academic_year = y.academic_year
LEFT JOIN benchmarks a ON a.measure = 'attainment.ks2_rwm_expected_rate' AND a.cohort = 'all_pupils' AND a.academic_year = y.academic_year
ORDER BY y.academic_year
