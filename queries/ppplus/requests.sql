-- ---
-- id = "ppplus/requests"
-- version = 2
-- title = "PP+ requests up to the run's term, by breakdown"
-- description = "One row per Pupil Premium Plus request of a term up to the run's (domain.md section 7) and breakdown: all requests, the request's EEF tier and its intervention type, with the term's order and the financial year (1 April to 31 March, the grant's year) the term falls in: the autumn term (September to December) in the one starting that April, the spring term (January to Easter) in the one ending that March, the summer term (Easter to July) in the one starting that April. ppplus/spend_by_term counts them by term and ppplus/spend_by_financial_year by financial year, so both count the same requests."
-- params = ["term"]
-- level = "child"
-- ---
WITH requests AS (
  SELECT r.child, r.term, r.amount, r.status, r.pep_target, r.eef_tier, r.intervention, t.ordinal,
         CAST(extract(year FROM t.start_date) AS BIGINT) - CASE WHEN t.season = 'spring' THEN 1 ELSE 0 END AS fy_start
  FROM pp_plus r
  JOIN terms t ON t.term = r.term
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
)
SELECT b, breakdown, "group", term, ordinal, fy_start,
       concat(CAST(fy_start AS VARCHAR), '-', substr(CAST(fy_start + 1 AS VARCHAR), 3, 2)) AS financial_year,
       child, amount, status, pep_target
FROM (
  SELECT 1 AS b, 'all' AS breakdown, 'all' AS "group", r.* FROM requests r
  UNION ALL SELECT 2, 'eef_tier', concat('Tier ', r.eef_tier), r.* FROM requests r
  UNION ALL SELECT 3, 'intervention', concat('', r.intervention), r.* FROM requests r
) stacked
-- Every column, so that rows tied on the first four (a child's requests in one term) come
-- out in one order on every run: the file's bytes must not depend on the engine's partitions.
ORDER BY ordinal, b, "group", child, amount, status, pep_target
