-- ---
-- id = "ppplus/spend_by_tier"
-- version = 2
-- title = "PP+ spend by EEF tier, academic year to date"
-- labels = { tier = "EEF tier", approved_amount = "Approved", declined_amount = "Declined", children_funded = "Children funded", linked_to_pep_target_rate = "Linked to a PEP target" }
-- units = { approved_amount = "pounds", declined_amount = "pounds" }
-- description = "Pupil Premium Plus requests for terms of the run's academic year up to its term, by EEF tier (domain.md section 7): requests, amount approved, share of requests linked to a PEP target."
-- params = ["term", "academic_year"]
-- suppress = ["requests", "children_funded", "children_declined"]
-- money_on = { approved_amount = "children_funded", declined_amount = "children_declined" }
--
-- [[chart]]
-- type = "h_bar"
-- title = "PP+ approved by EEF tier, academic year to date"
-- x = "tier"
-- y = ["approved_amount"]
-- y_label = "Approved, £"
-- unit = "pounds"
--
-- [[metric]]
-- id = "ppplus.approved_amount"
-- label = "Approved amount"
-- value = "approved_amount"
-- time_period = "academic_year"
-- group = "tier"
-- unit = "pounds"
-- ---
SELECT p.academic_year,
       concat('Tier ', r.eef_tier, ': ', c.label) AS tier,
       count(*) AS requests,
       count(DISTINCT CASE WHEN r.status = 'approved' THEN r.child END) AS children_funded,
       sum(CASE WHEN r.status = 'approved' THEN r.amount ELSE 0 END) AS approved_amount,
       sum(CASE WHEN r.status = 'declined' THEN r.amount ELSE 0 END) AS declined_amount,
       count(DISTINCT CASE WHEN r.status = 'declined' THEN r.child END) AS children_declined,
       100.0 * sum(CASE WHEN r.pep_target IS NOT NULL THEN 1 ELSE 0 END) / count(*) AS linked_to_pep_target_rate
FROM pp_plus r
JOIN terms t ON t.term = r.term
JOIN code_lists c ON c.list_id = 'eef_tier' AND c.code = r.eef_tier
CROSS JOIN params p
WHERE t.academic_year = p.academic_year AND t.ordinal <= p.term_ordinal
GROUP BY p.academic_year, r.eef_tier, c.label
ORDER BY r.eef_tier
