-- ---
-- id = "reference/la_comparators"
-- version = 3
-- title = "The authority against England, its region and its statistical neighbours"
-- labels = { la_name = "Authority", la_value = "Authority's figure", la_symbol = "DfE symbol", region_name = "Region", neighbours_mean = "Statistical neighbours, average", neighbours_min = "Neighbours, lowest", neighbours_max = "Neighbours, highest", neighbours_with_figure = "Neighbours with a figure", quartile_band = "Quartile", source_file = "DfE file" }
-- description = "DfE's own published figures (the comparators table, derived from DfE's Explore Education Statistics files by `cohort comparators`, with source file and version), for the authority named by la_code in cohort.toml: its own published figure, England, its region, the average and range of its ten statistical neighbours in DfE's 2025 model (simple mean of those with a figure), and its quartile among all authorities with a figure (1 = the lowest quarter of figures, 4 = the highest); `summary_row` marks each headline measure's most recent published year up to the run's academic year. Children looked after 12 months at 31 March (absence on the pupil basis, KS2, KS4, SDQ ages 5 to 16), care leavers aged 19 to 21 and children looked after at 31 March (their number, and the shares with 3 or more placements and with a school move in the year). No rows when la_code is not set."
-- params = ["academic_year"]
-- units = { la_value = "one_decimal", england = "one_decimal", region = "one_decimal", neighbours_mean = "one_decimal", neighbours_min = "one_decimal", neighbours_max = "one_decimal" }
-- ---
WITH labels AS (
  SELECT * FROM (VALUES
    ('attendance.overall_absence_rate', 'Overall absence (% of sessions)', 1, true),
    ('attendance.authorised_absence_rate', 'Authorised absence (% of sessions)', 2, true),
    ('attendance.unauthorised_absence_rate', 'Unauthorised absence (% of sessions)', 3, true),
    ('attendance.persistent_absence_rate', 'Persistent absence (% of pupils, pupil basis)', 4, true),
    ('attendance.severe_absence_rate', 'Severe absence (% of pupils, pupil basis)', 5, true),
    ('attendance.pupils', 'Pupils in the absence figures', 6, false),
    ('attainment.ks2_rwm_expected_rate', 'KS2 reading, writing and maths at the expected standard (%)', 7, true),
    ('attainment.ks2_rwm_higher_rate', 'KS2 reading, writing and maths at the higher standard (%)', 8, true),
    ('attainment.ks2_pupils', 'Pupils in the KS2 figures', 9, false),
    ('attainment.ks4_attainment8_mean', 'KS4 Attainment 8 (average score)', 10, true),
    ('attainment.ks4_basics_4plus_rate', 'KS4 grade 4 or above in English and maths (%)', 11, true),
    ('attainment.ks4_basics_5plus_rate', 'KS4 grade 5 or above in English and maths (%)', 12, true),
    ('attainment.ks4_progress8_mean', 'KS4 Progress 8 (average score)', 13, true),
    ('attainment.ks4_pupils', 'Pupils in the KS4 figures', 14, false),
    ('sdq.mean_total', 'SDQ average score, ages 5 to 16', 15, true),
    ('sdq.normal_rate', 'SDQ normal (% of scores)', 16, true),
    ('sdq.borderline_rate', 'SDQ borderline (% of scores)', 17, true),
    ('sdq.concern_rate', 'SDQ cause for concern (% of scores)', 18, true),
    ('sdq.completion_rate', 'SDQ scores received (% of children aged 5 to 16)', 19, true),
    ('eet.eet_rate', 'Care leavers aged 19 to 21 in education, employment or training (%)', 20, true),
    ('eet.neet_rate', 'Care leavers aged 19 to 21 not in education, employment or training (%)', 21, true),
    ('roll.children_looked_after', 'Children looked after at 31 March', 22, false),
    ('stability.three_plus_placements_rate', 'Children looked after at 31 March with 3 or more placements in the year (%)', 23, true),
    ('stability.school_move_rate', 'Children looked after at 31 March with a school move in the year (%)', 24, true)
  ) AS l(measure, label, ord, headline)
),
me AS (
  SELECT la_code FROM authority
),
la AS (
  SELECT * FROM comparators WHERE geographic_level = 'Local authority'
),
mine AS (
  SELECT la.* FROM la JOIN me ON la.old_la_code = me.la_code
),
england AS (
  SELECT measure, academic_year, cohort, value FROM comparators WHERE geographic_level = 'National'
),
region AS (
  SELECT c.measure, c.academic_year, c.cohort, c.area_code, c.area_name, c.value
  FROM comparators c
  WHERE c.geographic_level = 'Regional'
),
neighbours AS (
  SELECT la.measure, la.academic_year, la.cohort,
         avg(la.value) AS neighbours_mean, min(la.value) AS neighbours_min,
         max(la.value) AS neighbours_max, count(la.value) AS neighbours_with_figure
  FROM statistical_neighbours s
  JOIN me ON s.old_la_code = me.la_code
  JOIN la ON la.old_la_code = s.neighbour_old_la_code
  GROUP BY la.measure, la.academic_year, la.cohort
),
latest AS (
  SELECT m.measure, max(m.academic_year) AS academic_year
  FROM mine m CROSS JOIN params p
  WHERE m.academic_year <= p.academic_year
  GROUP BY m.measure
),
ranked AS (
  SELECT measure, academic_year, cohort, old_la_code,
         rank() OVER (PARTITION BY measure, academic_year, cohort ORDER BY value) AS position,
         count(*) OVER (PARTITION BY measure, academic_year, cohort) AS authorities
  FROM la
  WHERE value IS NOT NULL
)
SELECT m.measure, lb.label, lb.headline, m.academic_year,
       (lt.academic_year IS NOT NULL AND lb.headline) AS summary_row,
       m.cohort, m.unit, m.area_name AS la_name,
       m.value AS la_value, m.symbol AS la_symbol,
       e.value AS england, r.area_name AS region_name, r.value AS region,
       n.neighbours_mean, n.neighbours_min, n.neighbours_max, n.neighbours_with_figure,
       CAST(floor(4.0 * (q.position - 1) / q.authorities) AS BIGINT) + 1 AS quartile,
       CASE CAST(floor(4.0 * (q.position - 1) / q.authorities) AS BIGINT)
         WHEN 0 THEN 'lowest quarter' WHEN 1 THEN 'second quarter'
         WHEN 2 THEN 'third quarter' WHEN 3 THEN 'highest quarter' END AS quartile_band,
       q.authorities,
       m.source_file, m.version
FROM mine m
JOIN labels lb ON lb.measure = m.measure
LEFT JOIN latest lt ON lt.measure = m.measure AND lt.academic_year = m.academic_year
LEFT JOIN england e ON e.measure = m.measure AND e.academic_year = m.academic_year AND e.cohort = m.cohort
LEFT JOIN region r ON r.measure = m.measure AND r.academic_year = m.academic_year AND r.cohort = m.cohort
  AND r.area_code = m.region_code
LEFT JOIN neighbours n ON n.measure = m.measure AND n.academic_year = m.academic_year AND n.cohort = m.cohort
LEFT JOIN ranked q ON q.measure = m.measure AND q.academic_year = m.academic_year AND q.cohort = m.cohort
  AND q.old_la_code = m.old_la_code
ORDER BY lb.ord, m.cohort, m.academic_year
