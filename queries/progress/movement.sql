-- ---
-- id = "progress/movement"
-- version = 2
-- title = "Movement since the previous term"
-- description = "For each subject judged for the same child in both the run's term and the term before (progress table; judgements ordered below < working towards < expected < above): how many moved up, stayed the same or moved down, and the share of each. Children in care only: the child was looked after on some day of each of the two terms (a period of roll/care_periods overlapping the term, so not a child on short breaks only, one who has left care or one not yet in care; domain.md section 1); local teacher judgements, not a national measure (domain.md section 5)."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["pairs", "moved_up", "same", "moved_down"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Judgements that moved up since last term"
-- x = "subject"
-- y = ["moved_up_rate", "moved_down_rate"]
-- y_label = "Share of judgements, %"
-- unit = "percent"
--
-- [[metric]]
-- id = "progress.moved_up_rate"
-- label = "Moved up rate"
-- value = "moved_up_rate"
-- numerator = "moved_up"
-- denominator = "pairs"
-- time_period = "term"
-- group = "subject"
-- unit = "percent"
-- better = "higher"
-- ---
WITH ranked AS (
  SELECT g.child, g.term, g.subject,
         CASE g.judgement WHEN 'below' THEN 0 WHEN 'working_towards' THEN 1 WHEN 'expected' THEN 2 ELSE 3 END AS r
  FROM progress g
  JOIN terms t ON t.term = g.term
  WHERE EXISTS (
    SELECT 1 FROM roll.care_periods c
    WHERE c.child = g.child AND c.decom <= t.end_date AND c.end_date >= t.start_date
  )
),
pairs AS (
  SELECT p.term, n.subject, n.r - b.r AS change
  FROM ranked n
  CROSS JOIN params p
  JOIN ranked b ON b.child = n.child AND b.subject = n.subject AND b.term = p.previous_term
  WHERE n.term = p.term
),
counted AS (
  SELECT term, subject, count(*) AS pairs,
         sum(CASE WHEN change > 0 THEN 1 ELSE 0 END) AS moved_up,
         sum(CASE WHEN change = 0 THEN 1 ELSE 0 END) AS same,
         sum(CASE WHEN change < 0 THEN 1 ELSE 0 END) AS moved_down
  FROM pairs GROUP BY term, subject
  UNION ALL
  SELECT term, 'all subjects', count(*),
         sum(CASE WHEN change > 0 THEN 1 ELSE 0 END),
         sum(CASE WHEN change = 0 THEN 1 ELSE 0 END),
         sum(CASE WHEN change < 0 THEN 1 ELSE 0 END)
  FROM pairs GROUP BY term
)
SELECT term, subject, pairs, moved_up, same, moved_down,
       100.0 * moved_up / pairs AS moved_up_rate,
       100.0 * same / pairs AS same_rate,
       100.0 * moved_down / pairs AS moved_down_rate
FROM counted
ORDER BY CASE WHEN subject = 'all subjects' THEN 1 ELSE 0 END, subject
