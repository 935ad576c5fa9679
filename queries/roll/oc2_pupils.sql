-- ---
-- id = "roll/oc2_pupils"
-- version = 1
-- title = "Pupils in the OC2 cohort: on a school roll in the academic year"
-- description = "One row per child and academic year, up to the run's: children in the OC2 cohort for the year (looked after 12 months at 31 March, roll/oc2_cohort; domain.md section 1) who were on a school's roll (an enrolment at a mainstream school, special school or alternative provision overlapping the academic year, 1 September to 31 August) at some point in it, the pupils DfE finds in the school census for its national figures on the cohort. roll/oc2_sen and exclusions/oc2_by_year both count these pupils."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_cohort"]
-- level = "child"
-- ---
WITH years AS (
  SELECT academic_year, min(start_date) AS year_start, max(end_date) AS year_end
  FROM terms
  GROUP BY academic_year
)
SELECT DISTINCT k.academic_year, k.child, y.year_start, y.year_end
FROM roll.oc2_cohort k
JOIN years y ON y.academic_year = k.academic_year
JOIN enrolments en ON en.child = k.child
 AND en.provision IN ('mainstream', 'special', 'alternative_provision')
 AND en.start_date <= y.year_end AND (en.end_date IS NULL OR en.end_date >= y.year_start)
CROSS JOIN params p
WHERE k.academic_year <= p.academic_year
ORDER BY k.academic_year, k.child
