-- ---
-- id = "roll/by_characteristic"
-- version = 2
-- title = "Children in care at the end of the term, by characteristic"
-- description = "Children looked after on the last day of the term (roll/cla_at_term_end: an open SSDA903 episode, short breaks V3/V4 excluded; domain.md section 1), counted by sex, ethnicity group (from the SSDA903 ETHNIC code), SEN provision (none, SEN support, EHC plan, from the SEN table for the year), primary need, provision on that day (mainstream, special, alternative provision, not in education) and whether the school is inside the authority. One row per breakdown and group, with its share of the roll; year group is in roll/by_year_group."
-- params = ["term"]
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children"]
--
-- [[metric]]
-- id = "roll.children"
-- label = "Children in care on roll"
-- value = "children"
-- time_period = "term"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "count"
-- ---
WITH roll AS (
  SELECT term, child, sex, ethnicity_group,
         CASE sen_status WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END AS sen,
         CASE WHEN sen_status IN ('K', 'E') THEN coalesce(primary_need, 'Not recorded') ELSE 'No SEN' END AS primary_need,
         replace(provision, '_', ' ') AS provision,
         school_location
  FROM roll.cla_at_term_end
),
stacked AS (
  SELECT term, 1 AS b, 'sex' AS breakdown, sex AS "group" FROM roll
  UNION ALL SELECT term, 2, 'ethnicity', ethnicity_group FROM roll
  UNION ALL SELECT term, 3, 'sen_status', sen FROM roll
  UNION ALL SELECT term, 4, 'primary_need', primary_need FROM roll
  UNION ALL SELECT term, 5, 'provision', provision FROM roll
  UNION ALL SELECT term, 6, 'school_location', school_location FROM roll
),
total AS (SELECT count(*) AS n FROM roll)
SELECT s.term, s.breakdown, s."group", count(*) AS children,
       100.0 * count(*) / max(t.n) AS share
FROM stacked s CROSS JOIN total t
GROUP BY s.term, s.b, s.breakdown, s."group"
ORDER BY s.b, s."group"
