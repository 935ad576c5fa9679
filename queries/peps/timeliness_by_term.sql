-- ---
-- id = "peps/timeliness_by_term"
-- version = 5
-- title = "PEP timeliness and quality by term"
-- labels = { peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time", qa_green_rate = "Rated green", not_completed = "Not completed" }
-- description = "Personal Education Plans due in each term up to the run's (domain.md section 6) for children in care: a PEP counts only when the child was looked after on its due date (roll/care_periods, the one definition of being in care: not a child on short breaks only, one who had left care by then or one not yet in care; domain.md section 1). on time = completed on or before the Virtual School's due date; not completed by a due date that has passed counts as not on time. A PEP is due once its due date is on or before the data's date (the latest PEP held or completed in the PEP file, the date of its extract): a PEP not yet due is neither on time nor late, and is left out of PEPs due (peps_not_yet_due counts them). QA green rate = green ratings / PEPs rated."
-- params = ["term"]
-- depends_on = ["peps/due"]
-- suppress = ["peps_due", "on_time", "late", "not_completed", "peps_not_yet_due", "rated", "green", "amber", "red"]
--
-- [[chart]]
-- type = "line"
-- title = "PEPs completed on time and rated green, by term"
-- x = "term"
-- y = ["on_time_rate", "qa_green_rate"]
-- y_label = "PEPs, %"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "peps.on_time_rate"
-- label = "PEPs completed on time"
-- value = "on_time_rate"
-- numerator = "on_time"
-- denominator = "peps_due"
-- time_period = "term"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "peps.qa_green_rate"
-- label = "PEPs rated green"
-- value = "qa_green_rate"
-- numerator = "green"
-- denominator = "rated"
-- time_period = "term"
-- unit = "percent"
-- better = "higher"
-- ---
WITH flagged AS (
  SELECT d.*, d.term AS t_term FROM peps.due d
)
SELECT t_term AS term,
       sum(is_due) AS peps_due,
       sum(CASE WHEN is_due = 1 AND completed_date IS NOT NULL AND completed_date <= due_date THEN 1 ELSE 0 END) AS on_time,
       sum(CASE WHEN is_due = 1 AND completed_date > due_date THEN 1 ELSE 0 END) AS late,
       sum(CASE WHEN is_due = 1 AND completed_date IS NULL THEN 1 ELSE 0 END) AS not_completed,
       100.0 * sum(CASE WHEN is_due = 1 AND completed_date IS NOT NULL AND completed_date <= due_date THEN 1 ELSE 0 END)
         / nullif(sum(is_due), 0) AS on_time_rate,
       sum(1 - is_due) AS peps_not_yet_due,
       sum(CASE WHEN qa_rating IS NOT NULL THEN 1 ELSE 0 END) AS rated,
       sum(CASE WHEN qa_rating = 'green' THEN 1 ELSE 0 END) AS green,
       sum(CASE WHEN qa_rating = 'amber' THEN 1 ELSE 0 END) AS amber,
       sum(CASE WHEN qa_rating = 'red' THEN 1 ELSE 0 END) AS red,
       100.0 * sum(CASE WHEN qa_rating = 'green' THEN 1 ELSE 0 END)
         / nullif(sum(CASE WHEN qa_rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS qa_green_rate
FROM flagged
GROUP BY t_term, ordinal
ORDER BY ordinal
