-- ---
-- id = "schools/summary"
-- version = 3
-- title = "Our children in each school this term"
-- description = "For each school with a child in care on its roll at the end of the term or taking their register this term: children on roll at the end of the term (roll/cla_at_term_end), their absence this term (sessions at that school, compulsory school age, domain.md section 3), suspensions this term (not permanent exclusions; domain.md section 4) of the same children as the absence figures (looked after on the day it started, roll/care_periods, and of compulsory school age, 5 to 15 on 31 August: a suspension of a child who has left care, is on short breaks only, is not yet in care or is in Year 12 is not counted), PEPs due this term with this school named for children looked after on the PEP's due date (roll/care_periods; due by the data's date, the latest attendance mark or PEP held or completed: a PEP not yet due is neither on time nor late) and how many were completed on time and rated green (section 6), and PP+ requests this term with the amount approved (section 7) and children_funded, the children whose approved requests make up the amount, so disclosure protects the amount by the children it was spent on, not the children on roll. The page per school for advisory visits is built from this table."
-- params = ["term"]
-- depends_on = ["roll/cla_at_term_end", "attendance/sessions_by_term", "roll/care_periods"]
-- suppress = ["children", "pupils_with_marks", "persistently_absent", "suspensions", "pupils_suspended", "peps_due", "peps_on_time", "peps_green", "pp_requests", "children_funded"]
-- ---
WITH on_roll AS (
  SELECT urn, count(*) AS children FROM roll.cla_at_term_end WHERE urn IS NOT NULL GROUP BY urn
),
marks AS (
  SELECT s.urn, count(DISTINCT s.child) AS pupils_with_marks,
         sum(s.possible_sessions) AS possible_sessions,
         sum(s.possible_sessions - s.present_sessions) AS absence_sessions,
         sum(CASE WHEN s.possible_sessions > 0 AND 10 * (s.possible_sessions - s.present_sessions) >= s.possible_sessions THEN 1 ELSE 0 END) AS persistently_absent
  FROM attendance.sessions_by_term s CROSS JOIN params p
  WHERE s.term = p.term
  GROUP BY s.urn
),
susp AS (
  SELECT x.urn, count(*) AS suspensions, count(DISTINCT x.child) AS pupils_suspended
  FROM suspensions x JOIN header h ON h.child = x.child CROSS JOIN params p
  WHERE x.start_date BETWEEN p.term_start AND p.term_end AND x.type <> 'permanent'
    AND extract(year FROM p.year_start) - extract(year FROM h.dob)
        - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END BETWEEN 5 AND 15
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = x.child AND c.decom <= x.start_date AND c.end_date >= x.start_date
    )
  GROUP BY x.urn
),
as_at AS (
  -- The data's date: a PEP due after it is not yet due, so neither on time nor late.
  SELECT max(d) AS as_at FROM (
    SELECT max(date) AS d FROM attendance
    UNION ALL SELECT max(completed_date) FROM peps
    UNION ALL SELECT max(held_date) FROM peps
  )
),
pep AS (
  SELECT e.urn, sum(CASE WHEN e.due_date <= a.as_at THEN 1 ELSE 0 END) AS peps_due,
         sum(CASE WHEN e.due_date <= a.as_at AND e.completed_date IS NOT NULL AND e.completed_date <= e.due_date THEN 1 ELSE 0 END) AS peps_on_time,
         sum(CASE WHEN e.qa_rating = 'green' THEN 1 ELSE 0 END) AS peps_green
  FROM peps e CROSS JOIN params p CROSS JOIN as_at a
  WHERE e.term = p.term AND e.urn IS NOT NULL
    AND EXISTS (
      -- Looked after on the due date (roll/care_periods), as peps/timeliness_by_term.
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = e.child AND c.decom <= e.due_date AND c.end_date >= e.due_date
    )
  GROUP BY e.urn
),
ppp AS (
  SELECT r.urn, count(*) AS pp_requests,
         sum(CASE WHEN r.status = 'approved' THEN r.amount ELSE 0 END) AS pp_approved_amount,
         count(DISTINCT CASE WHEN r.status = 'approved' THEN r.child END) AS children_funded
  FROM pp_plus r CROSS JOIN params p
  WHERE r.term = p.term
  GROUP BY r.urn
),
schools_seen AS (
  SELECT urn FROM on_roll UNION SELECT urn FROM marks
)
SELECT p.term, s.urn, s.name, s.phase,
       CASE WHEN s.in_authority THEN 'in the authority' ELSE 'outside the authority' END AS location,
       CAST(coalesce(r.children, 0) AS BIGINT) AS children,
       CAST(coalesce(m.pupils_with_marks, 0) AS BIGINT) AS pupils_with_marks,
       100.0 * m.absence_sessions / nullif(m.possible_sessions, 0) AS overall_absence_rate,
       CAST(coalesce(m.persistently_absent, 0) AS BIGINT) AS persistently_absent,
       CAST(coalesce(x.suspensions, 0) AS BIGINT) AS suspensions,
       CAST(coalesce(x.pupils_suspended, 0) AS BIGINT) AS pupils_suspended,
       CAST(coalesce(e.peps_due, 0) AS BIGINT) AS peps_due,
       CAST(coalesce(e.peps_on_time, 0) AS BIGINT) AS peps_on_time,
       100.0 * e.peps_on_time / nullif(e.peps_due, 0) AS peps_on_time_rate,
       CAST(coalesce(e.peps_green, 0) AS BIGINT) AS peps_green,
       CAST(coalesce(q.pp_requests, 0) AS BIGINT) AS pp_requests,
       coalesce(q.pp_approved_amount, 0.0) AS pp_approved_amount,
       CAST(coalesce(q.children_funded, 0) AS BIGINT) AS children_funded
FROM schools_seen w
JOIN schools s ON s.urn = w.urn
CROSS JOIN params p
LEFT JOIN on_roll r ON r.urn = w.urn
LEFT JOIN marks m ON m.urn = w.urn
LEFT JOIN susp x ON x.urn = w.urn
LEFT JOIN pep e ON e.urn = w.urn
LEFT JOIN ppp q ON q.urn = w.urn
ORDER BY s.name
