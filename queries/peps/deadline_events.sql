-- ---
-- id = "peps/deadline_events"
-- version = 1
-- title = "PEP deadlines: each event that starts one, and how it was met"
-- description = "One row per event that starts a statutory PEP deadline, the rows peps/statutory_deadlines counts (its description gives every rule): each new period of care (20 school days) and each change of school while looked after (10 school days) up to the run's term, with the social work team and school it is judged under and its status (on time, late, not held, not yet due). Kept as its own result so that the counts by year, team and school read it once."
-- params = ["term"]
-- depends_on = ["roll/care_periods", "roll/school_moves", "attendance/days"]
-- level = "child"
-- ---
WITH school_days AS (
  SELECT date AS day FROM attendance.days WHERE open_to_pupils
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
  SELECT e.child, e.event_date, e.academic_year, e.event,
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
)
SELECT child, academic_year, event, event_date, sw_team, school, status
FROM judged
ORDER BY child, event_date, event, status, sw_team, school
