-- ---
-- id = "attendance/marks_by_term"
-- version = 1
-- title = "Sessions by child, school and term, looked after or not"
-- description = "Possible, present, authorised and unauthorised sessions of every attendance mark up to the run's term, counted for each child, school and term and split by whether the child was looked after on the session's day (one of the child's spans of roll/care_spans covers it: short breaks excluded, care ending the day before the 18th birthday). Marks are classified by the code list valid on their date (attendance/school_days); a mark whose code is not in that list counts nowhere. attendance/sessions_by_term takes the looked-after rows; the OC2 cohort's whole-year absence, counted as DfE counts it, takes both."
-- depends_on = ["attendance/school_days", "roll/care_spans"]
-- level = "child"
-- ---
-- One pass over the marks (issue 34): each mark joins its child's spans looked after (a span
-- or two a child: spans never overlap, so a mark matches at most one and is kept exactly once)
-- and the small day-and-code table on (date, mark), both tables of known size built once;
-- marks are then summed to (child, school, term), a few million rows at national scale,
-- before anything else reads them. The joins are written in this order for DataFusion's
-- planner: it estimates a join on (date, mark) over a Parquet file as small (it knows no
-- distinct count of `mark`), and would build its hash table from 100 million marks if the
-- spans were joined after it; joined first, the spans are the side known to be small.
SELECT m.child, m.urn, d.ordinal,
       s.span_start IS NOT NULL AS looked_after,
       sum(d.possible) AS possible_sessions,
       sum(d.present) AS present_sessions,
       sum(d.authorised) AS authorised_sessions,
       sum(d.unauthorised) AS unauthorised_sessions
FROM attendance m
LEFT JOIN roll.care_spans s
  ON s.child = m.child AND m.date >= s.span_start AND m.date <= s.span_end
JOIN attendance.school_days d ON d.date = m.date AND d.mark = m.mark
GROUP BY m.child, m.urn, d.ordinal, s.span_start IS NOT NULL
ORDER BY d.ordinal, m.child, m.urn, looked_after
