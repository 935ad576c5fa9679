-- ---
-- id = "peps/statutory_deadlines"
-- version = 2
-- title = "PEPs within 20 school days of entering care and 10 school days of a change of school"
-- labels = { entries_due = "Came into care (PEP due)", entries_on_time = "PEP within 20 school days", entries_late = "PEP later", entries_not_held = "No PEP yet, overdue", entries_not_yet_due = "Not yet due", entry_on_time_rate = "Initial PEP within 20 school days", changes_due = "Changed school (PEP due)", changes_on_time = "PEP within 10 school days", changes_late = "PEP later", changes_not_held = "No PEP yet, overdue", changes_not_yet_due = "Not yet due", change_on_time_rate = "New PEP within 10 school days of a school change", flag = "Late cluster" }
-- description = "Two PEP deadlines (domain.md section 6), per academic year up to the run's term, and for the run's academic year by social work team and by school. Entering care: each new period of care by the one definition of being in care (roll/care_periods: short breaks V3/V4 left out, care ending at 18; domain.md section 1), that is a period that does not continue another ending that day or the day before, so a child on short breaks who then becomes looked after (a legal status change, RNE L) enters care on that day, and a child on short breaks only never does; of a child aged 3 or over; the PEP is initiated on time when the child's first PEP meeting (held_date) on or after that day falls within 20 school days of it. Change of school: each school move (roll/school_moves; a dual registration at alternative provision is not one) while the child is looked after; on time when a PEP meeting is held within 10 school days of the first day at the new school. A school day is a day on which the attendance feed holds a mark other than # (school closed) for any child, so holidays are not counted; events before the first such day are left out (no calendar to count with). School days are counted from the day after the event to the meeting. An event with no meeting yet is overdue once its school days have passed by the end of the run's term, else not yet due and left out of the rate; a meeting after the end of the run's term is not counted. Team: that of the child's first PEP due on or after the event, else their last before it. School: the school the child was on the roll of on the day (for a change of school, the new one). The 20- and 10-day rules are the ones many Virtual Schools set (the 10-day rule is local practice, unconfirmed nationally). Late clusters: a team or school 10 points or more below the year's rate with 10 or more events."
-- params = ["term"]
-- depends_on = ["roll/care_periods", "roll/school_moves"]
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
WITH school_days AS (
  SELECT DISTINCT date AS day FROM attendance WHERE mark <> '#'
),
calendar AS (
  SELECT min(day) AS first_day FROM school_days
),
entries AS (
  SELECT c.child, c.decom AS event_date, 'entering care' AS event, 20 AS allowed
  FROM roll.care_periods c
  JOIN header h ON h.child = c.child
  WHERE CAST(h.dob + INTERVAL '3 years' AS DATE) <= c.decom
    -- A new period of care: no earlier period of the child's runs up to this one (ending
    -- the day it starts or the day before). Short breaks are not in roll/care_periods, so
    -- care that follows short breaks starts a period, whatever the episode's RNE.
    AND NOT EXISTS (
      SELECT 1 FROM roll.care_periods o
      WHERE o.child = c.child AND o.decom < c.decom
        AND o.end_date >= CAST(c.decom - INTERVAL '1 day' AS DATE)
    )
),
changes AS (
  SELECT DISTINCT m.child, m.move_date AS event_date, 'change of school' AS event, 10 AS allowed
  FROM roll.school_moves m
  JOIN roll.care_periods c ON c.child = m.child AND m.move_date >= c.decom AND m.move_date <= c.end_date
),
events AS (
  SELECT e.child, e.event_date, e.event, e.allowed, t.academic_year
  FROM (SELECT * FROM entries UNION ALL SELECT * FROM changes) e
  CROSS JOIN calendar k
  CROSS JOIN params p
  JOIN terms t ON e.event_date >= t.start_date AND e.event_date <= t.end_date
  WHERE e.event_date >= k.first_day AND t.ordinal <= p.term_ordinal
),
met AS (
  SELECT child, event, event_date, held_date FROM (
    SELECT e.child, e.event, e.event_date, pe.held_date,
           row_number() OVER (PARTITION BY e.child, e.event, e.event_date ORDER BY pe.held_date) AS k
    FROM events e
    CROSS JOIN params p
    JOIN peps pe ON pe.child = e.child AND pe.held_date >= e.event_date AND pe.held_date <= p.term_end
  ) first_meeting
  WHERE k = 1
),
days_to_meeting AS (
  SELECT m.child, m.event, m.event_date, count(d.day) AS school_days
  FROM met m
  LEFT JOIN school_days d ON d.day > m.event_date AND d.day <= m.held_date
  GROUP BY m.child, m.event, m.event_date
),
days_so_far AS (
  SELECT e.child, e.event, e.event_date, count(d.day) AS school_days
  FROM events e
  CROSS JOIN params p
  LEFT JOIN school_days d ON d.day > e.event_date AND d.day <= p.term_end
  GROUP BY e.child, e.event, e.event_date
),
team AS (
  SELECT child, event, event_date, sw_team FROM (
    SELECT e.child, e.event, e.event_date, pe.sw_team,
           row_number() OVER (PARTITION BY e.child, e.event, e.event_date
                              ORDER BY CASE WHEN pe.due_date >= e.event_date THEN 0 ELSE 1 END,
                                       CASE WHEN pe.due_date >= e.event_date THEN pe.due_date END,
                                       pe.due_date DESC) AS k
    FROM events e
    JOIN peps pe ON pe.child = e.child
  ) nearest
  WHERE k = 1
),
school AS (
  SELECT child, event, event_date, urn FROM (
    SELECT e.child, e.event, e.event_date, en.urn,
           row_number() OVER (PARTITION BY e.child, e.event, e.event_date
                              ORDER BY CASE WHEN en.provision = 'alternative_provision' THEN 1 ELSE 0 END,
                                       en.start_date DESC, en.urn) AS k
    FROM events e
    JOIN enrolments en ON en.child = e.child
     AND en.provision IN ('mainstream', 'special', 'alternative_provision')
     AND en.start_date <= e.event_date AND (en.end_date IS NULL OR en.end_date >= e.event_date)
  ) on_roll
  WHERE k = 1
),
judged AS (
  SELECT e.academic_year, e.event,
         coalesce(tm.sw_team, 'team not known') AS sw_team,
         coalesce(s.name, 'not on a school roll') AS school,
         CASE WHEN dm.school_days IS NOT NULL AND dm.school_days <= e.allowed THEN 'on time'
              WHEN dm.school_days IS NOT NULL THEN 'late'
              WHEN sf.school_days > e.allowed THEN 'not held'
              ELSE 'not yet due' END AS status
  FROM events e
  LEFT JOIN days_to_meeting dm ON dm.child = e.child AND dm.event = e.event AND dm.event_date = e.event_date
  LEFT JOIN days_so_far sf ON sf.child = e.child AND sf.event = e.event AND sf.event_date = e.event_date
  LEFT JOIN team tm ON tm.child = e.child AND tm.event = e.event AND tm.event_date = e.event_date
  LEFT JOIN school sc ON sc.child = e.child AND sc.event = e.event AND sc.event_date = e.event_date
  LEFT JOIN schools s ON s.urn = sc.urn
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
