-- ---
-- id = "roll/by_cohort"
-- version = 4
-- title = "Children and young people the Virtual School serves, by cohort"
-- description = "On the last day of the term (domain.md section 1): children looked after (roll/cla_at_term_end, the one definition of being in care: short breaks V3/V4 excluded, care ending at 18); children previously in care, from the wider cohort table, a membership open that day; children with a social worker, as the Virtual School Head's role for them is defined: with a social worker that day or at any time in the 6 years before it (a membership open on some day from 6 years before to that day), not only those open on the day; children in kinship care, a membership open that day, counted from 1 September 2024 when the role began (none before); care leavers aged 18 to 25 that day, as DfE defines care leavers (roll/care_leavers: looked after for at least 13 weeks which began after the age of 14 and ended after the age of 16) and not looked after now. A child can be in more than one cohort. A cohort the wider cohort file does not record at all (no kinship rows, say) is empty (not recorded), never 0."
-- params = ["term"]
-- depends_on = ["roll/cla_at_term_end", "roll/care_leavers"]
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
-- label = "Children in care on roll"
-- value = "children"
-- time_period = "term"
-- group = "cohort"
-- unit = "count"
-- ---
WITH members AS (
  SELECT child, 1 AS k FROM roll.cla_at_term_end
  UNION ALL
  SELECT w.child, 2
  FROM wider_cohort w CROSS JOIN params p
  WHERE w.cohort = 'CPIC' AND w.start_date <= p.term_end AND (w.end_date IS NULL OR w.end_date >= p.term_end)
  UNION ALL
  -- With a social worker that day or in the 6 years before it (domain.md section 1).
  SELECT w.child, 3
  FROM wider_cohort w CROSS JOIN params p
  WHERE w.cohort = 'CWSW' AND w.start_date <= p.term_end
    AND (w.end_date IS NULL OR w.end_date >= CAST(p.term_end - INTERVAL '6 years' AS DATE))
  UNION ALL
  -- Kinship care joined the role on 1 September 2024.
  SELECT w.child, 4
  FROM wider_cohort w CROSS JOIN params p
  WHERE w.cohort = 'KINSHIP' AND w.start_date <= p.term_end AND (w.end_date IS NULL OR w.end_date >= p.term_end)
    AND p.term_end >= DATE '2024-09-01'
  UNION ALL
  SELECT l.child, 5
  FROM roll.care_leavers l
  JOIN header h ON h.child = l.child
  CROSS JOIN params p
  WHERE l.left_care < p.term_end
    AND CAST(h.dob + INTERVAL '18 years' AS DATE) <= p.term_end
    AND CAST(h.dob + INTERVAL '26 years' AS DATE) > p.term_end
    AND l.child NOT IN (SELECT child FROM roll.cla_at_term_end)
),
counts AS (
  SELECT k, count(DISTINCT child) AS children FROM members GROUP BY k
),
-- A cohort the data does not record at all (no kinship rows in the wider cohort file) is
-- not recorded, never 0: its count is empty, as DfE's `x`.
recorded AS (
  SELECT DISTINCT CASE w.cohort WHEN 'CPIC' THEN 2 WHEN 'CWSW' THEN 3 WHEN 'KINSHIP' THEN 4 END AS k
  FROM wider_cohort w
  UNION ALL SELECT 1
  UNION ALL SELECT 5
),
cohorts (k, cohort) AS (
  VALUES (1, 'Children looked after'), (2, 'Previously in care'), (3, 'With a social worker'),
         (4, 'In kinship care'), (5, 'Care leavers aged 18 to 25')
)
SELECT p.term, c.cohort,
       CASE WHEN r.k IS NOT NULL THEN CAST(coalesce(n.children, 0) AS BIGINT) END AS children
FROM cohorts c
CROSS JOIN params p
LEFT JOIN counts n ON n.k = c.k
LEFT JOIN (SELECT DISTINCT k FROM recorded WHERE k IS NOT NULL) r ON r.k = c.k
ORDER BY c.k
