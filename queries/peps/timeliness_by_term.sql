-- ---
-- id = "peps/timeliness_by_term"
-- version = 1
-- title = "PEP timeliness and quality by term"
-- labels = { peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time", qa_green_rate = "Rated green", not_completed = "Not completed" }
-- description = "Personal Education Plans due in each term up to the run's (domain.md section 6): on time = completed on or before the Virtual School's due date; not completed counts as not on time. QA green rate = green ratings / PEPs rated."
-- params = ["term"]
-- suppress = ["peps_due", "on_time", "late", "not_completed", "rated", "green", "amber", "red"]
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
-- value = "on_time_rate"
-- numerator = "on_time"
-- denominator = "peps_due"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "peps.qa_green_rate"
-- value = "qa_green_rate"
-- numerator = "green"
-- denominator = "rated"
-- time_period = "term"
-- unit = "percent"
-- ---
SELECT t.term,
       count(*) AS peps_due,
       sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) AS on_time,
       sum(CASE WHEN pe.completed_date > pe.due_date THEN 1 ELSE 0 END) AS late,
       sum(CASE WHEN pe.completed_date IS NULL THEN 1 ELSE 0 END) AS not_completed,
       100.0 * sum(CASE WHEN pe.completed_date IS NOT NULL AND pe.completed_date <= pe.due_date THEN 1 ELSE 0 END) / count(*) AS on_time_rate,
       sum(CASE WHEN pe.qa_rating IS NOT NULL THEN 1 ELSE 0 END) AS rated,
       sum(CASE WHEN pe.qa_rating = 'green' THEN 1 ELSE 0 END) AS green,
       sum(CASE WHEN pe.qa_rating = 'amber' THEN 1 ELSE 0 END) AS amber,
       sum(CASE WHEN pe.qa_rating = 'red' THEN 1 ELSE 0 END) AS red,
       100.0 * sum(CASE WHEN pe.qa_rating = 'green' THEN 1 ELSE 0 END)
         / nullif(sum(CASE WHEN pe.qa_rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS qa_green_rate
FROM peps pe
JOIN terms t ON t.term = pe.term
CROSS JOIN params p
WHERE t.ordinal <= p.term_ordinal
GROUP BY t.term, t.ordinal
ORDER BY t.ordinal
