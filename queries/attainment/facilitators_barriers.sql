-- ---
-- id = "attainment/facilitators_barriers"
-- version = 3
-- title = "Facilitators and barriers to attainment"
-- labels = { n_with = "Children with it", rate_with = "Rate with", n_without = "Children without", rate_without = "Rate without", gap = "Gap", gap_lower = "Lower 95%", gap_upper = "Upper 95%", on_track_gap = "On-track gap", outcome = "Outcome", p_value = "p (unadjusted)", q_value = "q (false discovery rate)", finding = "Finding (false discovery rate 5%)", finding_unadjusted = "Finding from the interval alone" }
-- units = { rate_with = "percent", rate_without = "percent", gap = "pts", gap_lower = "pts", gap_upper = "pts", on_track_gap = "pts" }
-- description = "For each outcome and factor in attainment/factors: the outcome rate among children with the factor and without it, n in both groups, the gap in percentage points (with minus without) and its 95% confidence interval by Newcombe's hybrid score method (Newcombe 1998, method 10: Wilson score intervals for each rate, z = 1.96). With 14 factors and 3 outcomes, some 42 comparisons at 95% each would call about two factors by chance on data with no effect at all, so the false discovery rate is controlled over every comparison in the table (all outcomes and factors together, Benjamini and Hochberg 1995, at 5%): each gap has a two-sided p value from the pooled two-proportion score test (z = gap / sqrt(p(1-p)(1/n_with + 1/n_without)), p the pooled rate; the normal tail by Abramowitz and Stegun 26.2.17, error under 1e-7), ranked; q = min over the larger p values of p x m / rank, m the number of comparisons with 10 or more children each side. finding: a facilitator (gap above zero) or a barrier (gap below zero) only when q is 0.05 or less and the interval excludes zero; finding_unadjusted is the interval's call alone (the 95% interval shown is not adjusted). 'Too few to say' when either group has fewer than 10 children. Results years are pooled up to the run's year. Observational: a factor that goes with lower attainment is not shown to cause it."
-- params = ["term"]
-- depends_on = ["attainment/factors"]
-- suppress = ["n_with", "n_without", "achieved_with", "achieved_without"]
--
-- [[chart]]
-- name = "gap"
-- type = "h_bar"
-- title = "Gap in the outcome with each factor, with its 95% interval"
-- x = "factor"
-- y = ["gap"]
-- y_label = "Gap, percentage points (with the factor minus without)"
-- unit = "points"
-- forest = { lower = "gap_lower", upper = "gap_upper", colour_by = "finding", n = "n_with" }
--
-- [[chart]]
-- type = "h_bar"
-- title = "Gap in the on-track rate with each factor"
-- x = "factor"
-- y = ["on_track_gap"]
-- y_label = "Gap, percentage points (with the factor minus without)"
-- unit = "points"
-- ---
-- The factors as rows: attainment.factors crossed with this list, each row's flag picked by a
-- CASE, so the table is read once (not a UNION ALL of fourteen scans, on which Ballista 55's
-- static planner lost rows).
WITH factor_list (factor_order, factor) AS (
  VALUES (1, 'SEN support or EHC plan'),
    (2, '3 or more placements in the year'),
    (3, 'A school move after 1 October'),
    (4, 'Attendance below 90%'),
    (5, 'Attendance 90% to 95%'),
    (6, 'Attendance above 95%'),
    (7, 'In care under 1 year'),
    (8, 'In care 1 to 3 years'),
    (9, 'In care over 3 years'),
    (10, 'School outside the authority'),
    (11, 'SDQ 17 or more (concern)'),
    (12, 'Latest PEP rated green'),
    (13, 'Suspended in the year'),
    (14, 'Alternative provision')
),
flags AS (
  SELECT * FROM (
    SELECT a.outcome, k.factor_order, k.factor, CASE k.factor_order
             WHEN 1 THEN a.sen
             WHEN 2 THEN a.placements_3plus
             WHEN 3 THEN a.school_move
             WHEN 4 THEN a.attendance_below_90
             WHEN 5 THEN a.attendance_90_to_95
             WHEN 6 THEN a.attendance_above_95
             WHEN 7 THEN a.in_care_under_1_year
             WHEN 8 THEN a.in_care_1_to_3_years
             WHEN 9 THEN a.in_care_over_3_years
             WHEN 10 THEN a.school_out_of_authority
             WHEN 11 THEN a.sdq_concern
             WHEN 12 THEN a.pep_rated_green
             WHEN 13 THEN a.suspended
             WHEN 14 THEN a.alternative_provision
           END AS flag, a.achieved
    FROM attainment.factors a CROSS JOIN factor_list k
  ) x WHERE flag IS NOT NULL
),
counts AS (
  SELECT outcome, factor_order, factor,
         sum(flag) AS n_with,
         sum(flag * achieved) AS achieved_with,
         sum(1 - flag) AS n_without,
         sum((1 - flag) * achieved) AS achieved_without
  FROM flags
  GROUP BY outcome, factor_order, factor
),
rates AS (
  SELECT *,
         CAST(achieved_with AS DOUBLE) / nullif(n_with, 0) AS p1,
         CAST(achieved_without AS DOUBLE) / nullif(n_without, 0) AS p2
  FROM counts
),
wilson AS (
  SELECT *,
         (p1 + 1.96 * 1.96 / (2 * n_with) - 1.96 * sqrt(p1 * (1 - p1) / n_with + 1.96 * 1.96 / (4.0 * n_with * n_with))) / (1 + 1.96 * 1.96 / n_with) AS l1,
         (p1 + 1.96 * 1.96 / (2 * n_with) + 1.96 * sqrt(p1 * (1 - p1) / n_with + 1.96 * 1.96 / (4.0 * n_with * n_with))) / (1 + 1.96 * 1.96 / n_with) AS u1,
         (p2 + 1.96 * 1.96 / (2 * n_without) - 1.96 * sqrt(p2 * (1 - p2) / n_without + 1.96 * 1.96 / (4.0 * n_without * n_without))) / (1 + 1.96 * 1.96 / n_without) AS l2,
         (p2 + 1.96 * 1.96 / (2 * n_without) + 1.96 * sqrt(p2 * (1 - p2) / n_without + 1.96 * 1.96 / (4.0 * n_without * n_without))) / (1 + 1.96 * 1.96 / n_without) AS u2
  FROM rates
),
gaps AS (
  SELECT outcome, factor_order, factor, n_with, achieved_with, n_without, achieved_without,
         100.0 * p1 AS rate_with,
         100.0 * p2 AS rate_without,
         100.0 * (p1 - p2) AS gap,
         100.0 * (p1 - p2 - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2))) AS gap_lower,
         100.0 * (p1 - p2 + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2))) AS gap_upper
  FROM wilson
),
tested AS (
  SELECT *,
         CAST(achieved_with + achieved_without AS DOUBLE) / (n_with + n_without) AS pooled
  FROM gaps
  WHERE n_with >= 10 AND n_without >= 10
),
scored AS (
  SELECT outcome, factor_order,
         CASE WHEN pooled <= 0 OR pooled >= 1 THEN 0.0
              ELSE abs(gap / 100.0) / sqrt(pooled * (1 - pooled) * (1.0 / n_with + 1.0 / n_without)) END AS z
  FROM tested
),
tails AS (
  SELECT outcome, factor_order, z, 1.0 / (1.0 + 0.2316419 * z) AS t
  FROM scored
),
p_values AS (
  SELECT outcome, factor_order,
         CASE WHEN z = 0 THEN 1.0
              ELSE 2.0 * exp(-z * z / 2.0) / sqrt(2.0 * pi())
                   * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
         END AS p_value
  FROM tails
),
ranked AS (
  SELECT outcome, factor_order, p_value,
         row_number() OVER (ORDER BY p_value, outcome, factor_order) AS p_rank,
         count(*) OVER () AS m
  FROM p_values
),
adjusted AS (
  SELECT outcome, factor_order, p_value,
         min(CASE WHEN p_value * m / p_rank > 1.0 THEN 1.0 ELSE p_value * m / p_rank END)
           OVER (ORDER BY p_value DESC, outcome DESC, factor_order DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS q_value
  FROM ranked
),
called AS (
  SELECT g.*, a.p_value, a.q_value,
         CASE WHEN g.n_with < 10 OR g.n_without < 10 THEN 'too few to say'
              WHEN g.gap_lower > 0 THEN 'facilitator'
              WHEN g.gap_upper < 0 THEN 'barrier'
              ELSE 'no clear difference' END AS finding_unadjusted
  FROM gaps g
  LEFT JOIN adjusted a ON a.outcome = g.outcome AND a.factor_order = g.factor_order
)
SELECT outcome, factor, n_with, achieved_with, rate_with, n_without, achieved_without, rate_without,
       CASE WHEN n_with < 10 OR n_without < 10 THEN NULL ELSE gap END AS gap,
       CASE WHEN n_with < 10 OR n_without < 10 THEN NULL ELSE gap_lower END AS gap_lower,
       CASE WHEN n_with < 10 OR n_without < 10 THEN NULL ELSE gap_upper END AS gap_upper,
       p_value, q_value,
       CASE WHEN finding_unadjusted IN ('facilitator', 'barrier') AND q_value <= 0.05 THEN finding_unadjusted
            WHEN finding_unadjusted = 'too few to say' THEN 'too few to say'
            ELSE 'no clear difference' END AS finding,
       finding_unadjusted,
       CASE WHEN outcome = 'On track at the latest term' AND n_with >= 10 AND n_without >= 10 THEN gap END AS on_track_gap
FROM called
ORDER BY outcome, factor_order
