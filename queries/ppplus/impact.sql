-- ---
-- id = "ppplus/impact"
-- version = 5
-- title = "PP+ and progress and attendance: change against children not funded"
-- labels = { measure = "Measure", funded = "Children funded", funded_change = "Change, funded", comparison = "Children not funded", comparison_change = "Change, not funded", difference = "Difference", difference_lower = "Lower 95%", difference_upper = "Upper 95%", cost_per_child = "Spend per child", cost_per_point = "Spend per point gained" }
-- units = { funded_change = "pts", comparison_change = "pts", difference = "pts", difference_lower = "pts", difference_upper = "pts", cost_per_child = "pounds", cost_per_point = "pounds" }
-- description = "Both groups are drawn from the children eligible for PP+ in the term compared (t), as domain.md section 7 defines them: looked after on some day of the term (a period of roll/care_periods overlapping it, the one definition of being in care, so not a child on short breaks only, one who has left care or one not yet in care) and aged 4 to 15 on 31 August at the start of its academic year; and both are counted as children, not child-terms: each funded child once in a group (at the first term they were funded in it), each comparison child once (the mean of their changes over the terms the group was funded in), so n is children, the 10-or-more rule counts children and the interval treats each child as one observation. For each intervention type and EEF tier, children in care with an approved PP+ request in a term (t) and a measure both the term before (t-1) and the term after (t+1): their on-track rate (share of their subject judgements on track, progress table) and their attendance (present sessions of possible, attendance/sessions_by_term). The change from t-1 to t+1 is set against the change for children measured in the same terms with no approved request from t-3 to t+1 (a difference in differences, in percentage points; funded children with another approved request in the three terms before t are left out, so that earlier funding does not colour the change), with n in both groups, a 95% interval (normal approximation: the difference of means plus or minus 1.96 times the square root of var/n summed over both groups), cost per child (approved amount over children funded) and, where the funded children's measure clearly rose more (the whole interval above zero, 10 or more children each side), the cost per point gained (spend per child over the difference in points; left empty otherwise, as a cost of no clear change means nothing). Fewer than 10 children in either group: too few to say. By academic year of t and for all years. Observational: children are not funded at random, so an association, not proof that the spending caused the change (domain.md section 7)."
-- params = ["term"]
-- depends_on = ["ppplus/changes"]
-- suppress = ["funded", "comparison"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Change in on-track rate after PP+ funding, against children not funded (all years)"
-- x = "group"
-- y = ["difference"]
-- y_label = "Difference in differences, percentage points"
-- unit = "points"
-- ---
WITH changes AS (
  SELECT measure, child, t, change FROM ppplus.changes
),
approved AS (
  SELECT r.child, t.ordinal, t.academic_year, r.intervention, concat('Tier ', r.eef_tier) AS tier, r.amount
  FROM pp_plus r JOIN terms t ON t.term = r.term
  WHERE r.status = 'approved'
),
funded_terms AS (
  SELECT c.measure, a.academic_year, a.intervention, a.tier, c.child, c.t, c.change, sum(a.amount) AS amount
  FROM approved a
  JOIN changes c ON c.child = a.child AND c.t = a.ordinal
  WHERE NOT EXISTS (
    SELECT 1 FROM approved e WHERE e.child = a.child AND e.ordinal BETWEEN a.ordinal - 3 AND a.ordinal - 1
  )
  GROUP BY c.measure, a.academic_year, a.intervention, a.tier, c.child, c.t, c.change
),
unfunded AS (
  SELECT c.measure, c.child, c.t, c.change
  FROM changes c
  WHERE NOT EXISTS (
    SELECT 1 FROM approved a WHERE a.child = c.child AND a.ordinal BETWEEN c.t - 3 AND c.t + 1
  )
),
group_terms AS (
  SELECT measure, academic_year, 'intervention' AS breakdown, intervention AS "group", child, t, change, amount FROM funded_terms
  UNION ALL
  SELECT measure, academic_year, 'eef_tier', tier, child, t, change, amount FROM funded_terms
  UNION ALL
  SELECT measure, 'all years', 'intervention', intervention, child, t, change, amount FROM funded_terms
  UNION ALL
  SELECT measure, 'all years', 'eef_tier', tier, child, t, change, amount FROM funded_terms
),
first_funded AS (
  -- Each funded child once in a group: the change after the first term funded in it, and
  -- everything approved for them in the group.
  SELECT measure, academic_year, breakdown, "group", child, min(t) AS first_t, sum(amount) AS amount
  FROM group_terms
  GROUP BY measure, academic_year, breakdown, "group", child
),
funded_children AS (
  SELECT f.measure, f.academic_year, f.breakdown, f."group", f.child, g.change, f.amount
  FROM first_funded f
  JOIN group_terms g ON g.measure = f.measure AND g.academic_year = f.academic_year AND g.breakdown = f.breakdown
   AND g."group" = f."group" AND g.child = f.child AND g.t = f.first_t
),
comparison_children AS (
  -- Each comparison child once in a group: the mean of their changes over the group's terms.
  SELECT g.measure, g.academic_year, g.breakdown, g."group", u.child, avg(u.change) AS change
  FROM (SELECT DISTINCT measure, academic_year, breakdown, "group", t FROM group_terms) g
  JOIN unfunded u ON u.measure = g.measure AND u.t = g.t
  GROUP BY g.measure, g.academic_year, g.breakdown, g."group", u.child
),
funded_stats AS (
  SELECT measure, academic_year, breakdown, "group",
         count(*) AS funded, avg(change) AS funded_change,
         coalesce(var_samp(change), 0) AS funded_var,
         sum(amount) / count(*) AS cost_per_child
  FROM funded_children GROUP BY measure, academic_year, breakdown, "group"
),
comparison_stats AS (
  SELECT measure, academic_year, breakdown, "group",
         count(*) AS comparison, avg(change) AS comparison_change,
         coalesce(var_samp(change), 0) AS comparison_var
  FROM comparison_children
  GROUP BY measure, academic_year, breakdown, "group"
),
compared AS (
  SELECT f.*, coalesce(c.comparison, 0) AS comparison, c.comparison_change,
         f.funded_change - c.comparison_change AS difference,
         1.96 * sqrt(f.funded_var / f.funded + c.comparison_var / c.comparison) AS margin
  FROM funded_stats f
  LEFT JOIN comparison_stats c ON c.measure = f.measure AND c.academic_year = f.academic_year
   AND c.breakdown = f.breakdown AND c."group" = f."group"
)
SELECT academic_year, breakdown, "group", funded, funded_change, comparison, comparison_change,
       difference, difference - margin AS difference_lower, difference + margin AS difference_upper,
       cost_per_child,
       CASE WHEN funded >= 10 AND comparison >= 10 AND difference - margin > 0
            THEN cost_per_child / difference END AS cost_per_point,
       CASE WHEN funded < 10 OR comparison < 10 THEN 'too few to say'
            WHEN difference - margin > 0 THEN concat(measure, ' rose more than for children not funded')
            WHEN difference + margin < 0 THEN concat(measure, ' rose less than for children not funded')
            ELSE 'no clear difference' END AS finding,
       measure
FROM compared
ORDER BY measure DESC, CASE WHEN academic_year = 'all years' THEN 1 ELSE 0 END, academic_year, breakdown, "group"
