-- ---
-- id = "roll/by_sen"
-- version = 1
-- title = "Children in care by SEN status"
-- description = "Children looked after at the end of the term by special educational needs provision for the academic year (school census categories: no SEN, SEN support, EHC plan)."
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Children in care by SEN status"
-- x = "sen_provision"
-- y = ["children"]
-- y_label = "Children"
-- unit = "count"
-- ---
SELECT term,
       CASE sen_status WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END AS sen_provision,
       count(*) AS children
FROM roll.cla_at_term_end
GROUP BY term, sen_status
ORDER BY sen_status
