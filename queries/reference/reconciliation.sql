-- ---
-- id = "reference/reconciliation"
-- version = 4
-- title = "Our figures for past years beside the authority's own DfE-published figures"
-- description = "For each past academic year, the figure cohort computed for the OC2 cohort (children looked after 12 months at 31 March: attendance/absence_by_year on the pupil basis, attainment/oc2_comparison) beside the authority's own figure as DfE published it (reference/la_comparators), with the pupils each counts and the gap. A gap has three usual causes, named in `explanation`: different pupils (DfE matches the 903 to the school census; cohort uses the authority's own enrolments), a different basis (DfE's absence covers six half terms of compulsory school age pupils) and coverage (a year cohort holds only in part). Only figures on 10 or more of our pupils are reconciled: smaller ones are not published."
-- depends_on = ["reference/la_comparators", "attendance/absence_by_year", "attainment/oc2_comparison"]
-- suppress = ["cohort_pupils"]
-- restates = { metric = "measure", time_period = "academic_year", breakdown = "cohort", value = "cohort_value", denominator = "cohort_pupils", derived = ["difference"] }
-- units = { cohort_value = "one_decimal", dfe_value = "one_decimal", difference = "one_decimal" }
-- ---
WITH ours AS (
  SELECT academic_year, 'attendance.overall_absence_rate' AS measure, overall_absence_rate AS value, pupils, 'attendance.pupils' AS pupils_measure
  FROM attendance.absence_by_year WHERE breakdown = 'cohort'
  UNION ALL
  SELECT academic_year, 'attendance.authorised_absence_rate', authorised_absence_rate, pupils, 'attendance.pupils'
  FROM attendance.absence_by_year WHERE breakdown = 'cohort'
  UNION ALL
  SELECT academic_year, 'attendance.unauthorised_absence_rate', unauthorised_absence_rate, pupils, 'attendance.pupils'
  FROM attendance.absence_by_year WHERE breakdown = 'cohort'
  UNION ALL
  SELECT academic_year, 'attendance.persistent_absence_rate', persistent_absence_rate, pupils, 'attendance.pupils'
  FROM attendance.absence_by_year WHERE breakdown = 'cohort'
  UNION ALL
  SELECT academic_year, 'attendance.severe_absence_rate', severe_absence_rate, pupils, 'attendance.pupils'
  FROM attendance.absence_by_year WHERE breakdown = 'cohort'
  UNION ALL
  SELECT academic_year, 'attainment.ks2_rwm_expected_rate', ks2_rwm_expected_rate, ks2_pupils, 'attainment.ks2_pupils'
  FROM attainment.oc2_comparison WHERE ks2_pupils IS NOT NULL
  UNION ALL
  SELECT academic_year, 'attainment.ks4_attainment8_mean', ks4_attainment8_mean, ks4_pupils, 'attainment.ks4_pupils'
  FROM attainment.oc2_comparison WHERE ks4_pupils IS NOT NULL
  UNION ALL
  SELECT academic_year, 'attainment.ks4_basics_4plus_rate', ks4_basics_4plus_rate, ks4_pupils, 'attainment.ks4_pupils'
  FROM attainment.oc2_comparison WHERE ks4_pupils IS NOT NULL
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
