-- ---
-- id = "attainment/factors"
-- version = 2
-- title = "Outcomes and the factors around them, child by child"
-- description = "One row per outcome a child in care had: KS2 reading, writing and maths at the expected standard and KS4 grade 4 or above in English and maths (each results year up to the run's, pupils looked after at some point in that academic year: a period of roll/care_periods overlapping it, short breaks V3/V4 excluded and care ending at 18), and on track at the run's term (on track in more than half of the subjects judged in their PEP progress). Beside each outcome, the factors in that academic year up to the reference date (1 June for results, the end of the term for on track): SEN support or EHC plan; 3 or more placements in the SSDA903 collection year ending 31 March of the academic year (1 April to 31 March, as DfE counts placement stability: the placement held on 1 April plus new placements starting in the year, RNE S, P, B, T or U); a school move after 1 October (a new enrolment; a dual registration at alternative provision, beside an enrolment that continues, is not a move); attendance band (present sessions of possible, domain.md section 3); time in the current care spell; school outside the authority; SDQ 17 or more (cause for concern, domain.md section 8); latest PEP rated green; a suspension; alternative provision. A factor is empty when it cannot be known (no marks, no SDQ, no rated PEP, not on a school roll). Observational data: these describe who did well, not why."
-- params = ["term"]
-- depends_on = ["attendance/sessions_by_term", "roll/care_periods"]
-- level = "child"
-- ---
WITH years AS (
  SELECT academic_year, min(start_date) AS year_start, max(end_date) AS year_end
  FROM terms GROUP BY academic_year
),
in_care_years AS (
  SELECT DISTINCT e.child, y.academic_year
  FROM roll.care_periods e
  JOIN years y ON e.decom <= y.year_end AND e.end_date >= y.year_start
),
outcomes AS (
  SELECT 'KS2 expected standard in RWM' AS outcome, r.child, r.academic_year,
         CASE WHEN r.reading_score >= 100 AND r.maths_score >= 100 AND r.writing_ta IN ('EXS', 'GDS') THEN 1 ELSE 0 END AS achieved,
         make_date(CAST(extract(year FROM y.year_end) AS INT), 6, 1) AS ref_date
  FROM ks2_results r
  JOIN years y ON y.academic_year = r.academic_year
  CROSS JOIN params p
  WHERE r.academic_year <= p.academic_year
  UNION ALL
  SELECT 'KS4 grade 4+ in English and maths', r.child, r.academic_year,
         CASE WHEN r.english_grade >= 4 AND r.maths_grade >= 4 THEN 1 ELSE 0 END,
         make_date(CAST(extract(year FROM y.year_end) AS INT), 6, 1)
  FROM ks4_results r
  JOIN years y ON y.academic_year = r.academic_year
  CROSS JOIN params p
  WHERE r.academic_year <= p.academic_year
  UNION ALL
  SELECT 'On track at the latest term', g.child, p.academic_year,
         CASE WHEN 2 * sum(CASE WHEN g.on_track THEN 1 ELSE 0 END) > count(*) THEN 1 ELSE 0 END,
         p.term_end
  FROM progress g
  CROSS JOIN params p
  WHERE g.term = p.term
  GROUP BY g.child, p.academic_year, p.term_end
),
cohort AS (
  SELECT o.outcome, o.child, o.academic_year, o.achieved, o.ref_date, y.year_start,
         make_date(CAST(extract(year FROM y.year_end) - 1 AS INT), 4, 1) AS collection_start,
         make_date(CAST(extract(year FROM y.year_end) AS INT), 3, 31) AS collection_end
  FROM outcomes o
  JOIN in_care_years c ON c.child = o.child AND c.academic_year = o.academic_year
  JOIN years y ON y.academic_year = o.academic_year
),
placements AS (
  SELECT c.outcome, c.child, c.academic_year,
         -- The SSDA903 collection year (1 April to 31 March), as DfE counts 3 or more placements.
         sum(CASE WHEN e.rne IN ('S', 'P', 'B', 'T', 'U') AND e.decom > c.collection_start AND e.decom <= c.collection_end THEN 1 ELSE 0 END)
           + max(CASE WHEN e.decom <= c.collection_start AND (e.dec IS NULL OR e.dec > c.collection_start) THEN 1 ELSE 0 END) AS placements
  FROM cohort c
  JOIN episodes e ON e.child = c.child AND e.ls NOT IN ('V3', 'V4')
  GROUP BY c.outcome, c.child, c.academic_year
),
spell_start AS (
  SELECT c.outcome, c.child, c.academic_year, max(e.decom) AS started
  FROM cohort c
  JOIN episodes e ON e.child = c.child AND e.rne = 'S' AND e.decom <= c.ref_date
  GROUP BY c.outcome, c.child, c.academic_year
),
attendance AS (
  SELECT child, academic_year,
         100.0 * sum(present_sessions) / sum(possible_sessions) AS present_pct
  FROM attendance.sessions_by_term
  GROUP BY child, academic_year
  HAVING sum(possible_sessions) > 0
),
school_then AS (
  SELECT c.outcome, c.child, c.academic_year, bool_and(s.in_authority) AS in_authority
  FROM cohort c
  JOIN enrolments en ON en.child = c.child AND en.start_date <= c.ref_date AND (en.end_date IS NULL OR en.end_date >= c.ref_date)
  JOIN schools s ON s.urn = en.urn
  GROUP BY c.outcome, c.child, c.academic_year
),
dual_ap AS (
  -- A dual registration at alternative provision: it starts while a main enrolment goes on,
  -- so it is not a school move.
  SELECT DISTINCT a.child, a.urn, a.start_date
  FROM enrolments a
  JOIN enrolments m ON m.child = a.child AND m.provision <> 'alternative_provision'
   AND m.start_date < a.start_date AND (m.end_date IS NULL OR m.end_date >= a.start_date)
  WHERE a.provision = 'alternative_provision'
),
moves AS (
  SELECT c.outcome, c.child, c.academic_year,
         max(CASE WHEN en.start_date > c.year_start + INTERVAL '30 days' AND en.start_date <= c.ref_date
                   AND d.child IS NULL
                  THEN 1 ELSE 0 END) AS school_move,
         max(CASE WHEN en.provision = 'alternative_provision' AND en.start_date <= c.ref_date
                   AND (en.end_date IS NULL OR en.end_date >= c.year_start) THEN 1 ELSE 0 END) AS alternative_provision
  FROM cohort c
  JOIN enrolments en ON en.child = c.child
  LEFT JOIN dual_ap d ON d.child = en.child AND d.urn = en.urn AND d.start_date = en.start_date
  GROUP BY c.outcome, c.child, c.academic_year
),
sdq_latest AS (
  SELECT outcome, child, academic_year, total_score FROM (
    SELECT c.outcome, c.child, c.academic_year, q.total_score,
           row_number() OVER (PARTITION BY c.outcome, c.child, c.academic_year ORDER BY q.assessment_date DESC) AS k
    FROM cohort c
    JOIN sdq q ON q.child = c.child AND q.total_score IS NOT NULL
     AND q.assessment_date >= c.year_start AND q.assessment_date <= c.ref_date
  ) WHERE k = 1
),
pep_latest AS (
  SELECT outcome, child, academic_year, qa_rating FROM (
    SELECT c.outcome, c.child, c.academic_year, pe.qa_rating,
           row_number() OVER (PARTITION BY c.outcome, c.child, c.academic_year ORDER BY pe.due_date DESC) AS k
    FROM cohort c
    JOIN peps pe ON pe.child = c.child AND pe.qa_rating IS NOT NULL
     AND pe.due_date >= c.year_start AND pe.due_date <= c.ref_date
  ) WHERE k = 1
),
suspended AS (
  SELECT DISTINCT c.outcome, c.child, c.academic_year
  FROM cohort c
  JOIN suspensions s ON s.child = c.child AND s.start_date >= c.year_start AND s.start_date <= c.ref_date
)
SELECT c.outcome, c.academic_year, c.child, c.achieved,
       CAST(CASE WHEN sen.sen_status IN ('K', 'E') THEN 1 ELSE 0 END AS BIGINT) AS sen,
       CAST(CASE WHEN pl.placements >= 3 THEN 1 ELSE 0 END AS BIGINT) AS placements_3plus,
       CAST(coalesce(mv.school_move, 0) AS BIGINT) AS school_move,
       CAST(CASE WHEN a.present_pct IS NULL THEN NULL WHEN a.present_pct < 90 THEN 1 ELSE 0 END AS BIGINT) AS attendance_below_90,
       CAST(CASE WHEN a.present_pct IS NULL THEN NULL WHEN a.present_pct >= 90 AND a.present_pct <= 95 THEN 1 ELSE 0 END AS BIGINT) AS attendance_90_to_95,
       CAST(CASE WHEN a.present_pct IS NULL THEN NULL WHEN a.present_pct > 95 THEN 1 ELSE 0 END AS BIGINT) AS attendance_above_95,
       CAST(CASE WHEN ss.started IS NULL THEN NULL WHEN c.ref_date - ss.started < 365 THEN 1 ELSE 0 END AS BIGINT) AS in_care_under_1_year,
       CAST(CASE WHEN ss.started IS NULL THEN NULL WHEN c.ref_date - ss.started >= 365 AND c.ref_date - ss.started <= 1095 THEN 1 ELSE 0 END AS BIGINT) AS in_care_1_to_3_years,
       CAST(CASE WHEN ss.started IS NULL THEN NULL WHEN c.ref_date - ss.started > 1095 THEN 1 ELSE 0 END AS BIGINT) AS in_care_over_3_years,
       CAST(CASE WHEN st.in_authority IS NULL THEN NULL WHEN st.in_authority THEN 0 ELSE 1 END AS BIGINT) AS school_out_of_authority,
       CAST(CASE WHEN q.total_score IS NULL THEN NULL WHEN q.total_score >= 17 THEN 1 ELSE 0 END AS BIGINT) AS sdq_concern,
       CAST(CASE WHEN pe.qa_rating IS NULL THEN NULL WHEN pe.qa_rating = 'green' THEN 1 ELSE 0 END AS BIGINT) AS pep_rated_green,
       CAST(CASE WHEN su.child IS NULL THEN 0 ELSE 1 END AS BIGINT) AS suspended,
       CAST(coalesce(mv.alternative_provision, 0) AS BIGINT) AS alternative_provision
FROM cohort c
LEFT JOIN sen ON sen.child = c.child AND sen.academic_year = c.academic_year
LEFT JOIN placements pl ON pl.outcome = c.outcome AND pl.child = c.child AND pl.academic_year = c.academic_year
LEFT JOIN spell_start ss ON ss.outcome = c.outcome AND ss.child = c.child AND ss.academic_year = c.academic_year
LEFT JOIN attendance a ON a.child = c.child AND a.academic_year = c.academic_year
LEFT JOIN school_then st ON st.outcome = c.outcome AND st.child = c.child AND st.academic_year = c.academic_year
LEFT JOIN moves mv ON mv.outcome = c.outcome AND mv.child = c.child AND mv.academic_year = c.academic_year
LEFT JOIN sdq_latest q ON q.outcome = c.outcome AND q.child = c.child AND q.academic_year = c.academic_year
LEFT JOIN pep_latest pe ON pe.outcome = c.outcome AND pe.child = c.child AND pe.academic_year = c.academic_year
LEFT JOIN suspended su ON su.outcome = c.outcome AND su.child = c.child AND su.academic_year = c.academic_year
ORDER BY c.outcome, c.academic_year, c.child
