-- ---
-- id = "roll/summary"
-- version = 3
-- title = "The roll at the end of the term"
-- description = "Children looked after at the end of the term: total, with SEN support or an EHC plan, and educated in or out of the authority (school on roll on the last day of term); the out-of-authority rate is of those on a school roll."
-- depends_on = ["roll/cla_at_term_end"]
-- suppress = ["children", "sen_support", "ehc_plan", "in_authority", "out_of_authority", "in_school", "not_in_school"]
--
-- [[metric]]
-- id = "roll.ehc_plan_rate"
-- label = "With an EHC plan"
-- value = "ehc_plan_rate"
-- numerator = "ehc_plan"
-- denominator = "children"
-- time_period = "term"
-- unit = "percent"
--
-- [[metric]]
-- id = "roll.out_of_authority_rate"
-- label = "In school outside the authority"
-- value = "out_of_authority_rate"
-- numerator = "out_of_authority"
-- denominator = "in_school"
-- time_period = "term"
-- unit = "percent"
-- ---
SELECT term,
       count(*) AS children,
       sum(CASE WHEN sen_status = 'K' THEN 1 ELSE 0 END) AS sen_support,
       sum(CASE WHEN sen_status = 'E' THEN 1 ELSE 0 END) AS ehc_plan,
       100.0 * sum(CASE WHEN sen_status = 'E' THEN 1 ELSE 0 END) / count(*) AS ehc_plan_rate,
       sum(CASE WHEN school_location = 'in authority' THEN 1 ELSE 0 END) AS in_authority,
       sum(CASE WHEN school_location = 'out of authority' THEN 1 ELSE 0 END) AS out_of_authority,
       100.0 * sum(CASE WHEN school_location = 'out of authority' THEN 1 ELSE 0 END)
         / nullif(sum(CASE WHEN school_location <> 'not in school' THEN 1 ELSE 0 END), 0) AS out_of_authority_rate,
       sum(CASE WHEN school_location <> 'not in school' THEN 1 ELSE 0 END) AS in_school,
       sum(CASE WHEN school_location = 'not in school' THEN 1 ELSE 0 END) AS not_in_school
FROM roll.cla_at_term_end
GROUP BY term
