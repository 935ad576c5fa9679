-- ---
-- id = "roll/by_cohort"
-- version = 1
-- title = "Children and young people the Virtual School serves, by cohort"
-- description = "On the last day of the term (domain.md section 1): children looked after (an open SSDA903 episode, short breaks V3/V4 excluded); children previously in care and children with a social worker (and, from September 2024, in kinship care) from the wider cohort table, a membership open that day; care leavers, young people aged 18 to 25 that day who were looked after on or after their 16th birthday and are not looked after now. A child can be in more than one cohort."
-- params = ["term"]
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Children and young people by cohort"
-- x = "cohort"
-- y = ["children"]
-- y_label = "Children and young people"
-- unit = "count"
--
-- [[metric]]
-- id = "roll.children"
-- value = "children"
-- time_period = "term"
-- group = "cohort"
-- unit = "count"
-- ---
WITH members AS (
  SELECT child, 1 AS k FROM roll.cla_at_term_end
  UNION ALL
  SELECT w.child, CASE w.cohort WHEN 'CPIC' THEN 2 WHEN 'CWSW' THEN 3 ELSE 4 END
  FROM wider_cohort w CROSS JOIN params p
  WHERE w.start_date <= p.term_end AND (w.end_date IS NULL OR w.end_date >= p.term_end)
  UNION ALL
  SELECT h.child, 5
  FROM header h
  JOIN episodes e ON e.child = h.child AND e.ls NOT IN ('V3', 'V4')
  CROSS JOIN params p
  WHERE (e.dec IS NULL OR e.dec >= h.dob + INTERVAL '16 years')
    AND h.dob + INTERVAL '18 years' <= p.term_end
    AND h.dob + INTERVAL '26 years' > p.term_end
    AND h.child NOT IN (SELECT child FROM roll.cla_at_term_end)
),
counts AS (
  SELECT k, count(DISTINCT child) AS children FROM members GROUP BY k
),
cohorts (k, cohort) AS (
  VALUES (1, 'Children looked after'), (2, 'Previously in care'), (3, 'With a social worker'),
         (4, 'In kinship care'), (5, 'Care leavers aged 18 to 25')
)
SELECT p.term, c.cohort, CAST(coalesce(n.children, 0) AS BIGINT) AS children
FROM cohorts c
CROSS JOIN params p
LEFT JOIN counts n ON n.k = c.k
ORDER BY c.k
