-- ---
-- id = "reference/national_benchmarks"
-- version = 1
-- title = "National comparator figures"
-- description = "DfE national figures with source and vintage (domain.md section 9): the folder's benchmarks file, or the figures cohort ships when there is none."
-- ---
SELECT measure, academic_year, cohort, value, unit, source, vintage
FROM benchmarks
ORDER BY measure, cohort, academic_year
