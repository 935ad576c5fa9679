-- ---
-- id = "ppplus/spend_by_financial_year"
-- version = 2
-- title = "PP+ requests and spend by financial year"
-- labels = { financial_year = "Financial year", terms = "Terms with requests", requests = "Requests", approved_requests = "Requests approved", children_requested = "Children requested for", children_funded = "Children funded", requested_amount = "Requested", approved_amount = "Approved", approved_per_child = "Approved per child funded" }
-- units = { requested_amount = "pounds", approved_amount = "pounds", approved_per_child = "pounds" }
-- description = "Pupil Premium Plus requests for children in care by financial year (1 April to 31 March), the year of the grant, which DfE pays and claws back by financial year (domain.md section 7), where ppplus/spend_by_term shows the school terms: amount requested (and the children it was requested for, which protect it from disclosure) and approved, children funded (an approved request; a child funded in several terms of the year counts once), and approved amount per child funded, for all requests, by EEF tier and by intervention type, for terms up to the run's (the requests of ppplus/requests, as spend_by_term counts them). A term belongs to the financial year it falls in: the autumn term (September to December) to the one starting that April, the spring term (January to Easter) to the one ending that March, the summer term (Easter to July) to the one starting that April. terms counts the terms of the financial year with a request: a year at either end of the data is part of a year (fewer than 3)."
-- params = ["term"]
-- depends_on = ["ppplus/requests"]
-- suppress = ["requests", "children_requested", "approved_requests", "children_funded"]
-- money_on = { requested_amount = "children_requested", approved_amount = "children_funded" }
-- ---
SELECT financial_year, breakdown, "group",
       count(DISTINCT term) AS terms,
       count(*) AS requests,
       count(DISTINCT child) AS children_requested,
       sum(CASE WHEN status = 'approved' THEN 1 ELSE 0 END) AS approved_requests,
       count(DISTINCT CASE WHEN status = 'approved' THEN child END) AS children_funded,
       sum(amount) AS requested_amount,
       sum(CASE WHEN status = 'approved' THEN amount ELSE 0 END) AS approved_amount,
       sum(CASE WHEN status = 'approved' THEN amount ELSE 0 END)
         / nullif(count(DISTINCT CASE WHEN status = 'approved' THEN child END), 0) AS approved_per_child
FROM ppplus.requests
GROUP BY fy_start, financial_year, b, breakdown, "group"
ORDER BY fy_start, b, "group"
