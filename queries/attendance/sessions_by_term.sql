-- ---
-- id = "attendance/sessions_by_term"
-- version = 2
-- title = "Sessions by child, school and term"
-- description = "Possible, present, authorised and unauthorised sessions for each child at each school in each term up to the run's term, counting only sessions while the child was looked after (roll/care_periods: short breaks excluded, care ending the day before the 18th birthday) and of compulsory school age (5 to 15 on 31 August, Years 1 to 11). Marks are classified by the code list valid on the session's date, so the 2024 code change is honoured (domain.md section 3)."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
WITH marks_in_care AS (
  SELECT DISTINCT m.child, m.urn, m.date, m.session, m.mark
  FROM attendance m
  JOIN roll.care_periods e
    ON e.child = m.child AND m.date >= e.decom AND m.date <= e.end_date
),
classified AS (
  SELECT mc.child, mc.urn, t.term, t.ordinal, t.academic_year, c.code_group,
         extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
           - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS age_at_31_august
  FROM marks_in_care mc
  JOIN code_lists c
    ON c.list_id = 'attendance_mark' AND c.code = mc.mark
   AND (c.valid_from IS NULL OR mc.date >= c.valid_from)
   AND (c.valid_to IS NULL OR mc.date <= c.valid_to)
  JOIN terms t ON mc.date BETWEEN t.start_date AND t.end_date
  JOIN header h ON h.child = mc.child
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
)
SELECT child, urn, term, ordinal, academic_year,
       CAST(max(age_at_31_august) AS BIGINT) AS age_at_31_august,
       sum(CASE WHEN code_group <> 'not_possible' THEN 1 ELSE 0 END) AS possible_sessions,
       sum(CASE WHEN code_group IN ('present', 'approved_activity') THEN 1 ELSE 0 END) AS present_sessions,
       sum(CASE WHEN code_group = 'authorised' THEN 1 ELSE 0 END) AS authorised_sessions,
       sum(CASE WHEN code_group = 'unauthorised' THEN 1 ELSE 0 END) AS unauthorised_sessions
FROM classified
WHERE age_at_31_august BETWEEN 5 AND 15
GROUP BY child, urn, term, ordinal, academic_year
ORDER BY ordinal, child, urn
