-- ---
-- id = "roll/care_periods"
-- version = 1
-- title = "Periods looked after, ending at 18"
-- description = "One row per SSDA903 episode that makes a child looked after (domain.md sections 1-2), the definition every analysis that asks whether a child was in care on a date reads: short breaks (legal status V3 or V4) are left out, and care ends at 18, so an episode's effective end is the earlier of its DEC and the day before the child's 18th birthday. An episode with no DEC for someone now 18 or over therefore ends the day before that birthday (roll/open_episodes_18_plus counts them, a data-quality finding); an episode starting on or after the 18th birthday is left out. aged_out is true where the 18th birthday, not DEC, ends the period."
-- level = "child"
-- ---
WITH aged AS (
  SELECT e.child, e.decom, e.dec, e.rec, e.rne, e.ls,
         CAST(CAST(h.dob + INTERVAL '18 years' AS DATE) - INTERVAL '1 day' AS DATE) AS last_day_under_18
  FROM episodes e
  JOIN header h ON h.child = e.child
  WHERE e.ls NOT IN ('V3', 'V4')
)
SELECT child, decom,
       CASE WHEN dec IS NULL OR dec > last_day_under_18 THEN last_day_under_18 ELSE dec END AS end_date,
       dec, rec, rne, ls,
       CASE WHEN dec IS NULL OR dec > last_day_under_18 THEN true ELSE false END AS aged_out
FROM aged
WHERE decom <= last_day_under_18
ORDER BY child, decom
