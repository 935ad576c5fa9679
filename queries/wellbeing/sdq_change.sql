-- ---
-- id = "wellbeing/sdq_change"
-- version = 2
-- title = "Wellbeing: change for children with two SDQ scores"
-- description = "Children in care in the run's term (looked after on some day of it: a period of roll/care_periods overlapping the term, the one definition of being in care, so not a child on short breaks only, one who has left care or one not yet in care; domain.md section 1) with two or more SDQ total scores in the sdq table completed while they were looked after (the assessment date inside a period of roll/care_periods), up to the end of the run's term: the change from their previous score to their latest (a fall is an improvement), and whether their DfE band (0-13 normal, 14-16 borderline, 17-40 concern; domain.md section 8) improved, stayed the same or worsened."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["children", "improved", "same", "worsened"]
--
-- [[metric]]
-- id = "sdq.mean_change"
-- label = "Mean change"
-- value = "mean_change"
-- denominator = "children"
-- time_period = "term"
-- unit = "mean"
-- better = "lower"
-- same_within = 1.0
--
-- [[metric]]
-- id = "sdq.improved_band_rate"
-- label = "Improved band rate"
-- value = "improved_rate"
-- numerator = "improved"
-- denominator = "children"
-- time_period = "term"
-- unit = "percent"
-- better = "higher"
-- ---
WITH scored AS (
  SELECT q.child, q.assessment_date, q.total_score,
         CASE WHEN q.total_score <= 13 THEN 0 WHEN q.total_score <= 16 THEN 1 ELSE 2 END AS band,
         row_number() OVER (PARTITION BY q.child ORDER BY q.assessment_date DESC) AS k
  FROM sdq q
  CROSS JOIN params p
  WHERE q.total_score IS NOT NULL AND q.assessment_date <= p.term_end
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = q.child AND c.decom <= q.assessment_date AND c.end_date >= q.assessment_date
    )
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = q.child AND c.decom <= p.term_end AND c.end_date >= p.term_start
    )
),
pairs AS (
  SELECT l.child, l.total_score - b.total_score AS change, l.band - b.band AS band_change
  FROM scored l JOIN scored b ON b.child = l.child AND b.k = 2
  WHERE l.k = 1
)
SELECT p.term, count(*) AS children, avg(change) AS mean_change,
       sum(CASE WHEN band_change < 0 THEN 1 ELSE 0 END) AS improved,
       sum(CASE WHEN band_change = 0 THEN 1 ELSE 0 END) AS same,
       sum(CASE WHEN band_change > 0 THEN 1 ELSE 0 END) AS worsened,
       100.0 * sum(CASE WHEN band_change < 0 THEN 1 ELSE 0 END) / count(*) AS improved_rate
FROM pairs CROSS JOIN params p
GROUP BY p.term
