-- ---
-- id = "exclusions/reasons_by_year"
-- version = 3
-- title = "Reasons for suspensions by academic year"
-- description = "Suspensions (including lunchtime) and permanent exclusions in the run's academic year of the pupils the rates count (exclusions/suspensions_by_year): started while the child was looked after (roll/care_periods: not short breaks only, not after the child left care, not before the child entered care) and the child of compulsory school age (5 to 15 on 31 August at the start of the academic year, as attendance/sessions_by_term), counted once for each reason they cite (up to three; the DfE reason codes, domain.md section 4), with the reason's label from the code list valid on the date."
-- params = ["academic_year"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["exclusions"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Reasons cited for suspensions and exclusions this year"
-- x = "reason"
-- y = ["exclusions"]
-- y_label = "Suspensions and exclusions citing the reason"
-- unit = "count"
-- ---
WITH in_care AS (
  -- A suspension counts only while the child was looked after (roll/care_periods): one
  -- that starts after the child left care, or on short breaks only, counts in no term and no year.
  SELECT DISTINCT s.child, s.urn, s.start_date, s.type, s.sessions, s.reason_1, s.reason_2, s.reason_3
  FROM suspensions s
  JOIN roll.care_periods c ON c.child = s.child AND s.start_date >= c.decom AND s.start_date <= c.end_date
),
of_age AS (
  -- Ages 5 to 15 on 31 August, the ages the rates count.
  SELECT s.*
  FROM in_care s
  JOIN header h ON h.child = s.child
  JOIN terms t ON s.start_date BETWEEN t.start_date AND t.end_date
  WHERE extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
        - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END BETWEEN 5 AND 15
),
cited AS (
  SELECT s.child, s.start_date, s.reason_1 AS code FROM of_age s
  UNION ALL SELECT s.child, s.start_date, s.reason_2 FROM of_age s WHERE s.reason_2 IS NOT NULL
  UNION ALL SELECT s.child, s.start_date, s.reason_3 FROM of_age s WHERE s.reason_3 IS NOT NULL
)
SELECT t.academic_year, c.code,
       max(l.label) AS reason,
       count(*) AS exclusions
FROM cited c
JOIN terms t ON c.start_date BETWEEN t.start_date AND t.end_date
JOIN code_lists l ON l.list_id = 'suspension_reason' AND l.code = c.code
  AND (l.valid_from IS NULL OR c.start_date >= l.valid_from)
  AND (l.valid_to IS NULL OR c.start_date <= l.valid_to)
CROSS JOIN params p
WHERE t.academic_year = p.academic_year
GROUP BY t.academic_year, c.code
ORDER BY exclusions DESC, c.code
