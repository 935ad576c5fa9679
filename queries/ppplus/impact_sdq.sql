-- ---
-- id = "ppplus/impact_sdq"
-- version = 2
-- title = "PP+ and wellbeing: change in SDQ scores against children not funded"
-- description = "Both groups are drawn from the children eligible for PP+ in the year compared (Y): looked after on some day of the academic year (a period of roll/care_periods overlapping it, the one definition of being in care, so not a child on short breaks only, one who has left care or one not yet in care) and aged 4 to 15 on 31 August at its start (domain.md sections 1 and 7), each child once in each group. For each intervention type and EEF tier, children with an approved PP+ request in an academic year (Y) and none the year before, and an SDQ total score both in the year before (Y-1) and the year after (Y+1) (sdq table; SDQs are yearly, domain.md section 8): the change in their score from Y-1 to Y+1 (a fall is an improvement), against the change for children with scores in the same years and no approved request in Y-1, Y or Y+1 (a difference in differences in points, with a 95% interval from the normal approximation, n in both groups and cost per child). Fewer than 10 children in either group: too few to say. Observational: an association, not proof of cause."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["funded", "comparison"]
-- ---
WITH years AS (
  SELECT academic_year, CAST(row_number() OVER (ORDER BY academic_year) AS BIGINT) AS y,
         year_start, year_end
  FROM (SELECT academic_year, min(start_date) AS year_start, max(end_date) AS year_end FROM terms GROUP BY academic_year)
),
eligible AS (
  -- PP+ eligibility in year y (domain.md section 7): looked after on some day of the year
  -- (roll/care_periods) and aged 4 to 15 on 31 August at its start.
  SELECT DISTINCT c.child, y.y
  FROM roll.care_periods c
  JOIN years y ON c.decom <= y.year_end AND c.end_date >= y.year_start
  JOIN header h ON h.child = c.child
  WHERE extract(year FROM y.year_start) - extract(year FROM h.dob)
        - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END BETWEEN 4 AND 15
),
scores AS (
  SELECT q.child, y.y, avg(q.total_score) AS score
  FROM sdq q
  JOIN terms t ON q.assessment_date BETWEEN t.start_date AND t.end_date
  JOIN years y ON y.academic_year = t.academic_year
  CROSS JOIN params p
  WHERE q.total_score IS NOT NULL AND q.assessment_date <= p.term_end
  GROUP BY q.child, y.y
),
changes AS (
  SELECT b.child, b.y + 1 AS y, a.score - b.score AS change
  FROM scores b
  JOIN scores a ON a.child = b.child AND a.y = b.y + 2
  JOIN eligible e ON e.child = b.child AND e.y = b.y + 1
),
approved AS (
  SELECT r.child, y.y, y.academic_year, r.intervention, concat('Tier ', r.eef_tier) AS tier, r.amount
  FROM pp_plus r
  JOIN terms t ON t.term = r.term
  JOIN years y ON y.academic_year = t.academic_year
  WHERE r.status = 'approved'
),
funded AS (
  SELECT a.academic_year, a.intervention, a.tier, c.child, c.y, c.change, sum(a.amount) AS amount
  FROM approved a
  JOIN changes c ON c.child = a.child AND c.y = a.y
  WHERE NOT EXISTS (SELECT 1 FROM approved e WHERE e.child = a.child AND e.y = a.y - 1)
  GROUP BY a.academic_year, a.intervention, a.tier, c.child, c.y, c.change
),
unfunded AS (
  SELECT c.child, c.y, c.change FROM changes c
  WHERE NOT EXISTS (SELECT 1 FROM approved a WHERE a.child = c.child AND a.y BETWEEN c.y - 1 AND c.y + 1)
),
groups AS (
  SELECT academic_year, 'intervention' AS breakdown, intervention AS "group", child, y, change, amount FROM funded
  UNION ALL SELECT academic_year, 'eef_tier', tier, child, y, change, amount FROM funded
),
funded_stats AS (
  SELECT academic_year, breakdown, "group", count(*) AS funded, avg(change) AS funded_change,
         coalesce(var_samp(change), 0) AS funded_var, sum(amount) / count(DISTINCT child) AS cost_per_child
  FROM groups GROUP BY academic_year, breakdown, "group"
),
comparison_stats AS (
  SELECT g.academic_year, g.breakdown, g."group", count(*) AS comparison, avg(u.change) AS comparison_change,
         coalesce(var_samp(u.change), 0) AS comparison_var
  FROM (SELECT DISTINCT academic_year, breakdown, "group", y FROM groups) g
  JOIN unfunded u ON u.y = g.y
  GROUP BY g.academic_year, g.breakdown, g."group"
)
SELECT f.academic_year, f.breakdown, f."group", f.funded, f.funded_change,
       coalesce(c.comparison, 0) AS comparison, c.comparison_change,
       f.funded_change - c.comparison_change AS difference,
       f.funded_change - c.comparison_change - 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) AS difference_lower,
       f.funded_change - c.comparison_change + 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) AS difference_upper,
       f.cost_per_child,
       CASE WHEN f.funded < 10 OR coalesce(c.comparison, 0) < 10 THEN 'too few to say'
            WHEN f.funded_change - c.comparison_change + 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) < 0 THEN 'scores fell more than for children not funded'
            WHEN f.funded_change - c.comparison_change - 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) > 0 THEN 'scores fell less than for children not funded'
            ELSE 'no clear difference' END AS finding
FROM funded_stats f
LEFT JOIN comparison_stats c ON c.academic_year = f.academic_year AND c.breakdown = f.breakdown AND c."group" = f."group"
ORDER BY f.academic_year, f.breakdown, f."group"
