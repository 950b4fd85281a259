"""Files people take away: the review pack (Excel, PDF, HTML) and the OKR check-ins (CSV, Excel), built from the
services' read models, text kept as text."""
