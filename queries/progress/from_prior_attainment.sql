-- ---
-- id = "progress/from_prior_attainment"
-- version = 2
-- title = "Current judgements against the latest statutory result"
-- description = "For children in care judged at the run's term (looked after on some day of it: a period of roll/care_periods overlapping the term, so not a child on short breaks only, one who has left care or one not yet in care; domain.md section 1) who have a KS2 result from an earlier year: their current maths and English judgements (English is the english judgement, or reading where the child has no english judgement: a child judged in both counts once), split by whether they met the expected standard in that subject at KS2 (scaled score 100 or more; domain.md section 5). Shows whether children who arrived at secondary school at the expected standard are still there, and whether those who did not are catching up."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["judgements", "at_or_above_expected"]
--
-- [[metric]]
-- id = "progress.at_expected_from_ks2_rate"
-- label = "At expected from KS2 rate"
-- value = "at_or_above_expected_rate"
-- numerator = "at_or_above_expected"
-- denominator = "judgements"
-- time_period = "term"
-- group = "prior"
-- breakdown = "ks2_prior_attainment"
-- unit = "percent"
-- better = "higher"
-- ---
WITH latest_ks2 AS (
  SELECT child, reading_score, maths_score FROM (
    SELECT r.child, r.reading_score, r.maths_score,
           row_number() OVER (PARTITION BY r.child ORDER BY r.academic_year DESC) AS k
    FROM ks2_results r CROSS JOIN params p
    WHERE r.academic_year < p.academic_year
  ) WHERE k = 1
),
judged AS (
  SELECT g.child, g.term,
         CASE WHEN g.subject = 'maths' THEN 'maths' ELSE 'English' END AS subject,
         CASE WHEN g.judgement IN ('expected', 'above') THEN 1 ELSE 0 END AS at_expected,
         row_number() OVER (PARTITION BY g.child, CASE WHEN g.subject = 'maths' THEN 'maths' ELSE 'English' END
                            ORDER BY CASE g.subject WHEN 'reading' THEN 1 ELSE 0 END) AS k
  FROM progress g
  CROSS JOIN params p
  WHERE g.term = p.term AND g.subject IN ('maths', 'english', 'reading')
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = g.child AND c.decom <= p.term_end AND c.end_date >= p.term_start
    )
),
current AS (
  -- One judgement per child and subject: English where judged, else reading.
  SELECT child, term, subject, at_expected FROM judged WHERE k = 1
)
SELECT c.term, c.subject,
       concat(c.subject, ': KS2 ', CASE WHEN (CASE WHEN c.subject = 'maths' THEN k.maths_score ELSE k.reading_score END) >= 100
                   THEN 'expected met' ELSE 'expected not met' END) AS prior,
       count(*) AS judgements,
       sum(c.at_expected) AS at_or_above_expected,
       100.0 * sum(c.at_expected) / count(*) AS at_or_above_expected_rate
FROM current c
JOIN latest_ks2 k ON k.child = c.child
GROUP BY c.term, c.subject, 3
ORDER BY c.subject, prior
