-- ---
-- id = "post16/activity"
-- version = 2
-- title = "What young people in care and care leavers are doing"
-- description = "Main activity of young people in care aged 16 and over (looked after on some day of the term: a period of roll/care_periods overlapping it, the one definition of being in care, so not a young person on short breaks only or one not yet in care) and care leavers (roll/care_leavers, DfE's definition: looked after for 13 weeks or more that began after 14 and ended after 16, left care by the end of the term; those who died, whose care was transferred to another authority or who returned home at least 6 months before the term ended are left out, as DfE leaves them out of its activity figures; domain.md section 1), from the termly post16 table, each term up to the run's: counts by OC3 activity code group (higher education, other education, apprenticeship, training or employment, NEET for illness or disability, NEET for other reasons, NEET for pregnancy or parenting, not known; domain.md section 9), with EET (any F or P code) and NEET (any G code) rates. Ages are on 31 August (16-17, 18 and 19-21), not DfE's age on the birthday in the collection year, so the rate has its own metric id (post16.eet_rate_age_31_august) and is not set beside DfE's care-leaver figure (post16/eet_by_year is)."
-- params = ["term"]
-- depends_on = ["roll/care_periods", "roll/care_leavers"]
-- suppress = ["young_people", "eet", "neet"]
--
-- [[chart]]
-- type = "line"
-- title = "Young people aged 16 and over in education, employment or training, by term"
-- x = "term"
-- y = ["eet_rate"]
-- series = "age_group"
-- y_label = "In education, employment or training, %"
-- x_label = "Term"
-- unit = "percent"
--
-- [[metric]]
-- id = "post16.eet_rate_age_31_august"
-- label = "In education, employment or training (age on 31 August)"
-- value = "eet_rate"
-- numerator = "eet"
-- denominator = "young_people"
-- time_period = "term"
-- group = "age_group"
-- breakdown = "age_group"
-- unit = "percent"
-- better = "higher"
-- ---
WITH aged AS (
  SELECT a.term, t.ordinal, a.activity,
         extract(year FROM t.start_date) - CASE WHEN t.season = 'autumn' THEN 0 ELSE 1 END
           - extract(year FROM h.dob) - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS age
  FROM post16 a
  JOIN terms t ON t.term = a.term
  JOIN header h ON h.child = a.child
  CROSS JOIN params p
  WHERE t.ordinal <= p.term_ordinal
    AND (EXISTS (
           SELECT 1 FROM roll.care_periods c
           WHERE c.child = a.child AND c.decom <= t.end_date AND c.end_date >= t.start_date
         )
         OR EXISTS (
           SELECT 1 FROM roll.care_leavers l
           WHERE l.child = a.child AND l.left_care < t.end_date
             AND l.activity_exclusion IS NULL
             AND NOT (l.returned_home AND CAST(l.left_care + INTERVAL '6 months' AS DATE) <= t.end_date)
         ))
),
grouped AS (
  SELECT term, ordinal, activity,
         CASE WHEN age <= 17 THEN '16-17' WHEN age = 18 THEN '18' ELSE '19-21' END AS age_group
  FROM aged WHERE age >= 16 AND age <= 21
)
SELECT term, age_group, count(*) AS young_people,
       sum(CASE WHEN substr(activity, 1, 1) IN ('F', 'P') THEN 1 ELSE 0 END) AS eet,
       sum(CASE WHEN substr(activity, 1, 1) = 'G' THEN 1 ELSE 0 END) AS neet,
       sum(CASE WHEN activity IN ('F1', 'P1') THEN 1 ELSE 0 END) AS higher_education,
       sum(CASE WHEN activity IN ('F2', 'P2') THEN 1 ELSE 0 END) AS other_education,
       sum(CASE WHEN activity IN ('F4', 'P4') THEN 1 ELSE 0 END) AS apprenticeship,
       sum(CASE WHEN activity IN ('F5', 'P5') THEN 1 ELSE 0 END) AS training_or_employment,
       sum(CASE WHEN activity = 'G4' THEN 1 ELSE 0 END) AS neet_illness_or_disability,
       sum(CASE WHEN activity = 'G5' THEN 1 ELSE 0 END) AS neet_other,
       sum(CASE WHEN activity = 'G6' THEN 1 ELSE 0 END) AS neet_pregnancy_or_parenting,
       sum(CASE WHEN activity = '0' THEN 1 ELSE 0 END) AS not_known,
       100.0 * sum(CASE WHEN substr(activity, 1, 1) IN ('F', 'P') THEN 1 ELSE 0 END) / count(*) AS eet_rate,
       100.0 * sum(CASE WHEN substr(activity, 1, 1) = 'G' THEN 1 ELSE 0 END) / count(*) AS neet_rate
FROM grouped
GROUP BY term, ordinal, age_group
ORDER BY ordinal, age_group
