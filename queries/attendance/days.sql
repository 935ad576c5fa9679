-- ---
-- id = "attendance/days"
-- version = 1
-- title = "Days with attendance marks"
-- description = "Each day with at least one attendance mark, placed in its term (the terms table), and whether the school expected pupils that day: open_to_pupils is false when every mark of the day is # (school closed to pupils, a session not counted; domain.md section 3). Read once from the marks, so that what asks which days were school days (attendance/school_days, the PEP deadlines counted in school days, the years the data covers) reads a table of some hundreds of rows, not the marks."
-- ---
SELECT d.date, t.term, t.ordinal, t.academic_year, d.open_to_pupils
FROM (
  SELECT date, max(CASE WHEN mark <> '#' THEN 1 ELSE 0 END) = 1 AS open_to_pupils
  FROM attendance
  GROUP BY date
) d
JOIN terms t ON d.date >= t.start_date AND d.date <= t.end_date
ORDER BY d.date
