-- ---
-- id = "peps/timeliness_by_team"
-- version = 5
-- title = "PEP timeliness by social work team, this term"
-- labels = { sw_team = "Social work team", peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time" }
-- description = "Where late PEPs cluster: PEPs due in the run's term by social work team, with the share completed on or before the due date (domain.md section 6). A PEP counts only when the child was looked after on its due date (roll/care_periods, the one definition of being in care: not a child on short breaks only, one who had left care by then or one not yet in care; domain.md section 1). A PEP is due once its due date is on or before the data's date (the latest PEP held or completed in the PEP file, the date of its extract): a PEP not yet due is neither on time nor late."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- suppress = ["peps_due", "on_time"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "PEPs completed on time by social work team"
-- x = "sw_team"
-- y = ["on_time_rate"]
-- y_label = "PEPs on time, %"
-- unit = "percent"
-- ---
WITH as_at AS (
  -- The data's date: a PEP due after it is not yet due, so neither on time nor late.
  SELECT max(d) AS as_at FROM (
    SELECT max(completed_date) AS d FROM peps
    UNION ALL SELECT max(held_date) FROM peps
  )
)
SELECT pe.sw_team,
       count(*) AS peps_due,
       sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) AS on_time,
       100.0 * sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) / count(*) AS on_time_rate
FROM peps pe
CROSS JOIN params p
WHERE pe.term = p.term AND pe.due_date <= (SELECT as_at FROM as_at)
  AND EXISTS (
    -- Looked after on the due date (roll/care_periods): no PEP is owed for a child on
    -- short breaks only, one who had left care or one not yet in care.
    SELECT 1 FROM roll.care_periods c
    WHERE c.child = pe.child AND c.decom <= pe.due_date AND c.end_date >= pe.due_date
  )
GROUP BY pe.sw_team
ORDER BY on_time_rate, pe.sw_team
