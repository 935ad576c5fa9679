-- ---
-- id = "peps/by_group"
-- version = 5
-- title = "PEP timeliness and quality by year, team, school phase and location"
-- labels = { peps_due = "PEPs due", on_time = "On time", on_time_rate = "Completed on time", qa_green_rate = "Rated green", not_rated = "Not rated", flag = "Late cluster" }
-- description = "Personal Education Plans due for children in care (domain.md section 6), a PEP counting only when the child was looked after on its due date (roll/care_periods, the one definition of being in care: not a child on short breaks only, one who had left care by then or one not yet in care; domain.md section 1): completed by the due date (on time), and the quality assurance distribution (green, amber, red, not rated), per academic year up to the run's term, and for the run's academic year by social work team, phase of the school named on the PEP, and whether that school is inside the authority. Late clusters: a group is flagged when its on-time rate is 10 points or more below the rate for all PEPs that year and it has 10 or more PEPs due. A PEP is due once its due date is on or before the data's date (the latest PEP held or completed in the PEP file, the date of its extract): a PEP not yet due is neither on time nor late (its quality assurance rating still counts)."
-- params = ["term"]
-- depends_on = ["peps/due"]
-- suppress = ["peps_due", "on_time", "green", "amber", "red", "not_rated"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "PEPs completed on time this year, by group"
-- x = "group"
-- y = ["on_time_rate"]
-- y_label = "PEPs completed by the due date, %"
-- unit = "percent"
--
-- [[metric]]
-- id = "peps.on_time_rate"
-- label = "PEPs completed on time"
-- value = "on_time_rate"
-- numerator = "on_time"
-- denominator = "peps_due"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "peps.qa_green_rate"
-- label = "PEPs rated green"
-- value = "qa_green_rate"
-- numerator = "green"
-- denominator = "rated"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "higher"
-- ---
WITH due AS (
  SELECT d.academic_year, d.sw_team, d.qa_rating, d.is_on_time, d.is_due,
         coalesce(s.phase, 'no school named') AS phase,
         CASE WHEN s.urn IS NULL THEN 'no school named' WHEN s.in_authority THEN 'in authority' ELSE 'out of authority' END AS location
  FROM peps.due d
  LEFT JOIN schools s ON s.urn = d.urn
),
stacked AS (
  SELECT 1 AS b, 'all' AS breakdown, 'all' AS "group", d.academic_year AS year, d.is_on_time AS ok, d.is_due AS due, d.qa_rating AS qa FROM due d
  UNION ALL
  SELECT 2, 'sw_team', d.sw_team, d.academic_year, d.is_on_time, d.is_due, d.qa_rating FROM due d CROSS JOIN params p WHERE d.academic_year = p.academic_year
  UNION ALL
  SELECT 3, 'phase', d.phase, d.academic_year, d.is_on_time, d.is_due, d.qa_rating FROM due d CROSS JOIN params p WHERE d.academic_year = p.academic_year
  UNION ALL
  SELECT 4, 'school_location', d.location, d.academic_year, d.is_on_time, d.is_due, d.qa_rating FROM due d CROSS JOIN params p WHERE d.academic_year = p.academic_year
),
counted AS (
  SELECT b, breakdown, "group", year AS academic_year,
         sum(due) AS peps_due, sum(ok) AS on_time,
         sum(CASE WHEN qa = 'green' THEN 1 ELSE 0 END) AS green,
         sum(CASE WHEN qa = 'amber' THEN 1 ELSE 0 END) AS amber,
         sum(CASE WHEN qa = 'red' THEN 1 ELSE 0 END) AS red,
         sum(CASE WHEN qa IS NULL THEN 1 ELSE 0 END) AS not_rated,
         sum(CASE WHEN qa IS NOT NULL THEN 1 ELSE 0 END) AS rated
  FROM stacked GROUP BY b, breakdown, "group", year
),
overall AS (SELECT academic_year, 100.0 * on_time / nullif(peps_due, 0) AS rate FROM counted WHERE b = 1)
SELECT c.academic_year, c.breakdown, c."group", c.peps_due, c.on_time,
       100.0 * c.on_time / nullif(c.peps_due, 0) AS on_time_rate,
       c.green, c.amber, c.red, c.not_rated, c.rated,
       100.0 * c.green / nullif(c.rated, 0) AS qa_green_rate,
       CASE WHEN c.b > 1 AND c.peps_due >= 10 AND 100.0 * c.on_time / c.peps_due <= o.rate - 10
            THEN 'late PEPs cluster here' ELSE '' END AS flag
FROM counted c JOIN overall o ON o.academic_year = c.academic_year
ORDER BY c.academic_year, c.b, c."group"
