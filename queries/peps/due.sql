-- ---
-- id = "peps/due"
-- version = 1
-- title = "PEPs owed: each PEP of a child looked after on its due date"
-- description = "Every PEP in the peps table of a term up to the run's term whose child was looked after on the PEP's due date (roll/care_periods: no PEP is owed for a child on short breaks only, one who had left care or one not yet in care; domain.md section 6), with its term's place and academic year, whether it was due by the data's date (is_due: the due date on or before the latest completed or held date in the data, so a PEP not yet due is neither on time nor late) and whether it was completed on or before the due date (is_on_time, of PEPs due). The PEP timeliness and quality analyses count these rows."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
WITH as_at AS (
  -- The data's date: a PEP due after it is not yet due, so neither on time nor late.
  SELECT max(d) AS as_at FROM (
    SELECT max(completed_date) AS d FROM peps
    UNION ALL SELECT max(held_date) FROM peps
  )
)
SELECT pe.*, t.ordinal, t.academic_year,
       CASE WHEN pe.due_date <= a.as_at THEN 1 ELSE 0 END AS is_due,
       CASE WHEN pe.due_date <= a.as_at AND pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END AS is_on_time
FROM peps pe
JOIN terms t ON t.term = pe.term
CROSS JOIN params p
CROSS JOIN as_at a
WHERE t.ordinal <= p.term_ordinal
  AND EXISTS (
    SELECT 1 FROM roll.care_periods c
    WHERE c.child = pe.child AND c.decom <= pe.due_date AND c.end_date >= pe.due_date
  )
ORDER BY t.ordinal, pe.child, pe.due_date
