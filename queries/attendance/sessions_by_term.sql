-- ---
-- id = "attendance/sessions_by_term"
-- version = 6
-- title = "Sessions by child, school and term"
-- description = "Possible, present, authorised and unauthorised sessions for each child at each school in each term up to the run's term, counting only sessions while the child was looked after (attendance/marks_by_term's looked-after rows, from roll/care_periods: short breaks excluded, care ending the day before the 18th birthday) and of compulsory school age (5 to 15 on 31 August, Years 1 to 11). Marks are classified by the code list valid on the session's date, so the 2024 code change is honoured (domain.md section 3)."
-- params = ["term"]
-- depends_on = ["attendance/marks_by_term"]
-- level = "child"
-- ---
SELECT s.child, s.urn, t.term, s.ordinal, t.academic_year,
       CAST(extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
            - extract(year FROM h.dob)
            - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS BIGINT) AS age_at_31_august,
       s.possible_sessions, s.present_sessions, s.authorised_sessions, s.unauthorised_sessions
FROM attendance.marks_by_term s
JOIN terms t ON t.ordinal = s.ordinal
JOIN header h ON h.child = s.child
WHERE s.looked_after
  AND extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
      - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END
      BETWEEN 5 AND 15
ORDER BY s.ordinal, s.child, s.urn
