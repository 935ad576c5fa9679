-- ---
-- id = "roll/children_by_term"
-- version = 1
-- title = "Children looked after at the end of the term, the term before and a year earlier"
-- description = "Children looked after on the last day of the run's term, of the term before and of the same term a year earlier (an SSDA903 episode open that day, short breaks V3/V4 excluded; domain.md section 1), so that the roll is a headline with the same comparisons as the other figures. A term that ended before the first attendance mark in the data is left out, not shown as none."
-- params = ["term"]
-- suppress = ["children"]
--
-- [[metric]]
-- id = "roll.children"
-- value = "children"
-- time_period = "term"
-- unit = "count"
-- ---
WITH wanted AS (
  SELECT t.term, t.end_date
  FROM terms t CROSS JOIN params p
  WHERE t.term IN (p.term, p.previous_term, p.same_term_last_year)
    AND t.end_date >= (SELECT min(date) FROM attendance)
),
looked_after AS (
  SELECT DISTINCT w.term, e.child
  FROM wanted w
  JOIN episodes e ON e.decom <= w.end_date AND (e.dec IS NULL OR e.dec >= w.end_date)
  WHERE e.ls NOT IN ('V3', 'V4')
)
SELECT w.term, CAST(count(l.child) AS BIGINT) AS children
FROM wanted w
LEFT JOIN looked_after l ON l.term = w.term
GROUP BY w.term, w.end_date
ORDER BY w.end_date
