-- ---
-- id = "roll/school_moves"
-- version = 1
-- title = "School moves, child by child"
-- description = "One row per school move (domain.md section 2: school moves come from enrolment records, not the SSDA903): a child starting on the roll of a school (mainstream, special or alternative provision) when the enrolment before it, by start date, was at a different school. A dual registration at alternative provision (an alternative-provision enrolment that starts while the child is on another school's roll) is not a school move and is not the school moved from; a sole registration at alternative provision is. Early-years and post-16 enrolments are left out. A child's first enrolment is not a move. Every move is listed whatever the child's care status; the analyses that read this pick the children and dates they count."
-- level = "child"
-- ---
WITH rolls AS (
  SELECT child, urn, start_date, end_date, provision
  FROM enrolments
  WHERE provision IN ('mainstream', 'special', 'alternative_provision')
),
dual AS (
  SELECT DISTINCT a.child, a.urn, a.start_date
  FROM rolls a
  JOIN rolls m ON m.child = a.child AND m.provision <> 'alternative_provision'
   AND m.start_date <= a.start_date AND (m.end_date IS NULL OR m.end_date >= a.start_date)
  WHERE a.provision = 'alternative_provision'
),
held AS (
  SELECT r.child, r.urn, r.start_date, r.provision
  FROM rolls r
  LEFT JOIN dual d ON d.child = r.child AND d.urn = r.urn AND d.start_date = r.start_date
  WHERE d.child IS NULL
),
ordered AS (
  SELECT child, urn, start_date, provision,
         lag(urn) OVER (PARTITION BY child ORDER BY start_date, urn) AS from_urn
  FROM held
)
SELECT child, start_date AS move_date, from_urn, urn AS to_urn, provision
FROM ordered
WHERE from_urn IS NOT NULL AND from_urn <> urn
ORDER BY child, move_date
