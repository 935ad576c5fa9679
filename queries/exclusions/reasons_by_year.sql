-- ---
-- id = "exclusions/reasons_by_year"
-- version = 1
-- title = "Reasons for suspensions by academic year"
-- description = "Suspensions (including lunchtime) and permanent exclusions of children in care starting in each academic year up to the run's, counted once for each reason they cite (up to three; the DfE reason codes, domain.md section 4), with the reason's label from the code list valid on the date."
-- params = ["academic_year"]
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
WITH cited AS (
  SELECT s.child, s.start_date, s.reason_1 AS code FROM suspensions s
  UNION ALL SELECT s.child, s.start_date, s.reason_2 FROM suspensions s WHERE s.reason_2 IS NOT NULL
  UNION ALL SELECT s.child, s.start_date, s.reason_3 FROM suspensions s WHERE s.reason_3 IS NOT NULL
)
SELECT t.academic_year, c.code,
       max(l.label) AS reason,
       count(*) AS exclusions
FROM cited c
JOIN header h ON h.child = c.child
JOIN terms t ON c.start_date BETWEEN t.start_date AND t.end_date
JOIN code_lists l ON l.list_id = 'suspension_reason' AND l.code = c.code
  AND (l.valid_from IS NULL OR c.start_date >= l.valid_from)
  AND (l.valid_to IS NULL OR c.start_date <= l.valid_to)
CROSS JOIN params p
WHERE t.academic_year = p.academic_year
GROUP BY t.academic_year, c.code
ORDER BY exclusions DESC, c.code
