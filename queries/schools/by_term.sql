-- ---
-- id = "schools/by_term"
-- version = 3
-- title = "Our children in each school, term by term, against the authority's schools of the same phase"
-- labels = { term = "Term", pupils = "Our pupils with attendance marks", overall_absence_rate = "Absence at this school", phase_absence_rate = "Absence, same phase across the authority", suspensions = "Suspensions at this school", suspensions_per_100 = "Suspensions per 100 pupils at this school", phase_suspensions_per_100 = "Suspensions per 100, same phase across the authority", peps_due = "PEPs due", peps_on_time = "PEPs on time", peps_on_time_rate = "PEPs on time at this school", phase_peps_on_time_rate = "PEPs on time, same phase across the authority", peps_green = "PEPs rated green", peps_rated = "PEPs rated", peps_green_rate = "PEPs rated green at this school", phase_peps_green_rate = "PEPs rated green, same phase across the authority", pp_approved_amount = "PP+ approved for this school", children_funded = "Children funded" }
-- units = { overall_absence_rate = "percent", phase_absence_rate = "percent", suspensions_per_100 = "per_100", phase_suspensions_per_100 = "per_100", peps_on_time_rate = "percent", phase_peps_on_time_rate = "percent", peps_green_rate = "percent", phase_peps_green_rate = "percent", pp_approved_amount = "pounds" }
-- description = "For each school with a child in care taking its register in a term, for the run's term and the five before it: the children's absence at that school (sessions at that school, compulsory school age, attendance/sessions_by_term, domain.md section 3), suspensions starting in the term at that school (not permanent exclusions; section 4) of the same children as the denominator (looked after on the day it started, roll/care_periods, and of compulsory school age, 5 to 15 on 31 August: a suspension of a child who has left care, is on short breaks only, is not yet in care or is in Year 12 is not counted) per 100 pupils with marks there, PEPs due in the term naming the school for children looked after on the PEP's due date (roll/care_periods; due by the data's date, the latest attendance mark or PEP held or completed: a PEP not yet due is neither on time nor late), completed on or before the due date and rated green (section 6), and PP+ approved for requests of the term (section 7) with children_funded, the children whose approved requests make up the amount, so disclosure protects the amount by the children it was spent on, not the children on roll. Beside each, the same figure for all children in care at schools of the same phase in the term (the authority's figure for that phase), so a school page compares like with like."
-- params = ["term"]
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- suppress = ["pupils", "suspensions", "peps_due", "peps_on_time", "peps_green", "peps_rated", "children_funded"]
--
-- [[chart]]
-- type = "line"
-- title = "Absence of our children at this school, by term, against all our children in the same phase"
-- x = "term"
-- y = ["overall_absence_rate"]
-- comparators = ["phase_absence_rate"]
-- y_label = "Absence, % of possible sessions"
-- x_label = "Term"
-- unit = "percent"
--
-- [[chart]]
-- name = "peps"
-- type = "line"
-- title = "PEPs completed on time for children at this school, by term, against the same phase"
-- x = "term"
-- y = ["peps_on_time_rate"]
-- comparators = ["phase_peps_on_time_rate"]
-- y_label = "PEPs completed on time, %"
-- x_label = "Term"
-- unit = "percent"
-- ---
WITH shown AS (
  SELECT t.term, t.ordinal, t.start_date, t.end_date, t.season
  FROM terms t CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal AND t.ordinal > p.term_ordinal - 6
),
marks AS (
  SELECT s.term, s.urn, count(DISTINCT s.child) AS pupils,
         sum(s.possible_sessions) AS possible_sessions,
         sum(s.possible_sessions - s.present_sessions) AS absence_sessions
  FROM attendance.sessions_by_term s JOIN shown t ON t.term = s.term
  GROUP BY s.term, s.urn
),
susp AS (
  -- The numerator's children are the denominator's: looked after on the day
  -- (roll/care_periods) and 5 to 15 on 31 August, as attendance/sessions_by_term.
  SELECT t.term, x.urn, count(*) AS suspensions
  FROM suspensions x
  JOIN header h ON h.child = x.child
  JOIN shown t ON x.start_date >= t.start_date AND x.start_date <= t.end_date
  WHERE x.type <> 'permanent'
    AND extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
        - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END BETWEEN 5 AND 15
    AND EXISTS (
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = x.child AND c.decom <= x.start_date AND c.end_date >= x.start_date
    )
  GROUP BY t.term, x.urn
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
  SELECT e.term, e.urn, sum(CASE WHEN e.due_date <= a.as_at THEN 1 ELSE 0 END) AS peps_due,
         sum(CASE WHEN e.due_date <= a.as_at AND e.completed_date IS NOT NULL AND e.completed_date <= e.due_date THEN 1 ELSE 0 END) AS peps_on_time,
         sum(CASE WHEN e.qa_rating = 'green' THEN 1 ELSE 0 END) AS peps_green,
         sum(CASE WHEN e.qa_rating IS NOT NULL THEN 1 ELSE 0 END) AS peps_rated
  FROM peps e JOIN shown t ON t.term = e.term CROSS JOIN as_at a
  WHERE e.urn IS NOT NULL
    AND EXISTS (
      -- Looked after on the due date (roll/care_periods), as peps/timeliness_by_term.
      SELECT 1 FROM roll.care_periods c
      WHERE c.child = e.child AND c.decom <= e.due_date AND c.end_date >= e.due_date
    )
  GROUP BY e.term, e.urn
),
ppp AS (
  SELECT r.term, r.urn, sum(CASE WHEN r.status = 'approved' THEN r.amount ELSE 0 END) AS pp_approved_amount,
         count(DISTINCT CASE WHEN r.status = 'approved' THEN r.child END) AS children_funded
  FROM pp_plus r JOIN shown t ON t.term = r.term
  GROUP BY r.term, r.urn
),
per_school AS (
  SELECT m.term, m.urn, s.phase, m.pupils, m.possible_sessions, m.absence_sessions,
         coalesce(x.suspensions, 0) AS suspensions,
         coalesce(e.peps_due, 0) AS peps_due,
         coalesce(e.peps_on_time, 0) AS peps_on_time,
         coalesce(e.peps_green, 0) AS peps_green,
         coalesce(e.peps_rated, 0) AS peps_rated,
         coalesce(q.pp_approved_amount, 0.0) AS pp_approved_amount,
         coalesce(q.children_funded, 0) AS children_funded
  FROM marks m
  JOIN schools s ON s.urn = m.urn
  LEFT JOIN susp x ON x.term = m.term AND x.urn = m.urn
  LEFT JOIN pep e ON e.term = m.term AND e.urn = m.urn
  LEFT JOIN ppp q ON q.term = m.term AND q.urn = m.urn
),
per_phase AS (
  SELECT term, phase,
         sum(pupils) AS pupils, sum(possible_sessions) AS possible_sessions,
         sum(absence_sessions) AS absence_sessions, sum(suspensions) AS suspensions,
         sum(peps_due) AS peps_due, sum(peps_on_time) AS peps_on_time,
         sum(peps_green) AS peps_green, sum(peps_rated) AS peps_rated
  FROM per_school
  GROUP BY term, phase
)
SELECT w.term, w.urn, w.phase,
       CAST(w.pupils AS BIGINT) AS pupils,
       100.0 * w.absence_sessions / nullif(w.possible_sessions, 0) AS overall_absence_rate,
       100.0 * f.absence_sessions / nullif(f.possible_sessions, 0) AS phase_absence_rate,
       CAST(w.suspensions AS BIGINT) AS suspensions,
       100.0 * w.suspensions / nullif(w.pupils, 0) AS suspensions_per_100,
       100.0 * f.suspensions / nullif(f.pupils, 0) AS phase_suspensions_per_100,
       CAST(w.peps_due AS BIGINT) AS peps_due,
       CAST(w.peps_on_time AS BIGINT) AS peps_on_time,
       100.0 * w.peps_on_time / nullif(w.peps_due, 0) AS peps_on_time_rate,
       100.0 * f.peps_on_time / nullif(f.peps_due, 0) AS phase_peps_on_time_rate,
       CAST(w.peps_green AS BIGINT) AS peps_green,
       CAST(w.peps_rated AS BIGINT) AS peps_rated,
       100.0 * w.peps_green / nullif(w.peps_rated, 0) AS peps_green_rate,
       100.0 * f.peps_green / nullif(f.peps_rated, 0) AS phase_peps_green_rate,
       CAST(w.pp_approved_amount AS DOUBLE) AS pp_approved_amount,
       CAST(w.children_funded AS BIGINT) AS children_funded
FROM per_school w
JOIN per_phase f ON f.term = w.term AND f.phase = w.phase
JOIN shown t ON t.term = w.term
ORDER BY w.urn, t.ordinal
