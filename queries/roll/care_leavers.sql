-- ---
-- id = "roll/care_leavers"
-- version = 1
-- title = "Care leavers: who has left care as DfE counts care leavers"
-- description = "One row per young person who is a care leaver by DfE's definition (Children looked after in England, methodology; domain.md section 1), read from roll/care_periods, the one definition of being looked after (short breaks V3/V4 left out, so a young person looked after only under short breaks is never a care leaver; care ending the day before the 18th birthday): looked after for at least 13 weeks (91 days, counted from the 14th birthday) which began after the age of 14, and whose care ended after the age of 16 (the last day looked after on or after the 16th birthday). left_care is the last day looked after (a care leaver from the day after); reason_left is the REC of the episode that ended it (empty where the 18th birthday ended it). DfE's care-leaver activity figures leave out those who died (E2), whose care was transferred to another authority (E3) and those who returned home to parents (E4A, E4B, E13) for at least 6 months: activity_exclusion names the first two; returned_home is true for the third, and the analyses that count activity judge the 6 months against their own date. Analyses that ask 'is this young person a care leaver on a date' read this table and check left_care is before the date."
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
WITH periods AS (
  SELECT c.child, c.decom, c.end_date, c.rec, c.aged_out,
         CAST(h.dob + INTERVAL '14 years' AS DATE) AS birthday_14,
         CAST(h.dob + INTERVAL '16 years' AS DATE) AS birthday_16
  FROM roll.care_periods c
  JOIN header h ON h.child = c.child
),
per_child AS (
  SELECT child,
         sum(CASE WHEN end_date >= birthday_14
                  THEN CAST(end_date - CASE WHEN decom > birthday_14 THEN decom ELSE birthday_14 END AS BIGINT) + 1
                  ELSE 0 END) AS days_from_14,
         max(end_date) AS left_care,
         min(birthday_16) AS birthday_16
  FROM periods
  GROUP BY child
),
last_period AS (
  SELECT child, rec, aged_out FROM (
    SELECT child, rec, aged_out,
           row_number() OVER (PARTITION BY child ORDER BY end_date DESC, decom DESC) AS k
    FROM periods
  ) WHERE k = 1
)
SELECT c.child, c.left_care,
       CAST(c.days_from_14 AS BIGINT) AS days_looked_after_from_14,
       CASE WHEN l.aged_out THEN CAST(NULL AS VARCHAR) ELSE l.rec END AS reason_left,
       CASE WHEN l.aged_out THEN CAST(NULL AS VARCHAR)
            WHEN l.rec = 'E2' THEN 'died'
            WHEN l.rec = 'E3' THEN 'transferred to another authority'
            ELSE CAST(NULL AS VARCHAR) END AS activity_exclusion,
       CASE WHEN NOT l.aged_out AND l.rec IN ('E4A', 'E4B', 'E13') THEN true ELSE false END AS returned_home
FROM per_child c
JOIN last_period l ON l.child = c.child
WHERE c.days_from_14 >= 91
  AND c.left_care >= c.birthday_16
ORDER BY c.child
