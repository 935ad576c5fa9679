-- ---
-- id = "attendance/school_days"
-- version = 1
-- title = "Days with marks, their term and what each mark counts as that day"
-- description = "Each day with attendance marks up to the end of the run's term, placed in its term (attendance/days), with every code of the attendance code list valid that day (code_lists: valid_from and valid_to, so the August 2024 change is honoured, domain.md section 3) and what it counts as: a possible session (every code but those meaning not possible), present (present or an approved educational activity), authorised or unauthorised absence, each 1 or 0. A small table (days times codes: tens of thousands of rows at national scale) that every mark joins once on (date, mark)."
-- params = ["term"]
-- depends_on = ["attendance/days"]
-- ---
SELECT d.date, c.code AS mark, d.ordinal,
       CASE WHEN c.code_group <> 'not_possible' THEN 1 ELSE 0 END AS possible,
       CASE WHEN c.code_group IN ('present', 'approved_activity') THEN 1 ELSE 0 END AS present,
       CASE WHEN c.code_group = 'authorised' THEN 1 ELSE 0 END AS authorised,
       CASE WHEN c.code_group = 'unauthorised' THEN 1 ELSE 0 END AS unauthorised
FROM attendance.days d
CROSS JOIN params p
JOIN code_lists c
  ON c.list_id = 'attendance_mark'
 AND (c.valid_from IS NULL OR d.date >= c.valid_from)
 AND (c.valid_to IS NULL OR d.date <= c.valid_to)
WHERE d.ordinal <= p.term_ordinal
ORDER BY d.date, c.code
