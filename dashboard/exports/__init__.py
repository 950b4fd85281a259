"""Files people take away, built from the services' read models, text kept as text: the monthly review pack
(review_model says what every copy says; review_xlsx, review_pdf and review_html write one format each) and the OKR
check-ins (CSV, Excel)."""
