-- ---
-- id = "peps/timeliness_by_team"
-- version = 1
-- title = "PEP timeliness by social work team, this term"
-- labels = { sw_team = "Social work team", peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time" }
-- description = "Where late PEPs cluster: PEPs due in the run's term by social work team, with the share completed on or before the due date (domain.md section 6)."
-- params = ["term"]
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
SELECT pe.sw_team,
       count(*) AS peps_due,
       sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) AS on_time,
       100.0 * sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) / count(*) AS on_time_rate
FROM peps pe
CROSS JOIN params p
WHERE pe.term = p.term
GROUP BY pe.sw_team
ORDER BY on_time_rate, pe.sw_team
