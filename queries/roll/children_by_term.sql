-- ---
-- id = "roll/children_by_term"
-- version = 2
-- title = "Children looked after at the end of the term, the term before and a year earlier"
-- description = "Children looked after on the last day of the run's term, of the term before and of the same term a year earlier (a period looked after open that day, roll/care_periods: short breaks V3/V4 excluded and care ending the day before the 18th birthday; domain.md section 1), so that the roll is a headline with the same comparisons as the other figures. A term that ended before the first attendance mark in the data is left out, not shown as none."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["children"]
--
-- [[metric]]
-- id = "roll.children"
-- label = "Children in care on roll"
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
  JOIN roll.care_periods e ON e.decom <= w.end_date AND e.end_date >= w.end_date
)
SELECT w.term, CAST(count(l.child) AS BIGINT) AS children
FROM wanted w
LEFT JOIN looked_after l ON l.term = w.term
GROUP BY w.term, w.end_date
ORDER BY w.end_date
