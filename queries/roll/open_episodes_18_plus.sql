-- ---
-- id = "roll/open_episodes_18_plus"
-- version = 1
-- title = "Data quality: episodes still open for young people aged 18 or over"
-- description = "Children whose SSDA903 episode has no end date (DEC) although they were 18 or over on the last day of the run's term. Care ends at 18 (domain.md section 1), so roll/care_periods ends the episode the day before the 18th birthday and none of them is counted as a child in care; the episode should be closed in the return (with the reason it ceased). A data-quality figure for the authority: cohort run prints a warning when it is not 0."
-- params = ["term"]
--
-- [[metric]]
-- id = "data_quality.open_episodes_aged_18_plus"
-- label = "Episodes left open for young people aged 18 or over"
-- value = "children"
-- time_period = "term"
-- unit = "count"
-- ---
SELECT p.term,
       CAST(count(DISTINCT e.child) AS BIGINT) AS children
FROM params p
LEFT JOIN (
  SELECT e.child, h.dob
  FROM episodes e
  JOIN header h ON h.child = e.child
  WHERE e.dec IS NULL
) e ON CAST(e.dob + INTERVAL '18 years' AS DATE) <= p.term_end
GROUP BY p.term
