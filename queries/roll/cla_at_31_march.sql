-- ---
-- id = "roll/cla_at_31_march"
-- version = 1
-- title = "Children looked after at 31 March, beside DfE's published figure"
-- labels = { census_date = "31 March", children = "Children looked after", dfe_published = "DfE's published figure for the authority", dfe_symbol = "DfE symbol", difference = "Difference (ours minus DfE's)", england = "England" }
-- units = { difference = "count", england = "count" }
-- description = "Children looked after on 31 March of each collection year (SSDA903, 1 April to 31 March) whose 31 March falls on or before the end of the run's term, by the one definition of in care on a date (domain.md section 1, roll/care_periods): an episode covers 31 March (DECOM to DEC, both days included), short breaks (V3/V4) left out, care ending at 18. Beside it, DfE's published figure for this authority (Children looked after in England, `cla_number_and_rate_per_10k_children.csv`, through the comparators table; empty when la_code is not set in cohort.toml) and England's. A difference means the files hold a different set of children or episodes than the return DfE published (late or amended returns, children placed by another authority)."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["children"]
--
-- [[metric]]
-- id = "roll.children_looked_after"
-- value = "children"
-- time_period = "academic_year"
-- unit = "count"
-- label = "Children looked after at 31 March"
-- ---
WITH years AS (
  SELECT DISTINCT t.academic_year,
         make_date(CAST(substr(t.academic_year, 1, 4) AS INT) + 1, 3, 31) AS census_date
  FROM terms t
),
due AS (
  SELECT y.academic_year, y.census_date
  FROM years y
  CROSS JOIN params p
  WHERE y.census_date <= p.term_end
),
counted AS (
  SELECT d.academic_year, d.census_date, count(DISTINCT c.child) AS children
  FROM due d
  LEFT JOIN roll.care_periods c ON c.decom <= d.census_date AND c.end_date >= d.census_date
  GROUP BY d.academic_year, d.census_date
),
mine AS (
  SELECT c.academic_year, c.value, c.symbol
  FROM comparators c
  JOIN authority a ON c.old_la_code = a.la_code
  WHERE c.measure = 'roll.children_looked_after' AND c.geographic_level = 'Local authority'
),
england AS (
  SELECT academic_year, value
  FROM comparators
  WHERE measure = 'roll.children_looked_after' AND geographic_level = 'National'
)
SELECT k.academic_year, k.census_date, k.children,
       m.value AS dfe_published, m.symbol AS dfe_symbol,
       k.children - m.value AS difference,
       e.value AS england
FROM counted k
LEFT JOIN mine m ON m.academic_year = k.academic_year
LEFT JOIN england e ON e.academic_year = k.academic_year
ORDER BY k.academic_year
