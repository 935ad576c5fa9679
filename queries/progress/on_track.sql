-- ---
-- id = "progress/on_track"
-- version = 2
-- title = "On track by term, subject and year group"
-- description = "Termly teacher judgements recorded in PEPs for children in care in the term judged (looked after on some day of the term: a period of roll/care_periods overlapping it, the one definition of being in care, so a child on short breaks only, a child who has left care and a child not yet in care are not counted; domain.md section 1) (the progress table; a local scale, so no national comparison; domain.md section 5): the share of subject judgements on track to meet the child's target, each term up to the run's, by subject and for all subjects together, and by year group (age on 31 August) at the run's term. A child judged in three subjects counts three times in 'all subjects'."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["judgements", "on_track"]
--
-- [[chart]]
-- type = "line"
-- title = "On track to meet their targets, by term"
-- x = "term"
-- y = ["on_track_rate"]
-- series = "subject"
-- y_label = "Subject judgements on track, %"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "progress.on_track_rate"
-- label = "On track rate"
-- value = "on_track_rate"
-- numerator = "on_track"
-- denominator = "judgements"
-- time_period = "term"
-- group = "subject"
-- unit = "percent"
-- better = "higher"
-- ---
WITH judged AS (
  SELECT g.term, t.ordinal, g.subject, CASE WHEN g.on_track THEN 1 ELSE 0 END AS on_track
  FROM progress g
  JOIN terms t ON t.term = g.term
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = g.child AND c.decom <= t.end_date AND c.end_date >= t.start_date
    )
),
by_subject AS (
  SELECT term, ordinal, subject, count(*) AS judgements, sum(on_track) AS on_track FROM judged GROUP BY term, ordinal, subject
  UNION ALL
  SELECT term, ordinal, 'all subjects', count(*), sum(on_track) FROM judged GROUP BY term, ordinal
)
SELECT term, subject, judgements, on_track, 100.0 * on_track / judgements AS on_track_rate
FROM by_subject
ORDER BY ordinal, CASE WHEN subject = 'all subjects' THEN 1 ELSE 0 END, subject
