-- ---
-- id = "roll/stability"
-- version = 1
-- title = "Placement stability and school moves, against DfE's figures"
-- labels = { year_start = "Year from", year_end = "Year to", children = "Children looked after at 31 March", three_plus_placements = "With 3 or more placements", three_plus_placements_rate = "3 or more placements in the year", pupils = "Of them, on a school roll in the year", moved_school = "With a school move", school_move_rate = "At least one school move in the year", national_three_plus_placements_rate = "England, 3 or more placements", national_school_move_rate = "England, at least one school move", la_three_plus_placements_rate = "DfE's figure for the authority, 3 or more placements", la_school_move_rate = "DfE's figure for the authority, school moves" }
-- description = "Stability in each SSDA903 collection year (1 April to 31 March) that has ended by the run's term, for children looked after at 31 March (in care on the date by the one definition, roll/care_periods: short breaks V3/V4 left out, care ending at 18), DfE's population for both measures. Placements in the year: the placement held on 1 April, if any, plus each new episode in the year that starts a placement (RNE S, P, T, B or U; an L episode changes only the legal status, domain.md section 2); the share with 3 or more. School moves: of those children, the ones on a school's roll (mainstream, special or alternative provision) at some point in the year, and the share with at least one school move in the year (roll/school_moves: a dual registration at alternative provision is not a move). Beside each, DfE's national figure and its figure for this authority (Children looked after in England: la_cla_placement_stability.csv, 'With 3 or more placements during the year'; la_cla_school_moves.csv, 'With one or more moves during the year'; children looked after on 31 March; whole percentages)."
-- params = ["term"]
-- depends_on = ["roll/care_periods", "roll/school_moves"]
-- suppress = ["children", "three_plus_placements", "pupils", "moved_school"]
--
-- [[metric]]
-- id = "stability.three_plus_placements_rate"
-- value = "three_plus_placements_rate"
-- numerator = "three_plus_placements"
-- denominator = "children"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "lower"
-- label = "3 or more placements in the year"
--
-- [[metric]]
-- id = "stability.school_move_rate"
-- value = "school_move_rate"
-- numerator = "moved_school"
-- denominator = "pupils"
-- time_period = "academic_year"
-- unit = "percent"
-- better = "lower"
-- label = "At least one school move in the year"
-- ---
WITH years AS (
  SELECT DISTINCT t.academic_year,
         make_date(CAST(substr(t.academic_year, 1, 4) AS INT), 4, 1) AS year_start,
         make_date(CAST(substr(t.academic_year, 1, 4) AS INT) + 1, 3, 31) AS year_end
  FROM terms t
),
done AS (
  SELECT y.academic_year, y.year_start, y.year_end
  FROM years y
  CROSS JOIN params p
  WHERE y.year_end <= p.term_end
),
at_end AS (
  SELECT DISTINCT d.academic_year, c.child
  FROM done d
  JOIN roll.care_periods c ON c.decom <= d.year_end AND c.end_date >= d.year_end
),
placements AS (
  SELECT a.academic_year, a.child,
         max(CASE WHEN c.decom < d.year_start AND c.end_date >= d.year_start THEN 1 ELSE 0 END)
           + sum(CASE WHEN c.decom >= d.year_start AND c.decom <= d.year_end
                       AND c.rne IN ('S', 'P', 'T', 'B', 'U') THEN 1 ELSE 0 END) AS placements
  FROM at_end a
  JOIN done d ON d.academic_year = a.academic_year
  JOIN roll.care_periods c ON c.child = a.child
  GROUP BY a.academic_year, a.child
),
on_roll AS (
  SELECT DISTINCT a.academic_year, a.child
  FROM at_end a
  JOIN done d ON d.academic_year = a.academic_year
  JOIN enrolments en ON en.child = a.child
   AND en.provision IN ('mainstream', 'special', 'alternative_provision')
   AND en.start_date <= d.year_end AND (en.end_date IS NULL OR en.end_date >= d.year_start)
),
moved AS (
  SELECT DISTINCT o.academic_year, o.child
  FROM on_roll o
  JOIN done d ON d.academic_year = o.academic_year
  JOIN roll.school_moves m ON m.child = o.child AND m.move_date >= d.year_start AND m.move_date <= d.year_end
),
stability AS (
  SELECT academic_year, count(*) AS children,
         sum(CASE WHEN placements >= 3 THEN 1 ELSE 0 END) AS three_plus_placements
  FROM placements
  GROUP BY academic_year
),
moves AS (
  SELECT o.academic_year, count(*) AS pupils,
         sum(CASE WHEN m.child IS NULL THEN 0 ELSE 1 END) AS moved_school
  FROM on_roll o
  LEFT JOIN moved m ON m.academic_year = o.academic_year AND m.child = o.child
  GROUP BY o.academic_year
),
dfe AS (
  SELECT c.academic_year,
         max(CASE WHEN c.measure = 'stability.three_plus_placements_rate' AND c.geographic_level = 'National' THEN c.value END) AS national_placements,
         max(CASE WHEN c.measure = 'stability.school_move_rate' AND c.geographic_level = 'National' THEN c.value END) AS national_moves,
         max(CASE WHEN c.measure = 'stability.three_plus_placements_rate' AND c.geographic_level = 'Local authority' AND c.old_la_code = a.la_code THEN c.value END) AS la_placements,
         max(CASE WHEN c.measure = 'stability.school_move_rate' AND c.geographic_level = 'Local authority' AND c.old_la_code = a.la_code THEN c.value END) AS la_moves
  FROM comparators c
  LEFT JOIN authority a ON a.la_code = c.old_la_code
  WHERE c.measure IN ('stability.three_plus_placements_rate', 'stability.school_move_rate')
    AND c.cohort = 'cla'
  GROUP BY c.academic_year
)
SELECT d.academic_year, d.year_start, d.year_end,
       coalesce(s.children, 0) AS children,
       coalesce(s.three_plus_placements, 0) AS three_plus_placements,
       100.0 * s.three_plus_placements / s.children AS three_plus_placements_rate,
       coalesce(m.pupils, 0) AS pupils,
       coalesce(m.moved_school, 0) AS moved_school,
       100.0 * m.moved_school / m.pupils AS school_move_rate,
       f.national_placements AS national_three_plus_placements_rate,
       f.national_moves AS national_school_move_rate,
       f.la_placements AS la_three_plus_placements_rate,
       f.la_moves AS la_school_move_rate
FROM done d
LEFT JOIN stability s ON s.academic_year = d.academic_year
LEFT JOIN moves m ON m.academic_year = d.academic_year
LEFT JOIN dfe f ON f.academic_year = d.academic_year
ORDER BY d.academic_year
