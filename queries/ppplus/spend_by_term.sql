-- ---
-- id = "ppplus/spend_by_term"
-- version = 3
-- title = "PP+ requests and spend by term, tier and intervention"
-- description = "Pupil Premium Plus requests for children in care each term up to the run's (domain.md section 7): amount requested (and the children it was requested for) and approved, children funded (an approved request), approved amount per child funded, and the share of requests linked to a PEP target (the PEP is where PP+ spending should be planned). By EEF tier and by intervention type, and for all requests."
-- params = ["term"]
-- depends_on = ["ppplus/requests"]
-- suppress = ["requests", "children_requested", "approved_requests", "children_funded", "linked_to_pep_target", "approved_without_target"]
-- money_on = { requested_amount = "children_requested", approved_amount = "children_funded" }
--
-- [[metric]]
-- id = "ppplus.requested_amount"
-- label = "Requested amount"
-- value = "requested_amount"
-- time_period = "term"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "pounds"
--
-- [[metric]]
-- id = "ppplus.approved_per_child"
-- label = "Approved per child"
-- value = "approved_per_child"
-- denominator = "children_funded"
-- time_period = "term"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "pounds"
--
-- [[metric]]
-- id = "ppplus.pep_target_linked_rate"
-- label = "PEP target linked rate"
-- value = "pep_target_linked_rate"
-- numerator = "linked_to_pep_target"
-- denominator = "requests"
-- time_period = "term"
-- group = "group"
-- breakdown_column = "breakdown"
-- unit = "percent"
-- better = "higher"
-- ---
SELECT term, breakdown, "group",
       count(*) AS requests,
       count(DISTINCT child) AS children_requested,
       sum(CASE WHEN status = 'approved' THEN 1 ELSE 0 END) AS approved_requests,
       count(DISTINCT CASE WHEN status = 'approved' THEN child END) AS children_funded,
       sum(amount) AS requested_amount,
       sum(CASE WHEN status = 'approved' THEN amount ELSE 0 END) AS approved_amount,
       sum(CASE WHEN status = 'approved' THEN amount ELSE 0 END)
         / nullif(count(DISTINCT CASE WHEN status = 'approved' THEN child END), 0) AS approved_per_child,
       sum(CASE WHEN pep_target IS NOT NULL THEN 1 ELSE 0 END) AS linked_to_pep_target,
       100.0 * sum(CASE WHEN pep_target IS NOT NULL THEN 1 ELSE 0 END) / count(*) AS pep_target_linked_rate,
       sum(CASE WHEN status = 'approved' AND pep_target IS NULL THEN 1 ELSE 0 END) AS approved_without_target
FROM ppplus.requests
GROUP BY term, ordinal, b, breakdown, "group"
ORDER BY ordinal, b, "group"
