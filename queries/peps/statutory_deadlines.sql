-- ---
-- id = "peps/statutory_deadlines"
-- version = 4
-- title = "PEPs within 20 school days of entering care and 10 school days of a change of school"
-- labels = { entries_due = "Came into care (PEP due)", entries_on_time = "PEP within 20 school days", entries_late = "Initial PEP later", entries_not_held = "No initial PEP yet, overdue", entries_not_yet_due = "Initial PEP not yet due", entry_on_time_rate = "Initial PEP within 20 school days", changes_due = "Changed school (PEP due)", changes_on_time = "PEP within 10 school days", changes_late = "New PEP later", changes_not_held = "No new PEP yet, overdue", changes_not_yet_due = "New PEP not yet due", change_on_time_rate = "New PEP within 10 school days of a school change", flag = "Late cluster" }
-- description = "Two PEP deadlines (domain.md section 6), per academic year up to the run's term, and for the run's academic year by social work team and by school. Entering care: each new period of care by the one definition of being in care (roll/care_periods: short breaks V3/V4 left out, care ending at 18; domain.md section 1), that is a period that does not continue another ending that day or the day before, so a child on short breaks who then becomes looked after (a legal status change, RNE L) enters care on that day, and a child on short breaks only never does; of a child aged 3 or over; the PEP is initiated on time when the child's first PEP meeting (held_date) on or after that day falls within 20 school days of it. Change of school: each school move (roll/school_moves; a dual registration at alternative provision is not one) while the child is looked after; on time when a PEP meeting is held within 10 school days of the first day at the new school. A school day is a day on which the attendance feed holds a mark other than # (school closed) for any child, so holidays are not counted; events before the first such day are left out (no calendar to count with). School days are counted from the day after the event to the meeting. An event with no meeting yet is overdue once its school days have passed by the end of the run's term, else not yet due and left out of the rate; a meeting after the end of the run's term is not counted. Team: that of the child's first PEP due on or after the event, else their last before it. School: the school the child was on the roll of on the day (for a change of school, the new one). The 20- and 10-day rules are the ones many Virtual Schools set (the 10-day rule is local practice, unconfirmed nationally). Late clusters: a team or school 10 points or more below the year's rate with 10 or more events."
-- params = ["term"]
-- depends_on = ["peps/deadline_events"]
-- suppress = ["entries_due", "entries_on_time", "entries_late", "entries_not_held", "entries_not_yet_due", "changes_due", "changes_on_time", "changes_late", "changes_not_held", "changes_not_yet_due"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Initial PEPs within 20 school days of entering care, this year, by team and school"
-- x = "group"
-- y = ["entry_on_time_rate"]
-- y_label = "Children coming into care with a PEP within 20 school days, %"
-- unit = "percent"
--
-- [[chart]]
-- type = "h_bar"
-- title = "New PEPs within 10 school days of a change of school, this year, by team and school"
-- x = "group"
-- y = ["change_on_time_rate"]
-- y_label = "School changes followed by a PEP within 10 school days, %"
-- unit = "percent"
--
-- [[metric]]
-- id = "peps.initiated_on_time_rate"
-- value = "entry_on_time_rate"
-- numerator = "entries_on_time"
-- denominator = "entries_due"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "higher"
-- label = "Initial PEP within 20 school days of entering care"
--
-- [[metric]]
-- id = "peps.school_change_on_time_rate"
-- value = "change_on_time_rate"
-- numerator = "changes_on_time"
-- denominator = "changes_due"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "higher"
-- label = "New PEP within 10 school days of a change of school"
-- ---
WITH judged AS (
  SELECT academic_year, event, sw_team, school, status FROM peps.deadline_events
),
stacked AS (
  SELECT 1 AS b, 'all' AS breakdown, 'all' AS "group", j.academic_year, j.event, j.status FROM judged j
  UNION ALL
  SELECT 2, 'sw_team', j.sw_team, j.academic_year, j.event, j.status FROM judged j CROSS JOIN params p WHERE j.academic_year = p.academic_year
  UNION ALL
  SELECT 3, 'school', j.school, j.academic_year, j.event, j.status FROM judged j CROSS JOIN params p WHERE j.academic_year = p.academic_year
),
counted AS (
  SELECT b, breakdown, "group", academic_year,
         sum(CASE WHEN event = 'entering care' AND status <> 'not yet due' THEN 1 ELSE 0 END) AS entries_due,
         sum(CASE WHEN event = 'entering care' AND status = 'on time' THEN 1 ELSE 0 END) AS entries_on_time,
         sum(CASE WHEN event = 'entering care' AND status = 'late' THEN 1 ELSE 0 END) AS entries_late,
         sum(CASE WHEN event = 'entering care' AND status = 'not held' THEN 1 ELSE 0 END) AS entries_not_held,
         sum(CASE WHEN event = 'entering care' AND status = 'not yet due' THEN 1 ELSE 0 END) AS entries_not_yet_due,
         sum(CASE WHEN event = 'change of school' AND status <> 'not yet due' THEN 1 ELSE 0 END) AS changes_due,
         sum(CASE WHEN event = 'change of school' AND status = 'on time' THEN 1 ELSE 0 END) AS changes_on_time,
         sum(CASE WHEN event = 'change of school' AND status = 'late' THEN 1 ELSE 0 END) AS changes_late,
         sum(CASE WHEN event = 'change of school' AND status = 'not held' THEN 1 ELSE 0 END) AS changes_not_held,
         sum(CASE WHEN event = 'change of school' AND status = 'not yet due' THEN 1 ELSE 0 END) AS changes_not_yet_due
  FROM stacked
  GROUP BY b, breakdown, "group", academic_year
),
rated AS (
  SELECT *,
         100.0 * entries_on_time / nullif(entries_due, 0) AS entry_on_time_rate,
         100.0 * changes_on_time / nullif(changes_due, 0) AS change_on_time_rate
  FROM counted
)
SELECT r.academic_year, r.breakdown, r."group",
       r.entries_due, r.entries_on_time, r.entries_late, r.entries_not_held, r.entries_not_yet_due, r.entry_on_time_rate,
       r.changes_due, r.changes_on_time, r.changes_late, r.changes_not_held, r.changes_not_yet_due, r.change_on_time_rate,
       CASE WHEN r.breakdown <> 'all'
             AND ((r.entries_due >= 10 AND r.entry_on_time_rate <= a.entry_on_time_rate - 10)
               OR (r.changes_due >= 10 AND r.change_on_time_rate <= a.change_on_time_rate - 10))
            THEN 'late cluster' ELSE '' END AS flag
FROM rated r
LEFT JOIN rated a ON a.breakdown = 'all' AND a.academic_year = r.academic_year
ORDER BY r.academic_year, r.b, r."group"
