-- ---
-- id = "ppplus/impact_attendance"
-- version = 1
-- title = "PP+ and attendance: change in attendance against children not funded"
-- description = "For each intervention type and EEF tier, children in care with an approved PP+ request in a term (t) and possible sessions both the term before (t-1) and the term after (t+1): the change in their attendance (present sessions as a share of possible sessions, attendance/sessions_by_term, all schools) from t-1 to t+1, against the change for children with judgements in the same terms and no approved request from t-3 to t+1 (a difference in differences; funded children with another approved request in the three terms before t are left out, so that earlier funding does not colour the change, in percentage points), with n in both groups, a 95% interval (normal approximation: the difference of means plus or minus 1.96 times the square root of var/n summed over both groups), and cost per child (approved amount over children funded). Fewer than 10 children in either group: too few to say. By academic year of t and for all years. Observational: children are not funded at random, so an association, not proof that the spending caused the change (domain.md section 7)."
-- params = ["term"]
-- depends_on = ["attendance/sessions_by_term"]
-- suppress = ["funded", "comparison"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Change in attendance after PP+ funding, against children not funded (all years)"
-- x = "group"
-- y = ["difference"]
-- y_label = "Difference in differences, percentage points"
-- unit = "points"
-- ---
WITH on_track AS (
  SELECT s.child, s.ordinal, s.academic_year,
         100.0 * sum(s.present_sessions) / sum(s.possible_sessions) AS rate
  FROM attendance.sessions_by_term s
  GROUP BY s.child, s.ordinal, s.academic_year
  HAVING sum(s.possible_sessions) > 0
),
changes AS (
  SELECT b.child, b.ordinal + 1 AS t, a.rate - b.rate AS change
  FROM on_track b
  JOIN on_track a ON a.child = b.child AND a.ordinal = b.ordinal + 2
),
approved AS (
  SELECT r.child, t.ordinal, t.academic_year, r.intervention, concat('Tier ', r.eef_tier) AS tier, r.amount
  FROM pp_plus r JOIN terms t ON t.term = r.term
  WHERE r.status = 'approved'
),
funded AS (
  SELECT a.academic_year, a.intervention, a.tier, c.child, c.t, c.change, sum(a.amount) AS amount
  FROM approved a
  JOIN changes c ON c.child = a.child AND c.t = a.ordinal
  WHERE NOT EXISTS (
    SELECT 1 FROM approved e WHERE e.child = a.child AND e.ordinal BETWEEN a.ordinal - 3 AND a.ordinal - 1
  )
  GROUP BY a.academic_year, a.intervention, a.tier, c.child, c.t, c.change
),
unfunded AS (
  SELECT c.child, c.t, c.change
  FROM changes c
  WHERE NOT EXISTS (
    SELECT 1 FROM approved a WHERE a.child = c.child AND a.ordinal BETWEEN c.t - 3 AND c.t + 1
  )
),
groups AS (
  SELECT academic_year, 'intervention' AS breakdown, intervention AS "group", child, t, change, amount FROM funded
  UNION ALL
  SELECT academic_year, 'eef_tier', tier, child, t, change, amount FROM funded
  UNION ALL
  SELECT 'all years', 'intervention', intervention, child, t, change, amount FROM funded
  UNION ALL
  SELECT 'all years', 'eef_tier', tier, child, t, change, amount FROM funded
),
funded_stats AS (
  SELECT academic_year, breakdown, "group",
         count(*) AS funded, avg(change) AS funded_change,
         coalesce(var_samp(change), 0) AS funded_var,
         sum(amount) / count(DISTINCT child) AS cost_per_child
  FROM groups GROUP BY academic_year, breakdown, "group"
),
comparison_stats AS (
  SELECT g.academic_year, g.breakdown, g."group",
         count(*) AS comparison, avg(u.change) AS comparison_change,
         coalesce(var_samp(u.change), 0) AS comparison_var
  FROM (SELECT DISTINCT academic_year, breakdown, "group", t FROM groups) g
  JOIN unfunded u ON u.t = g.t
  GROUP BY g.academic_year, g.breakdown, g."group"
)
SELECT f.academic_year, f.breakdown, f."group", f.funded, f.funded_change,
       coalesce(c.comparison, 0) AS comparison, c.comparison_change,
       f.funded_change - c.comparison_change AS difference,
       f.funded_change - c.comparison_change - 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) AS difference_lower,
       f.funded_change - c.comparison_change + 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) AS difference_upper,
       f.cost_per_child,
       CASE WHEN f.funded < 10 OR coalesce(c.comparison, 0) < 10 THEN 'too few to say'
            WHEN f.funded_change - c.comparison_change - 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) > 0 THEN 'attendance rose more than for children not funded'
            WHEN f.funded_change - c.comparison_change + 1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) < 0 THEN 'attendance rose less than for children not funded'
            ELSE 'no clear difference' END AS finding
FROM funded_stats f
LEFT JOIN comparison_stats c ON c.academic_year = f.academic_year AND c.breakdown = f.breakdown AND c."group" = f."group"
ORDER BY CASE WHEN f.academic_year = 'all years' THEN 1 ELSE 0 END, f.academic_year, f.breakdown, f."group"
