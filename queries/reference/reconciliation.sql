-- ---
-- id = "reference/reconciliation"
-- version = 5
-- title = "Our figures for past years beside the authority's own DfE-published figures"
-- description = "For each past academic year, the figure cohort computed for the OC2 cohort (children looked after 12 months at 31 March: attendance/absence_by_year on the pupil basis, attainment/oc2_comparison) beside the authority's own figure as DfE published it (reference/la_comparators), with the pupils each counts and the gap. A gap has three usual causes, named in `explanation`: different pupils (DfE matches the 903 to the school census; cohort uses the authority's own enrolments), a different basis (DfE's absence covers six half terms of compulsory school age pupils) and coverage (a year cohort holds only in part). Only figures on 10 or more of our pupils are reconciled: smaller ones are not published."
-- depends_on = ["reference/la_comparators", "attendance/absence_by_year", "attainment/oc2_comparison"]
-- suppress = ["cohort_pupils"]
-- restates = { metric = "measure", time_period = "academic_year", breakdown = "cohort", value = "cohort_value", denominator = "cohort_pupils", derived = ["difference"] }
-- units = { cohort_value = "one_decimal", dfe_value = "one_decimal", difference = "one_decimal" }
-- ---
WITH ours AS (
  -- Each of our figures DfE publishes, one row per measure: a table of measures crossed with
  -- the year's row, not a UNION ALL of a branch per measure: one scan of each result, and
  -- Ballista 55's static planner lost rows of the eight-branch union.
  SELECT a.academic_year, m.measure,
         CASE m.measure
           WHEN 'attendance.overall_absence_rate' THEN a.overall_absence_rate
           WHEN 'attendance.authorised_absence_rate' THEN a.authorised_absence_rate
           WHEN 'attendance.unauthorised_absence_rate' THEN a.unauthorised_absence_rate
           WHEN 'attendance.persistent_absence_rate' THEN a.persistent_absence_rate
           WHEN 'attendance.severe_absence_rate' THEN a.severe_absence_rate
         END AS value,
         a.pupils, 'attendance.pupils' AS pupils_measure
  FROM attendance.absence_by_year a
  CROSS JOIN (VALUES ('attendance.overall_absence_rate'), ('attendance.authorised_absence_rate'),
                     ('attendance.unauthorised_absence_rate'), ('attendance.persistent_absence_rate'),
                     ('attendance.severe_absence_rate')) m (measure)
  WHERE a.breakdown = 'cohort'
  UNION ALL
  SELECT c.academic_year, m.measure,
         CASE m.measure
           WHEN 'attainment.ks2_rwm_expected_rate' THEN c.ks2_rwm_expected_rate
           WHEN 'attainment.ks4_attainment8_mean' THEN c.ks4_attainment8_mean
           WHEN 'attainment.ks4_basics_4plus_rate' THEN c.ks4_basics_4plus_rate
         END,
         CASE WHEN m.measure LIKE 'attainment.ks2%' THEN c.ks2_pupils ELSE c.ks4_pupils END,
         CASE WHEN m.measure LIKE 'attainment.ks2%' THEN 'attainment.ks2_pupils' ELSE 'attainment.ks4_pupils' END
  FROM attainment.oc2_comparison c
  CROSS JOIN (VALUES ('attainment.ks2_rwm_expected_rate'), ('attainment.ks4_attainment8_mean'),
                     ('attainment.ks4_basics_4plus_rate')) m (measure)
  WHERE (CASE WHEN m.measure LIKE 'attainment.ks2%' THEN c.ks2_pupils ELSE c.ks4_pupils END) IS NOT NULL
)
SELECT o.academic_year, o.measure, d.label, d.unit,
       o.pupils AS cohort_pupils, CAST(p.la_value AS BIGINT) AS dfe_pupils,
       o.value AS cohort_value, d.la_value AS dfe_value, d.la_symbol AS dfe_symbol,
       o.value - d.la_value AS difference,
       CASE
         WHEN d.la_value IS NULL AND d.la_symbol IS NOT NULL
           THEN concat('DfE printed ', d.la_symbol, ' in place of this figure, so there is nothing to set ours beside')
         WHEN p.la_value IS NOT NULL AND o.pupils <> p.la_value
           THEN concat('pupils differ: cohort counts ', CAST(o.pupils AS VARCHAR), ', DfE ', CAST(CAST(p.la_value AS BIGINT) AS VARCHAR),
                       CASE WHEN o.measure LIKE 'attendance.%' THEN '; DfE counts six half terms of pupils of compulsory school age matched to the school census' ELSE '; DfE matches the 903 to the national pupil database' END)
         WHEN o.measure LIKE 'attendance.%'
           THEN 'same pupils; DfE counts six half terms of pupils of compulsory school age matched to the school census'
         ELSE 'same pupils'
       END AS explanation,
       d.source_file, d.version
FROM ours o
JOIN reference.la_comparators d ON d.measure = o.measure AND d.academic_year = o.academic_year AND d.cohort = 'cla_12m'
LEFT JOIN reference.la_comparators p ON p.measure = o.pupils_measure AND p.academic_year = o.academic_year AND p.cohort = 'cla_12m'
-- A figure on fewer than 10 of our pupils is not published (domain.md section 10), so it is not reconciled.
WHERE o.pupils >= 10
ORDER BY o.academic_year, o.measure
