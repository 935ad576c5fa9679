-- ---
-- id = "ppplus/changes"
-- version = 1
-- title = "PP+ impact: each eligible child's change around a term"
-- description = "For each child eligible for PP+ in term t (domain.md section 7: looked after on some day of the term, roll/care_periods, and aged 4 to 15 on 31 August at the start of its academic year), the change from the term before t to the term after it in their on-track rate (progress judgements) and in their attendance rate (present / possible sessions while looked after, attendance/sessions_by_term), terms up to the run's term. ppplus/impact compares the changes of children funded in t with those not funded; kept as its own result so that it is computed once."
-- params = ["term"]
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- level = "child"
-- ---
WITH eligible AS (
  -- PP+ eligibility in term t (domain.md section 7): looked after on some day of the term
  -- (roll/care_periods) and aged 4 to 15 on 31 August at the start of its academic year.
  SELECT DISTINCT c.child, t.ordinal
  FROM roll.care_periods c
  JOIN terms t ON c.decom <= t.end_date AND c.end_date >= t.start_date
  JOIN header h ON h.child = c.child
  WHERE extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
        - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END BETWEEN 4 AND 15
),
rates AS (
  SELECT 'on-track rate' AS measure, g.child, t.ordinal,
         100.0 * avg(CASE WHEN g.on_track THEN 1.0 ELSE 0.0 END) AS rate
  FROM progress g
  JOIN terms t ON t.term = g.term
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
  GROUP BY g.child, t.ordinal
  UNION ALL
  SELECT 'attendance', s.child, s.ordinal,
         100.0 * sum(s.present_sessions) / sum(s.possible_sessions)
  FROM attendance.sessions_by_term s
  GROUP BY s.child, s.ordinal
  HAVING sum(s.possible_sessions) > 0
),
changes AS (
  -- Only children eligible in t, the term compared.
  SELECT b.measure, b.child, b.ordinal + 1 AS t, a.rate - b.rate AS change
  FROM rates b
  JOIN rates a ON a.measure = b.measure AND a.child = b.child AND a.ordinal = b.ordinal + 2
  JOIN eligible e ON e.child = b.child AND e.ordinal = b.ordinal + 1
)
SELECT measure, child, t, change
FROM changes
ORDER BY measure, child, t
