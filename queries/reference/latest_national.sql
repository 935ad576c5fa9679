-- ---
-- id = "reference/latest_national"
-- version = 1
-- title = "DfE's latest national figure for each academic year"
-- labels = { national_year = "Year of the national figure" }
-- description = "For each academic year of the calendar (the terms table), each population (cohort) and each measure of cohort's benchmarks, DfE's latest national figure published for that year or before, with its year (national_year): what an analysis sets beside a year whose own national figure DfE has not published yet (domain.md section 9). Two rows of benchmarks for one measure, year and population would both be the figure, and the larger is taken. roll/oc2_sen and exclusions/oc2_by_year read it."
-- ---
WITH years AS (
  SELECT DISTINCT academic_year FROM terms
),
published AS (
  SELECT measure, cohort, academic_year, max(value) AS value
  FROM benchmarks
  GROUP BY measure, cohort, academic_year
),
ranked AS (
  SELECT y.academic_year, p.cohort, p.measure, p.academic_year AS national_year, p.value,
         row_number() OVER (PARTITION BY y.academic_year, p.cohort, p.measure ORDER BY p.academic_year DESC) AS k
  FROM years y
  JOIN published p ON p.academic_year <= y.academic_year
)
SELECT academic_year, cohort, measure, national_year, value
FROM ranked
WHERE k = 1
ORDER BY academic_year, cohort, measure
