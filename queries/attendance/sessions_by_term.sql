-- ---
-- id = "attendance/sessions_by_term"
-- version = 4
-- title = "Sessions by child, school and term"
-- description = "Possible, present, authorised and unauthorised sessions for each child at each school in each term up to the run's term, counting only sessions while the child was looked after (roll/care_periods: short breaks excluded, care ending the day before the 18th birthday) and of compulsory school age (5 to 15 on 31 August, Years 1 to 11). Marks are classified by the code list valid on the session's date, so the 2024 code change is honoured (domain.md section 3)."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
-- Shaped for large registers (issue 16): each school day is placed in its term once, through
-- the few distinct dates, rather than every mark being range-joined with every term; a mark
-- is kept when some care period covers it (a semi join, so overlapping episodes cannot count
-- a session twice and no DISTINCT over every mark is needed: the contract keeps one mark per
-- child, date and session); and marks are counted per child, school and term before the
-- child's age is worked out once per term. Version 4 names the few term days first, so that
-- DataFusion (which keeps the written order when it has no statistics for a side) builds its
-- hash table from them rather than from every mark: 6.2 s to 2.3 s at 10,000 children.
WITH term_days AS (
  SELECT d.date, t.term, t.ordinal, t.academic_year,
         extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END AS august_year
  FROM (SELECT DISTINCT date FROM attendance) d
  JOIN terms t ON d.date BETWEEN t.start_date AND t.end_date
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
),
counted AS (
  SELECT m.child, m.urn, td.term, td.ordinal, td.academic_year, td.august_year,
         sum(CASE WHEN c.code_group <> 'not_possible' THEN 1 ELSE 0 END) AS possible_sessions,
         sum(CASE WHEN c.code_group IN ('present', 'approved_activity') THEN 1 ELSE 0 END) AS present_sessions,
         sum(CASE WHEN c.code_group = 'authorised' THEN 1 ELSE 0 END) AS authorised_sessions,
         sum(CASE WHEN c.code_group = 'unauthorised' THEN 1 ELSE 0 END) AS unauthorised_sessions
  FROM term_days td
  JOIN attendance m ON m.date = td.date
  JOIN code_lists c
    ON c.list_id = 'attendance_mark' AND c.code = m.mark
   AND (c.valid_from IS NULL OR m.date >= c.valid_from)
   AND (c.valid_to IS NULL OR m.date <= c.valid_to)
  WHERE EXISTS (
    SELECT 1 FROM roll.care_periods e
    WHERE e.child = m.child AND m.date >= e.decom AND m.date <= e.end_date
  )
  GROUP BY m.child, m.urn, td.term, td.ordinal, td.academic_year, td.august_year
),
aged AS (
  SELECT s.*,
         CAST(s.august_year - extract(year FROM h.dob)
              - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS BIGINT) AS age_at_31_august
  FROM counted s
  JOIN header h ON h.child = s.child
)
SELECT child, urn, term, ordinal, academic_year, age_at_31_august,
       possible_sessions, present_sessions, authorised_sessions, unauthorised_sessions
FROM aged
WHERE age_at_31_august BETWEEN 5 AND 15
ORDER BY ordinal, child, urn
