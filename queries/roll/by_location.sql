-- ---
-- id = "roll/by_location"
-- version = 1
-- title = "Children in care by where they are educated"
-- description = "Children looked after at the end of the term by whether their school is inside the authority, outside it, or whether they are on no school roll that day."
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children"]
--
-- [[chart]]
-- type = "h_bar"
-- title = "Children in care by school location"
-- x = "school_location"
-- y = ["children"]
-- y_label = "Children"
-- unit = "count"
-- ---
SELECT term, school_location, count(*) AS children
FROM roll.cla_at_term_end
GROUP BY term, school_location
ORDER BY school_location
