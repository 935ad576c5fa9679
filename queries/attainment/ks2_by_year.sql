-- ---
-- id = "attainment/ks2_by_year"
-- version = 3
-- title = "Key stage 2 results by year"
-- labels = { rwm_expected_rate = "Reading, writing and maths at the expected standard", rwm_higher_rate = "At the higher standard", all_pupils = "All pupils" }
-- units = { rwm_expected_rate = "percent", rwm_higher_rate = "percent", all_pupils = "percent" }
-- description = "Children with KS2 results each year up to the run's who were looked after at the KS2 tests (a period of roll/care_periods covering some day of May of that year, when the tests are sat: not a child on short breaks only, and not a child adopted, under special guardianship or returned home before the tests, who is previously in care at the tests, nor one who entered care after May; domain.md section 1): expected standard in reading, writing and maths combined (reading and maths scaled scores 100 or more, writing EXS or GDS) and the higher standard (110 or more and GDS), as DfE defines them (domain.md section 5). A pupil without a score counts as not meeting the standard. These are all children in care at the tests, however long they had been looked after, so the figure is not DfE's national figure for children looked after 12 months at 31 March and is never set beside it: the OC2 cohort's own figure is, in attainment/oc2_comparison. The all-pupil figure (DfE) is shown for context."
-- params = ["academic_year"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["pupils", "rwm_expected", "rwm_higher"]
--
-- [[chart]]
-- type = "bar"
-- title = "KS2: reading, writing and maths at the expected standard"
-- x = "academic_year"
-- y = ["rwm_expected_rate"]
-- comparators = ["all_pupils"]
-- y_label = "Pupils meeting the expected standard, %"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "attainment.ks2_rwm_expected_rate"
-- label = "KS2 reading, writing and maths at the expected standard"
-- value = "rwm_expected_rate"
-- numerator = "rwm_expected"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "attainment.ks2_rwm_higher_rate"
-- label = "KS2 reading, writing and maths at the higher standard"
-- value = "rwm_higher_rate"
-- numerator = "rwm_higher"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
-- ---
WITH looked_after AS (
  -- Looked after at the KS2 tests (roll/care_periods): a period covering some day of May of
  -- the result's academic year, when the tests and exams are sat. A child adopted, under
  -- special guardianship or returned home before then is previously in care at the tests,
  -- one entering care after May was not yet in care, and a child on short breaks only was
  -- never looked after.
  SELECT DISTINCT r.child, r.academic_year
  FROM ks2_results r
  JOIN roll.care_periods c ON c.child = r.child
   AND c.decom <= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 5, 31)
   AND c.end_date >= make_date(CAST(CAST(substr(r.academic_year, 1, 4) AS BIGINT) + 1 AS INT), 5, 1)
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
       a.value AS all_pupils
FROM per_year y
LEFT JOIN benchmarks a ON a.measure = 'attainment.ks2_rwm_expected_rate' AND a.cohort = 'all_pupils' AND a.academic_year = y.academic_year
ORDER BY y.academic_year
