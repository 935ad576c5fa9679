-- ---
-- id = "roll/oc2_sen"
-- version = 4
-- title = "Special educational needs in the OC2 cohort, against DfE's figure"
-- labels = { pupils = "Pupils in the OC2 cohort", any_sen = "SEN support or EHC plan", ehc_plan = "EHC plan", sen_rate = "With SEN (support or EHC plan)", ehc_plan_rate = "With an EHC plan", national_sen_rate = "National CLA, any SEN", national_ehc_plan_rate = "National CLA, EHC plan", national_year = "Year of the national figure" }
-- description = "Children in the OC2 cohort (looked after 12 months at 31 March, roll/oc2_cohort; domain.md section 1) for each academic year up to the run's who were on a school's roll (mainstream, special or alternative provision) at some point in that academic year, the pupils DfE finds in the school census (roll/oc2_pupils); of them, the share with SEN support or an EHC plan (sen_status K or E for that academic year) and the share with an EHC plan (E). A pupil with no SEN record for the year counts as having no SEN; a year with no SEN record for anyone is left out (not known, not zero). Beside each year, DfE's latest national figure for children looked after 12 months published for that year or before (57.4% any SEN and 30.2% EHC plan, January 2022, domain.md section 9), with its year: DfE's later years are not in cohort's benchmarks yet."
-- params = ["academic_year"]
-- depends_on = ["roll/oc2_pupils", "reference/latest_national"]
-- suppress = ["pupils", "any_sen", "ehc_plan"]
--
-- [[metric]]
-- id = "roll.oc2_sen_rate"
-- value = "sen_rate"
-- numerator = "any_sen"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- label = "OC2 cohort with SEN"
--
-- [[metric]]
-- id = "roll.oc2_ehc_plan_rate"
-- value = "ehc_plan_rate"
-- numerator = "ehc_plan"
-- denominator = "pupils"
-- time_period = "academic_year"
-- group = "cohort"
-- breakdown = "cohort"
-- unit = "percent"
-- label = "OC2 cohort with an EHC plan"
-- ---
WITH pupils AS (
  -- A year with no SEN record for anyone is not known, so it is left out.
  SELECT k.academic_year, k.child
  FROM roll.oc2_pupils k
  JOIN (SELECT DISTINCT academic_year FROM sen) recorded ON recorded.academic_year = k.academic_year
),
counted AS (
  SELECT p.academic_year,
         count(*) AS pupils,
         sum(CASE WHEN s.sen_status IN ('K', 'E') THEN 1 ELSE 0 END) AS any_sen,
         sum(CASE WHEN s.sen_status = 'E' THEN 1 ELSE 0 END) AS ehc_plan
  FROM pupils p
  LEFT JOIN sen s ON s.child = p.child AND s.academic_year = p.academic_year
  GROUP BY p.academic_year
),
national AS (
  -- DfE's latest year at or before this one with either figure, and its figures of that
  -- year (reference/latest_national holds each measure's latest on its own).
  SELECT academic_year, national_year,
         max(CASE WHEN measure = 'roll.oc2_sen_rate' THEN value END) AS sen_rate,
         max(CASE WHEN measure = 'roll.oc2_ehc_plan_rate' THEN value END) AS ehc_plan_rate
  FROM (
    SELECT l.*, max(l.national_year) OVER (PARTITION BY l.academic_year) AS latest
    FROM reference.latest_national l
    WHERE l.cohort = 'cla_12m' AND l.measure IN ('roll.oc2_sen_rate', 'roll.oc2_ehc_plan_rate')
  ) figures
  WHERE national_year = latest
  GROUP BY academic_year, national_year
)
SELECT c.academic_year, 'OC2 cohort' AS cohort, c.pupils, c.any_sen,
       100.0 * c.any_sen / c.pupils AS sen_rate,
       c.ehc_plan,
       100.0 * c.ehc_plan / c.pupils AS ehc_plan_rate,
       n.sen_rate AS national_sen_rate, n.ehc_plan_rate AS national_ehc_plan_rate, n.national_year
FROM counted c
LEFT JOIN national n ON n.academic_year = c.academic_year
ORDER BY c.academic_year
