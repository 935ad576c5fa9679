-- ---
-- id = "wellbeing/sdq_by_group"
-- version = 3
-- title = "Wellbeing: SDQ scores this year by sex, age and SEN"
-- description = "SDQ total difficulties scores from the OC2 return for the run's academic year (children looked after 12 months at 31 March, an OC2 row counting only for a child in roll/oc2_cohort for that year, aged 5 to 16 then, the ages of DfE's figures and of wellbeing/sdq_by_year, so the breakdowns add up to its total; domain.md section 8), by sex, age band on 31 March (5-10, 11-16) and SEN provision (sen table for the year): mean score and the share scoring 17 or more (cause for concern)."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_cohort"]
-- suppress = ["scored", "concern"]
--
-- [[metric]]
-- id = "sdq.mean_total"
-- label = "SDQ average total difficulties score"
-- value = "mean_total"
-- denominator = "scored"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "mean"
-- better = "lower"
-- same_within = 1.0
--
-- [[metric]]
-- id = "sdq.concern_rate"
-- label = "SDQ 17 or more (cause for concern)"
-- value = "concern_rate"
-- numerator = "concern"
-- denominator = "scored"
-- time_period = "academic_year"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "lower"
-- ---
WITH scored AS (
  SELECT o.child, o.sdq_score AS score, h.sex,
         CASE WHEN o.dob + INTERVAL '11 years' <= make_date(CAST(o.year AS INT), 3, 31) THEN '11-16' ELSE '5-10' END AS age_band,
         p.academic_year
  FROM oc2 o
  JOIN header h ON h.child = o.child
  JOIN roll.oc2_cohort k ON k.child = o.child AND k.collection_year = o.year
  CROSS JOIN params p
  WHERE o.sdq_score IS NOT NULL
    AND concat(CAST(o.year - 1 AS VARCHAR), '-', substr(CAST(o.year AS VARCHAR), 3, 2)) = p.academic_year
    AND o.dob + INTERVAL '5 years' <= make_date(CAST(o.year AS INT), 3, 31)
    AND o.dob + INTERVAL '17 years' > make_date(CAST(o.year AS INT), 3, 31)
),
stacked AS (
  SELECT 1 AS b, 'sex' AS breakdown,
         CASE WHEN s.sex IN ('1', 'M') THEN 'Male' WHEN s.sex IN ('2', 'F') THEN 'Female' ELSE 'Unknown' END AS "group",
         s.score, s.academic_year FROM scored s
  UNION ALL SELECT 2, 'age_band', s.age_band, s.score, s.academic_year FROM scored s
  UNION ALL SELECT 3, 'sen_status', CASE n.sen_status WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END,
         s.score, s.academic_year
  FROM scored s LEFT JOIN sen n ON n.child = s.child AND n.academic_year = s.academic_year
)
SELECT academic_year, breakdown, "group", count(*) AS scored, avg(score) AS mean_total,
       sum(CASE WHEN score >= 17 THEN 1 ELSE 0 END) AS concern,
       100.0 * sum(CASE WHEN score >= 17 THEN 1 ELSE 0 END) / count(*) AS concern_rate
FROM stacked
GROUP BY academic_year, b, breakdown, "group"
ORDER BY b, "group"
