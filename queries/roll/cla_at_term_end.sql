-- ---
-- id = "roll/cla_at_term_end"
-- version = 4
-- title = "Children in care at the end of the term"
-- description = "One row per child looked after on the last day of the term (a period looked after open that day, roll/care_periods: short breaks V3/V4 excluded and care ending the day before the 18th birthday, so an episode left open for someone now 18 or over does not put them on the roll), with year group from age on 31 August (domain.md sections 1-2), sex, ethnicity (SSDA903 code and its group), SEN status for the year, and the school on roll that day with its provision, both from the same enrolment: for a dual-registered child the main registration (an enrolment not at alternative provision), else the one that started last."
-- params = ["term"]
-- depends_on = ["roll/care_periods"]
-- level = "child"
-- ---
WITH open_episodes AS (
  SELECT DISTINCT e.child
  FROM roll.care_periods e CROSS JOIN params p
  WHERE e.decom <= p.term_end
    AND e.end_date >= p.term_end
),
ages AS (
  SELECT h.child,
         h.sex,
         h.ethnic,
         extract(year FROM p.year_start) - extract(year FROM h.dob)
           - CASE WHEN extract(month FROM h.dob) >= 9 THEN 1 ELSE 0 END AS age_at_31_august
  FROM header h
  JOIN open_episodes o ON o.child = h.child
  CROSS JOIN params p
),
school_at_end AS (
  -- One enrolment per child, so the school and its provision agree: the main registration
  -- (not alternative provision) of a dual-registered child, else the latest to start.
  SELECT child, urn, provision FROM (
    SELECT en.child, en.urn, en.provision,
           row_number() OVER (PARTITION BY en.child
                              ORDER BY CASE WHEN en.provision = 'alternative_provision' THEN 1 ELSE 0 END,
                                       en.start_date DESC, en.urn) AS k
    FROM enrolments en CROSS JOIN params p
    WHERE en.start_date <= p.term_end AND (en.end_date IS NULL OR en.end_date >= p.term_end)
  ) WHERE k = 1
)
SELECT p.term,
       a.child,
       CASE WHEN a.sex IN ('1', 'M') THEN 'Male' WHEN a.sex IN ('2', 'F') THEN 'Female' ELSE 'Unknown' END AS sex,
       a.ethnic,
       CASE WHEN a.ethnic IN ('REFU', 'NOBT') THEN 'Not known'
            WHEN substr(a.ethnic, 1, 1) = 'W' THEN 'White'
            WHEN substr(a.ethnic, 1, 1) = 'M' THEN 'Mixed'
            WHEN substr(a.ethnic, 1, 1) = 'A' THEN 'Asian'
            WHEN substr(a.ethnic, 1, 1) = 'B' THEN 'Black'
            ELSE 'Other' END AS ethnicity_group,
       CAST(a.age_at_31_august AS BIGINT) AS age_at_31_august,
       CAST(a.age_at_31_august - 4 AS BIGINT) AS year_order,
       CASE
         WHEN a.age_at_31_august < 4 THEN 'Early years'
         WHEN a.age_at_31_august = 4 THEN 'Reception'
         WHEN a.age_at_31_august <= 17 THEN concat('Year ', CAST(CAST(a.age_at_31_august - 4 AS BIGINT) AS VARCHAR))
         ELSE 'Post-18'
       END AS year_group,
       coalesce(s.sen_status, 'N') AS sen_status,
       s.primary_need,
       sc.urn,
       coalesce(sc.provision, 'not in education') AS provision,
       CASE WHEN sc.urn IS NULL THEN 'not in school'
            WHEN sch.in_authority THEN 'in authority'
            ELSE 'out of authority' END AS school_location
FROM ages a
CROSS JOIN params p
LEFT JOIN sen s ON s.child = a.child AND s.academic_year = p.academic_year
LEFT JOIN school_at_end sc ON sc.child = a.child
LEFT JOIN schools sch ON sch.urn = sc.urn
ORDER BY a.child
