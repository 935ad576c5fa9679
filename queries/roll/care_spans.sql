-- ---
-- id = "roll/care_spans"
-- version = 1
-- title = "Unbroken spans looked after"
-- description = "For each child, the periods looked after (roll/care_periods: short breaks left out, care ending the day before the 18th birthday) merged where they overlap or meet: one row per child and unbroken span, from its first day looked after to its last. Spans of one child never overlap, so a day falls in at most one of them: what counts attendance marks while looked after joins each mark to its child's spans once, keeping it exactly once (an episode recorded twice across returns is one span, and its days count once), and tests it against a span or two rather than every episode."
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
-- Merging is the islands problem: a period starts a new span when it begins more than a day
-- after the furthest end of the child's periods before it.
WITH ordered AS (
  SELECT child, decom, end_date,
         max(end_date) OVER (PARTITION BY child ORDER BY decom, end_date
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
  FROM roll.care_periods
),
islands AS (
  SELECT child, decom, end_date,
         sum(CASE WHEN reach IS NULL OR decom > reach + INTERVAL '1 day' THEN 1 ELSE 0 END)
           OVER (PARTITION BY child ORDER BY decom, end_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM ordered
),
merged AS (
  SELECT child, min(decom) AS span_start, max(end_date) AS span_end
  FROM islands
  GROUP BY child, island
)
SELECT child, span_start, span_end
FROM merged
ORDER BY child, span_start
