-- ---
-- id = "peps/for_team"
-- version = 1
-- title = "PEPs due this term for the report's social work team"
-- labels = { team = "Social work team", peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time", green_rate = "Rated green" }
-- description = "PEPs due in the run's term for one social work team (the report's `team` parameter: `cohort report team-peps --each team`), or for every team when the report is for none: how many were due, how many were completed on or before the due date, and the share rated green by quality assurance (domain.md section 6). A PEP is due once its due date is on or before the data's date (the latest PEP held or completed in the PEP file, the date of its extract): a PEP not yet due is neither on time nor late."
-- params = ["term", "team"]
-- suppress = ["peps_due", "on_time"]
-- ---
WITH as_at AS (
  -- The data's date: a PEP due after it is not yet due, so neither on time nor late.
  SELECT max(d) AS as_at FROM (
    SELECT max(completed_date) AS d FROM peps
    UNION ALL SELECT max(held_date) FROM peps
  )
),
due AS (
  SELECT pe.completed_date, pe.due_date, pe.qa_rating
  FROM peps pe
  CROSS JOIN params p
  CROSS JOIN as_at a
  WHERE pe.term = p.term AND pe.due_date <= a.as_at
    AND (p.team IS NULL OR pe.sw_team = p.team)
),
counted AS (
  SELECT count(*) AS peps_due,
         coalesce(sum(CASE WHEN completed_date IS NOT NULL AND completed_date <= due_date THEN 1 ELSE 0 END), 0) AS on_time,
         coalesce(sum(CASE WHEN qa_rating = 'green' THEN 1 ELSE 0 END), 0) AS green
  FROM due
)
SELECT coalesce(p.team, 'all teams') AS team,
       c.peps_due,
       c.on_time,
       100.0 * c.on_time / nullif(c.peps_due, 0) AS on_time_rate,
       100.0 * c.green / nullif(c.peps_due, 0) AS green_rate
FROM counted c
CROSS JOIN params p
