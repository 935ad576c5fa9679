-- ---
-- id = "roll/by_year_group"
-- version = 1
-- title = "Children in care by year group"
-- description = "Children looked after at the end of the term by National Curriculum year group (age on 31 August before the academic year)."
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children"]
--
-- [[chart]]
-- type = "bar"
-- title = "Children in care by year group at the end of the term"
-- x = "year_group"
-- y = ["children"]
-- y_label = "Children"
-- x_label = "Year group"
-- unit = "count"
--
-- [[metric]]
-- id = "roll.children"
-- label = "Children in care on roll"
-- value = "children"
-- time_period = "term"
-- group = "year_group"
-- unit = "count"
-- ---
SELECT term, year_group, min(year_order) AS year_order, count(*) AS children
FROM roll.cla_at_term_end
GROUP BY term, year_group
ORDER BY year_order
