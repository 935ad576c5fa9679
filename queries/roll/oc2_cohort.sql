-- ---
-- id = "roll/oc2_cohort"
-- version = 2
-- title = "The OC2 cohort: looked after 12 months at 31 March"
-- description = "One row per child and collection year in the OC2 cohort, the population DfE's national outcome figures use (domain.md section 1): looked after continuously for at least 12 months at 31 March. Operationally, for the year 1 April to 31 March: the child has an episode overlapping the year, and no episode in the year starts with RNE = S, ends with a REC other than X1, or has legal status V3 or V4, and the child is under 18 on 31 March (care ends at 18: an episode left open for someone who turned 18 does not keep them in the cohort). The collection year is the calendar year of its 31 March; academic_year is the academic year it ends in (2025 is 2024-25)."
-- level = "child"
-- ---
WITH years AS (
  SELECT DISTINCT academic_year, CAST(substr(academic_year, 1, 4) AS BIGINT) + 1 AS collection_year
  FROM terms
),
bounds AS (
  SELECT academic_year, collection_year,
         make_date(CAST(collection_year - 1 AS INT), 4, 1) AS year_start,
         make_date(CAST(collection_year AS INT), 3, 31) AS year_end
  FROM years
)
SELECT e.child, b.collection_year, b.academic_year
FROM episodes e
JOIN header h ON h.child = e.child
JOIN bounds b ON e.decom <= b.year_end AND (e.dec IS NULL OR e.dec >= b.year_start)
GROUP BY e.child, b.collection_year, b.academic_year
HAVING sum(CASE WHEN (e.rne = 'S' AND e.decom >= b.year_start)
                  OR (e.dec IS NOT NULL AND e.dec <= b.year_end AND e.rec <> 'X1')
                  OR e.ls IN ('V3', 'V4')
                  OR CAST(h.dob + INTERVAL '18 years' AS DATE) <= b.year_end
                THEN 1 ELSE 0 END) = 0
ORDER BY b.collection_year, e.child
