-- ---
-- id = "progress/by_year_group"
-- version = 2
-- title = "On track this term by year group"
-- description = "Termly teacher judgements recorded in PEPs at the run's term (progress table; a local scale, domain.md section 5) for children in care in the term (looked after on some day of it: a period of roll/care_periods overlapping the term, so not a child on short breaks only, one who has left care or one not yet in care; domain.md section 1), by year group from age on 31 August: the share of subject judgements on track to meet the child's target."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["judgements", "on_track"]
--
-- [[chart]]
-- type = "bar"
-- title = "On track this term by year group"
-- x = "year_group"
-- y = ["on_track_rate"]
-- y_label = "Subject judgements on track, %"
-- x_label = "Year group"
-- unit = "percent"
--
-- [[metric]]
-- id = "progress.on_track_rate"
-- label = "On track rate"
-- value = "on_track_rate"
-- numerator = "on_track"
-- denominator = "judgements"
-- time_period = "term"
-- group = "year_group"
-- unit = "percent"
-- better = "higher"
-- ---
WITH judged AS (
  SELECT g.child, CASE WHEN g.on_track THEN 1 ELSE 0 END AS on_track,
         extract(year FROM p.year_start) - extract(year FROM h.dob)
           - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS age
  FROM progress g
  JOIN header h ON h.child = g.child
  CROSS JOIN params p
  WHERE g.term = p.term
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = g.child AND c.decom <= p.term_end AND c.end_date >= p.term_start
    )
)
SELECT p.term, concat('Year ', CAST(CAST(age - 4 AS BIGINT) AS VARCHAR)) AS year_group,
       count(*) AS judgements, sum(on_track) AS on_track,
       100.0 * sum(on_track) / count(*) AS on_track_rate
FROM judged CROSS JOIN params p
GROUP BY p.term, age
ORDER BY age
