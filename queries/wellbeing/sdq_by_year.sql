-- ---
-- id = "wellbeing/sdq_by_year"
-- version = 3
-- title = "Wellbeing: SDQ scores by year"
-- description = "Strengths and Difficulties Questionnaire totals from the SSDA903 OC2 return (domain.md section 8): children looked after 12 months at 31 March (an OC2 row counts only for a child in roll/oc2_cohort for that year, the one definition of the cohort, so not a child on short breaks only, one who left care in the year or one not yet in care 12 months) aged 5 to 16 on that date, the ages DfE publishes and so the national comparison uses (carers complete it from age 4; wellbeing/sdq_by_group uses the same ages 5 to 16), each collection year reported as the academic year it ends (2025 as 2024-25). Mean total difficulties score, the DfE bands (0-13 normal, 14-16 borderline, 17-40 cause for concern) as shares of children with a score, and completion (children with a score of those eligible). National: DfE, OC2 cohort aged 5 to 16, 2024 (mean 14.7; 46% normal, 13% borderline, 41% concern) and 2025 (mean 14.9; 45%, 13%, 42%)."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_cohort"]
-- suppress = ["eligible", "scored", "normal", "borderline", "concern"]
--
-- [[chart]]
-- type = "bar"
-- title = "SDQ: share of children whose score is a cause for concern"
-- x = "academic_year"
-- y = ["concern_rate"]
-- comparators = ["national_concern"]
-- y_label = "Children with a score of 17 or more, %"
-- x_label = "Academic year"
-- unit = "percent"
--
-- [[metric]]
-- id = "sdq.mean_total"
-- label = "SDQ average total difficulties score"
-- value = "mean_total"
-- denominator = "scored"
-- time_period = "academic_year"
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
-- unit = "percent"
-- better = "lower"
--
-- [[metric]]
-- id = "sdq.normal_rate"
-- label = "Normal rate"
-- value = "normal_rate"
-- numerator = "normal"
-- denominator = "scored"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
--
-- [[metric]]
-- id = "sdq.borderline_rate"
-- label = "Borderline rate"
-- value = "borderline_rate"
-- numerator = "borderline"
-- denominator = "scored"
-- time_period = "academic_year"
-- unit = "percent"
--
-- [[metric]]
-- id = "sdq.completion_rate"
-- label = "Completion rate"
-- value = "completion_rate"
-- numerator = "scored"
-- denominator = "eligible"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "higher"
-- ---
WITH eligible AS (
  SELECT concat(CAST(o.year - 1 AS VARCHAR), '-', substr(CAST(o.year AS VARCHAR), 3, 2)) AS academic_year,
         o.sdq_score
  FROM oc2 o
  JOIN roll.oc2_cohort k ON k.child = o.child AND k.collection_year = o.year
  WHERE o.dob + INTERVAL '5 years' <= make_date(CAST(o.year AS INT), 3, 31)
    AND o.dob + INTERVAL '17 years' > make_date(CAST(o.year AS INT), 3, 31)
),
per_year AS (
  SELECT e.academic_year, count(*) AS eligible, count(e.sdq_score) AS scored,
         avg(e.sdq_score) AS mean_total,
         sum(CASE WHEN e.sdq_score <= 13 THEN 1 ELSE 0 END) AS normal,
         sum(CASE WHEN e.sdq_score BETWEEN 14 AND 16 THEN 1 ELSE 0 END) AS borderline,
         sum(CASE WHEN e.sdq_score >= 17 THEN 1 ELSE 0 END) AS concern
  FROM eligible e CROSS JOIN params p
  WHERE e.academic_year <= p.academic_year
  GROUP BY e.academic_year
)
SELECT y.academic_year, y.eligible, y.scored, y.mean_total, y.normal, y.borderline, y.concern,
       100.0 * y.normal / nullif(y.scored, 0) AS normal_rate,
       100.0 * y.borderline / nullif(y.scored, 0) AS borderline_rate,
       100.0 * y.concern / nullif(y.scored, 0) AS concern_rate,
       100.0 * y.scored / y.eligible AS completion_rate,
       n.value AS national_concern
FROM per_year y
LEFT JOIN benchmarks n ON n.measure = 'sdq.concern_rate' AND n.cohort = 'cla_12m' AND n.academic_year = y.academic_year
ORDER BY y.academic_year
